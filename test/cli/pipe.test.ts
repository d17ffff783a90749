// A reader that closes the pipe early (`atcr-verify … | head`): the command stops writing
// quietly, with no stack trace, and its exit code still tells the outcome.

import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, BIN, ROOT, STACK_FRAME } from './run.js';

/** Runs the binary with its standard output closed by the reader before anything is written. */
function withClosedStdout(args: string[], stdin = ''): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}

describe('a closed output pipe', () => {
  beforeAll(assertBuilt);

  it('help and the schema stop quietly with exit 0', async () => {
    for (const args of [['policy', '--help'], ['policy', 'schema']]) {
      const r = await withClosedStdout(args);
      expect(r.stderr, args.join(' ')).not.toMatch(STACK_FRAME);
      expect(r.stderr).not.toMatch(/EPIPE/);
      expect(r.code).toBe(0);
    }
  });

  it('policy eval still exits 1 on a deny it could not print', async () => {
    const input = JSON.stringify(Array.from({ length: 2000 }, () => ({ image: 'quay.io/x/y', now: '2026-11-25T12:00:00Z', signatures: [] })));
    const r = await withClosedStdout(['policy', 'eval', 'policies/production.yaml', '--input', '-'], input);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.code).toBe(1);
  });
});
