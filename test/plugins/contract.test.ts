// The plugin contracts through the standalone executable alone: containerd's argv, stdin,
// stdout and exit code, and Ratify's environment, stdin and one output line, with bad
// input of every kind. Each ends in a refusal with one clear line, never a stack trace.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, seaBinary, tempDir, type Run } from './support.js';

const MEDIA = 'application/vnd.oci.descriptor.v1+json';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const descriptor = (digest = DIGEST) => JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1234 });

const dir = tempDir('atcr-contract-');
const goodConfig = join(dir, 'config.yaml');
writeFileSync(goodConfig, 'timeout: 2s\n');

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

function noStackTrace(r: Run): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(all).not.toContain('node:internal');
}

/** One refusal line on stdout, as containerd will quote it. */
function refusal(r: Run, code: number, text: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stdout).toContain(text);
  noStackTrace(r);
}

const containerd = (args: string[], opts: { input?: string | Buffer; config?: string } = {}) =>
  run(seaBinary(), args, { input: opts.input ?? descriptor(), env: { ATCR_VERIFY_CONFIG: opts.config ?? goodConfig } });

describe('containerd contract through the standalone executable', () => {
  let hanging: Server;
  let hangingPort = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // A "registry" that accepts connections and never answers.
    hanging = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    hangingPort = (hanging.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hanging.close(r));
  });

  it('refuses without arguments, saying what containerd passes', async () => {
    refusal(await containerd(['containerd-verifier']), 2, 'refusing the pull: missing -name');
  });

  it('takes containerd’s own argv without the subcommand word', async () => {
    const r = await containerd(['-name', 'localhost:5000/a/b:1', '-digest', 'nonsense', '-stdin-media-type', MEDIA]);
    refusal(r, 2, '-digest "nonsense" is not a digest');
    const eq = await containerd(['-name=localhost:5000/a/b:1', '-digest=nonsense', `-stdin-media-type=${MEDIA}`]);
    refusal(eq, 2, '-digest "nonsense" is not a digest');
  });

  it('refuses an unknown flag and another stdin media type', async () => {
    refusal(await containerd(['-name', 'a/b', '-digest', DIGEST, '-stdin-media-type', MEDIA, '-verbose']), 2, 'unknown flag -verbose');
    refusal(await containerd(['-name', 'a/b', '-digest', DIGEST, '-stdin-media-type', 'text/plain']), 2, 'is not application/vnd.oci.descriptor.v1+json');
  });

  const args = (name = '127.0.0.1:1/a/b:1') => ['-name', name, '-digest', DIGEST, '-stdin-media-type', MEDIA];

  it('refuses a malformed, empty, mismatched or huge descriptor', async () => {
    refusal(await containerd(args(), { input: '{"mediaType": ' }), 2, 'the descriptor on standard input is not JSON');
    refusal(await containerd(args(), { input: '' }), 2, 'the descriptor on standard input is empty');
    refusal(await containerd(args(), { input: '[1,2]' }), 2, 'is not a JSON object');
    refusal(await containerd(args(), { input: descriptor(`sha256:${'b'.repeat(64)}`) }), 2, `is for sha256:${'b'.repeat(64)}, not -digest ${DIGEST}`);
    const huge = Buffer.alloc(16 * 1024 * 1024, 0x20);
    refusal(await containerd(args(), { input: huge }), 2, 'the descriptor on standard input is larger than 65536 bytes');
  });

  it('refuses when the configuration is missing, unreadable or wrong, naming the file', async () => {
    const missing = join(dir, 'nope.yaml');
    refusal(await containerd(args(), { config: missing }), 2, `configuration file ${missing} does not exist`);
    const asDir = join(dir, 'a-directory');
    mkdirSync(asDir, { recursive: true });
    refusal(await containerd(args(), { config: asDir }), 2, `configuration file ${asDir} is a directory`);
    const badYaml = join(dir, 'bad.yaml');
    writeFileSync(badYaml, 'policy: [unclosed\n');
    refusal(await containerd(args(), { config: badYaml }), 2, `configuration file ${badYaml} is not valid YAML`);
    const badTimeout = join(dir, 'timeout.yaml');
    writeFileSync(badTimeout, 'timeout: soon\n');
    refusal(await containerd(args(), { config: badTimeout }), 2, 'timeout "soon" is not a duration');
    const badPolicy = join(dir, 'policy-missing.yaml');
    writeFileSync(badPolicy, `policy: ${join(dir, 'no-policy.yaml')}\n`);
    refusal(await containerd(args(), { config: badPolicy }), 2, `policy ${join(dir, 'no-policy.yaml')} does not exist`);
  });

  it('refuses, naming the file, when a file it reads is /dev/zero or a FIFO with no writer', async () => {
    const pipe = fifo(join(dir, 'no-writer'));
    const cases: [file: string, message: string][] = [
      ['/dev/zero', 'configuration file /dev/zero is larger than 1 MiB'],
      [pipe, `configuration file ${pipe} is empty (a pipe that nothing writes to)`],
    ];
    for (const [key, cap] of [['policy', ''], ['caFile', '4 MiB'], ['dockerConfig', '1 MiB']] as const) {
      for (const file of ['/dev/zero', pipe]) {
        const config = join(dir, `${key}-${file === pipe ? 'fifo' : 'zero'}.yaml`);
        writeFileSync(config, `${key}: ${file}\n`);
        const source = `configuration file ${config}: `;
        // The policy goes through the policy front end's own reader (5 MiB, then the parser).
        const message =
          key === 'policy'
            ? `${source}policy ${file} is not a valid trust policy (1 error: 1:1 ${file === pipe ? 'a trust policy document must be a mapping' : 'the file is larger than 5242880 bytes'}`
            : `${source}${key} ${file} ${file === pipe ? 'is empty (a pipe that nothing writes to)' : `is larger than ${cap}`}`;
        cases.push([config, message]);
      }
    }
    const server = join(dir, 'server-ca-zero.yaml');
    writeFileSync(server, 'server: http://127.0.0.1:1\nserverCaFile: /dev/zero\n');
    cases.push([server, `configuration file ${server}: serverCaFile /dev/zero is larger than 4 MiB`]);
    for (const [config, message] of cases) refusal(await containerd(args(), { config }), 2, message);
  });

  it('fails closed within the configured timeout when the registry never answers', async () => {
    const slow = join(dir, 'slow.yaml');
    writeFileSync(slow, 'timeout: 1s\n');
    const r = await containerd(args(`127.0.0.1:${hangingPort}/a/b:1`), { config: slow });
    refusal(r, 3, 'within the configured timeout 1s');
  });

  it('escapes control characters and keeps the reason within 32 KiB', async () => {
    const r = await containerd(args(`127.0.0.1:1/a/\u001b[31mred\nnext${'x'.repeat(40_000)}`));
    expect(r.code).not.toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(32 * 1024);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('\\u001b[31mred\\u000anext');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout.trimEnd().endsWith('…')).toBe(true);
  });
});

describe('Ratify contract through the standalone executable', () => {
  const env = { RATIFY_VERIFIER_COMMAND: 'VERIFY', RATIFY_VERIFIER_SUBJECT: `127.0.0.1:1/a/b@${DIGEST}`, RATIFY_VERIFIER_VERSION: '1.0.0' };
  const input = JSON.stringify({
    config: { name: 'atcr', type: 'atcr-verify', artifactTypes: 'application/vnd.atproto.signature.v1+json', trustedDIDs: ['did:plc:abc'], timeout: '1s' },
    storeConfig: { version: '1.0.0', store: { name: 'oras', useHttp: true } },
    referenceDesc: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 500, artifactType: 'application/vnd.atproto.signature.v1+json' },
  });
  const ratify = (e: Record<string, string>, stdin: string | Buffer = input, args: string[] = []) => run(seaBinary(), args, { env: e, input: stdin });

  /** Ratify's parser: every line containing "{" is decoded into the result. */
  function oneJsonLine(r: Run): Record<string, unknown> {
    noStackTrace(r);
    expect(r.stderr).not.toContain('{');
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!) as Record<string, unknown>;
  }

  it('is reached through the environment alone, and through the subcommand', async () => {
    const viaEnv = oneJsonLine(await ratify(env));
    expect(viaEnv.isSuccess).toBe(false);
    expect(viaEnv.message).toContain('could not verify');
    const viaWord = oneJsonLine(await ratify(env, input, ['ratify-verifier']));
    expect(viaWord.isSuccess).toBe(false);
  });

  it('answers protocol errors with one line of Ratify’s error shape and exit 1', async () => {
    const cases: [Record<string, string>, string | Buffer, number, string][] = [
      [{ ...env, RATIFY_VERIFIER_COMMAND: 'LIST' }, input, 3, 'is not VERIFY'],
      [{ RATIFY_VERIFIER_COMMAND: 'VERIFY', RATIFY_VERIFIER_VERSION: '1.0.0' }, input, 4, 'RATIFY_VERIFIER_SUBJECT is not set'],
      [{ ...env, RATIFY_VERIFIER_VERSION: '2.0.0' }, input, 6, '"2.0.0" is not supported'],
      [env, '{"config": ', 1, 'standard input is not JSON'],
      [env, JSON.stringify({ config: {} }), 2, 'no "referenceDesc"'],
      [env, Buffer.alloc(8 * 1024 * 1024, 0x20), 5, 'standard input is larger than'],
    ];
    for (const [e, stdin, code, text] of cases) {
      const r = await ratify(e, stdin, e.RATIFY_VERIFIER_COMMAND === 'LIST' ? ['ratify-verifier'] : []);
      expect(r.code, text).toBe(1);
      const out = oneJsonLine(r);
      expect(out.code, text).toBe(code);
      expect(out.msg).toContain(text);
    }
  });

  it('refuses as invalid config when a file the config names is /dev/zero or a FIFO with no writer', async () => {
    const pipe = fifo(join(dir, 'ratify-no-writer'));
    const base = JSON.parse(input) as { config: Record<string, unknown> };
    for (const [key, file, text] of [
      ['caFile', '/dev/zero', 'caFile /dev/zero is larger than 4 MiB'],
      ['caFile', pipe, `caFile ${pipe} is empty (a pipe that nothing writes to)`],
      ['dockerConfig', '/dev/zero', 'dockerConfig /dev/zero is larger than 1 MiB'],
      ['policy', '/dev/zero', 'policy /dev/zero is not a valid trust policy'],
    ] as const) {
      const out = oneJsonLine(await ratify(env, JSON.stringify({ ...base, config: { ...base.config, [key]: file } })));
      // A verifier result (the artifact is not trusted), carrying the configuration error.
      expect(out.isSuccess, text).toBe(false);
      expect(out.message).toContain(`configuration error: verifier config "atcr": ${text}`);
      expect((out.extensions as { error: { code: number } }).error.code).toBe(2);
    }
  });

  it('keeps network text on one escaped line', async () => {
    const subject = `127.0.0.1:1/a/\u2028b@${DIGEST}`;
    const r = await ratify({ ...env, RATIFY_VERIFIER_SUBJECT: subject });
    const out = oneJsonLine(r);
    expect(r.stdout).not.toContain('\u2028');
    expect(out.isSuccess).toBe(false);
  });
});
