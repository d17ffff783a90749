// Files named on the command line are read within their limits, under --timeout, and a
// FIFO without a writer cannot hang a command (issue 12, item 2). Each case ends quickly
// with a sentence naming the file; none grows memory or waits forever.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, STACK_FRAME } from './run.js';
import { credentialsFromDockerConfig } from '../../src/kernel/oci/credentials.js';

const dir = mkdtempSync(path.join(tmpdir(), 'atcr-bounded-'));
const IMAGE = 'atcr.io/alice/app:1.0';

beforeAll(() => assertBuilt());

function fifo(name: string): string {
  const p = path.join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

describe('verify --offline --bundle', () => {
  it('/dev/zero stops at the 64 MiB bundle limit: exit 2', async () => {
    const r = await cli(['verify', IMAGE, '--offline', '--bundle', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('atcr-verify: bundle /dev/zero is larger than 64 MiB\n');
  });

  it('a 100 MiB regular file is refused from its size: exit 2', async () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 100 * 2 ** 20);
    const r = await cli(['verify', IMAGE, '--offline', '--bundle', big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`atcr-verify: bundle ${big} is larger than 64 MiB\n`);
  });

  it('a FIFO with no writer reads as empty instead of hanging: exit 2', async () => {
    const r = await cli(['verify', IMAGE, '--offline', '--bundle', fifo('bundle-fifo')]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('a pipe that never closes ends at --timeout: exit 3', async () => {
    const p = fifo('bundle-slow');
    const writer = spawn('sh', ['-c', `exec 3>"${p}"; printf '{' >&3; sleep 60`], { stdio: 'ignore' });
    try {
      const r = await cli(['verify', IMAGE, '--offline', '--bundle', p, '--timeout', '1s']);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`atcr-verify: bundle ${p} was still being read when the time limit passed; could not decide\n`);
    } finally {
      writer.kill();
    }
  });
});

describe('other files', () => {
  it('--ca-file /dev/zero stops at the 4 MiB limit: exit 2', async () => {
    const r = await cli(['verify', IMAGE, '--offline', '--bundle', 'examples/bundle.json', '--ca-file', '/dev/zero']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('atcr-verify: --ca-file /dev/zero is larger than 4 MiB\n');
  });

  it('a policy that is /dev/zero stops at the 5 MiB limit: a finding at 1:1', async () => {
    const r = await cli(['policy', 'lint', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('5 MiB');
  });

  it('a Docker config.json linking to /dev/zero means anonymous access, at once', () => {
    const link = path.join(dir, 'config.json');
    symlinkSync('/dev/zero', link);
    expect(credentialsFromDockerConfig('registry.example.com', link)).toBeNull();
    expect(credentialsFromDockerConfig('registry.example.com', fifo('config-fifo'))).toBeNull();
  });
});
