// `policy eval` decides a 20 KB input with 10,000-deep arrays in a field no engine reads
// the same on both engines (issue 12, item 5): before, the WebAssembly path crashed (exit 3).
import { beforeAll, expect, it } from 'vitest';
import { assertBuilt, cli, STACK_FRAME } from './run.js';

beforeAll(() => assertBuilt());

it('native and wasm give the same decision and exit code', async () => {
  const input = `{"image":"atcr.io/acme/prod-api:1.4","now":"2026-11-25T12:00:00Z","signatures":[],"junk":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  const native = await cli(['policy', 'eval', 'policies/production.yaml', '--input', '-', '--engine', 'native'], input);
  const wasm = await cli(['policy', 'eval', 'policies/production.yaml', '--input', '-', '--engine', 'wasm'], input);
  expect(native.code).toBe(1);
  expect(wasm.stderr).not.toMatch(STACK_FRAME);
  expect({ code: wasm.code, stdout: wasm.stdout }).toEqual({ code: native.code, stdout: native.stdout });
});
