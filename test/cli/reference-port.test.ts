// A registry port outside 1–65535 is not a reference (issue 12, item 6): every command
// that takes an image says so (exit 2), and decisions on both engines are invalid-image.
import { describe, expect, it, beforeAll } from 'vitest';
import { assertBuilt, cli, STACK_FRAME } from './run.js';

const BAD = 'atcr.io:99999/a/b:1';

beforeAll(() => {
  assertBuilt();
  process.env.ATCR_PDS_PASSWORD = 'not-used'; // sign checks it before the reference; the child inherits it
});

describe(`the reference ${BAD}`, () => {
  it.each([
    ['verify', ['verify', BAD, '--timeout', '2s']],
    ['verify --offline', ['verify', BAD, '--offline', '--bundle', 'examples/bundle.json']],
    ['export', ['export', BAD, '-o', '/tmp/atcr-never-written.json', '--timeout', '2s']],
    ['sign', ['sign', BAD, '--pds', 'http://127.0.0.1:9', '--identifier', 'alice.test']],
  ])('%s: exit 2 naming the reference', async (_name, args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(BAD);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it.each(['native', 'wasm'])('policy eval --engine %s decides invalid-image', async (engine) => {
    const input = JSON.stringify({ image: BAD, now: '2026-11-25T12:00:00Z', signatures: [] });
    const r = await cli(['policy', 'eval', 'examples/policy.yaml', '--input', '-', '--engine', engine], input);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations.map((v: { code: string }) => v.code)).toEqual(['invalid-image']);
  });
});
