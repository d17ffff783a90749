// One meaning per flag (docs/cli.md, "Flags"), through the built CLI: `--output` and
// `--format` are one format option in every command; `-o` is where to write
// (`--out-file` in export, `--out-dir` in compile), with the old `--output PATH` still
// working and a note on standard error; `--timeout` is the overall deadline and
// `--request-timeout` the limit of one request, in verify and in sign alike.

import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRegistry } from '../support/registry/memory-registry.js';
import { pushImage } from '../support/registry/push.js';
import { assertBuilt, cli, STACK_FRAME } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'atcr-flags-'));
const IMAGE = readFileSync('examples/image.txt', 'utf8').trim();
const { createdAt } = JSON.parse(readFileSync('examples/bundle.json', 'utf8')) as { createdAt: string };
const OFFLINE = ['verify', IMAGE, '--offline', '--bundle', 'examples/bundle.json', '--now', createdAt];
const DEPRECATED = /^atcr-verify: note: `(export|policy compile) --output PATH` is deprecated; use -o\/--out-(file|dir) (FILE|DIR)/;

let reg: MemoryRegistry;
let hang: http.Server;
let hangUrl = '';

beforeAll(async () => {
  assertBuilt();
  reg = await new MemoryRegistry({}).start();
  await pushImage(reg.host, 'alice/app', '1.0');
  // Accepts every connection and never answers: only a deadline ends a request to it.
  hang = http.createServer(() => {});
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  hangUrl = `127.0.0.1:${(hang.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await reg?.stop();
  hang.closeAllConnections();
  await new Promise<void>((r) => hang.close(() => r()));
});

/** JSON output without the one field that differs run to run. */
function stable(stdout: string): unknown {
  const { durationMs: _ms, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
}

describe('--output and --format are one format option', () => {
  it('verify takes either name', async () => {
    const output = await cli([...OFFLINE, '--output', 'json']);
    const format = await cli([...OFFLINE, '--format', 'json']);
    expect(output.code, output.stderr).toBe(0);
    expect(format.code, format.stderr).toBe(0);
    expect(stable(format.stdout)).toEqual(stable(output.stdout));
    expect(format.stderr).toBe('');
  });

  it('policy lint, explain and test take either name', async () => {
    for (const args of [
      ['policy', 'lint', 'policies/production.yaml'],
      ['policy', 'explain', 'policies/production.yaml', '--image', 'atcr.io/acme/prod-api:1.4'],
      ['policy', 'test', 'policies/'],
    ]) {
      const output = await cli([...args, '--output', 'json']);
      const format = await cli([...args, '--format', 'json']);
      expect(output.code, `${args.join(' ')}: ${output.stderr}`).toBe(0);
      expect(JSON.parse(format.stdout)).toEqual(JSON.parse(output.stdout));
    }
  });

  it('two different values are a usage error naming both', async () => {
    const r = await cli([...OFFLINE, '--output', 'json', '--format', 'text']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--output json and --format text disagree');
    const lint = await cli(['policy', 'lint', 'policies/production.yaml', '--output', 'yaml']);
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain("argument 'yaml' is invalid");
  });
});

describe('-o is where to write', () => {
  it('policy compile: -o, --out-dir, and the old --output with a note', async () => {
    const listing: string[][] = [];
    for (const [flag, note] of [['-o', false], ['--out-dir', false], ['--output', true]] as const) {
      const out = join(dir, `compile${flag}`);
      const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'rego', flag, out]);
      expect(r.code, r.stderr).toBe(0);
      if (note) expect(r.stderr).toMatch(DEPRECATED);
      else expect(r.stderr).toBe('');
      listing.push(readdirSync(out, { recursive: true }).map(String).sort());
    }
    expect(listing[1]).toEqual(listing[0]);
    expect(listing[2]).toEqual(listing[0]);
    const both = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'rego', '-o', join(dir, 'a'), '--output', join(dir, 'b')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('disagree');
  });

  it('export: -o, --out-file, and the old --output with a note', async () => {
    const image = `${reg.host}/alice/app:1.0`;
    for (const [flag, note] of [['-o', false], ['--out-file', false], ['--output', true]] as const) {
      const file = join(dir, `bundle${flag}.json`);
      const r = await cli(['export', image, flag, file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote ${file}`);
      expect(JSON.parse(readFileSync(file, 'utf8')).image.reference).toBe(image);
      if (note) expect(r.stderr).toMatch(DEPRECATED);
      else expect(r.stderr).toBe('');
    }
    const none = await cli(['export', image]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('atcr-verify: export needs -o FILE: where to write the bundle\n');
  });
});

describe('--timeout is the overall deadline, --request-timeout one request', () => {
  it('verify: a request past --request-timeout fails that request; the deadline names --timeout', async () => {
    const request = await cli(['verify', `${hangUrl}/alice/app:1`, '--request-timeout', '300ms', '--timeout', '30s']);
    expect(request.code).toBe(3);
    expect(request.stderr).toContain('timed out after 300 ms');
    const overall = await cli(['verify', `${hangUrl}/alice/app:1`, '--request-timeout', '30s', '--timeout', '500ms']);
    expect(overall.code).toBe(3);
    expect(overall.stderr).toBe('atcr-verify: did not finish within --timeout 500ms; could not decide\n');
  });

  it('sign: the same two meanings', async () => {
    const base = ['sign', `${reg.host}/alice/app:1.0`, '--pds', `http://${hangUrl}`, '--identifier', 'alice.test'];
    const env = { ...process.env, ATCR_PDS_PASSWORD: 'not-used' };
    const request = await cli([...base, '--request-timeout', '300ms', '--timeout', '30s'], undefined, env);
    expect(request.code).toBe(3);
    expect(request.stderr).toContain('300 ms');
    expect(request.stderr).not.toMatch(STACK_FRAME);
    const overall = await cli([...base, '--request-timeout', '30s', '--timeout', '500ms'], undefined, env);
    expect(overall.code).toBe(3);
    expect(overall.stderr).toBe('atcr-verify: did not finish within --timeout 500ms; could not decide\n');
  });

  it('a duration that is not one is a usage error naming the flag', async () => {
    for (const cmd of [['verify', `${reg.host}/alice/app:1.0`], ['sign', `${reg.host}/alice/app:1.0`, '--pds', 'http://x', '--identifier', 'a']]) {
      const r = await cli([...cmd, '--request-timeout', 'soon'], undefined, { ...process.env, ATCR_PDS_PASSWORD: 'x' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--request-timeout "soon" is not a duration');
    }
  });
});
