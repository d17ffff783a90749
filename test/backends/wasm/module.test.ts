// The module as an artifact: OPA ABI surface, both evaluation paths, deterministic bytes,
// size, and a runtime that rebuilds to the committed bytes.
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../../src/backends/artifact.js';
import { buildWasmModule, compileWasm, loadWasmEngine, WASM_ENTRYPOINT } from '../../../src/backends/wasm/index.js';
import type { IRExpr } from '../../../src/ir/types.js';
import { runtimePath } from '../../../src/backends/wasm/runtime-file.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import { compileText } from '../../../src/lower/pipeline.js';
import { policyDocument, inputs } from '../../../bench/fixtures.js';
import { doc, NOW, policy, sig } from './ir-fixtures.js';

const ir = doc([
  policy('prod', ['atcr.io/*/prod-*'], { trustedDIDs: ['did:plc:devops'], maxAgeSeconds: 2592000 }),
  policy('rest', ['**'], { signature: false }),
]);
const input = { image: 'atcr.io/alice/prod-api:1.0', now: NOW, signatures: [sig('did:plc:devops'), sig('did:plc:m')] };

interface Exports {
  [name: string]: unknown;
  opa_wasm_abi_version: WebAssembly.Global;
  opa_wasm_abi_minor_version: WebAssembly.Global;
}

async function instantiate(bytes: Uint8Array) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const abort = (addr: number) => {
    throw new Error(`opa_abort ${addr}`);
  };
  const noBuiltin = () => {
    throw new Error('no builtins expected');
  };
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: { memory, opa_abort: abort, opa_println: noBuiltin, opa_builtin0: noBuiltin, opa_builtin1: noBuiltin, opa_builtin2: noBuiltin, opa_builtin3: noBuiltin, opa_builtin4: noBuiltin },
  });
  const ex = instance.exports as Exports;
  const fn = (name: string) => ex[name] as (...args: number[]) => number;
  const text = (addr: number) => {
    const u8 = new Uint8Array(memory.buffer);
    let end = addr;
    while (u8[end] !== 0) end++;
    return new TextDecoder().decode(u8.subarray(addr, end));
  };
  const load = (value: string) => {
    const bytes = new TextEncoder().encode(value);
    const addr = fn('opa_malloc')(bytes.length);
    new Uint8Array(memory.buffer).set(bytes, addr);
    return fn('opa_json_parse')(addr, bytes.length);
  };
  return { ex, fn, text, load, memory };
}

describe('OPA ABI', () => {
  it('exports the ABI version, the entrypoint and no builtins', async () => {
    const { ex, fn, text } = await instantiate(buildWasmModule(ir));
    expect(ex.opa_wasm_abi_version.value).toBe(1);
    expect(ex.opa_wasm_abi_minor_version.value).toBe(2);
    expect(JSON.parse(text(fn('opa_json_dump')(fn('entrypoints')())))).toEqual({ [WASM_ENTRYPOINT]: 0 });
    expect(JSON.parse(text(fn('opa_json_dump')(fn('builtins')())))).toEqual({});
  });

  it('gives the same result on the context path as on the fast path', async () => {
    const { fn, text, load } = await instantiate(buildWasmModule(ir));
    const data = load('{}');
    const base = fn('opa_heap_ptr_get')();
    const ctx = fn('opa_eval_ctx_new')();
    fn('opa_eval_ctx_set_input')(ctx, load(JSON.stringify(input)));
    fn('opa_eval_ctx_set_data')(ctx, data);
    fn('opa_eval_ctx_set_entrypoint')(ctx, 0);
    expect(fn('eval')(ctx)).toBe(0);
    const viaCtx = JSON.parse(text(fn('opa_json_dump')(fn('opa_eval_ctx_get_result')(ctx))));
    expect(viaCtx).toEqual([{ result: evaluate(ir, input) }]);

    // An unknown entrypoint has no results.
    fn('opa_heap_ptr_set')(base);
    expect(JSON.parse(text(fn('opa_eval')(0, 1, data, 0, 0, base, 0)))).toEqual([]);
  });

  it('parses and dumps JSON values of any depth', async () => {
    const { fn, text, load } = await instantiate(buildWasmModule(ir));
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const value = `{"a":[1,-2.5e+3,true,false,null,"x\\"y\\u00e9\\ud83d\\ude00"],"b":{},"c":${deep}}`;
    // Compact JSON in, the same text out (compared as text: JSON.parse would recurse too deep).
    expect(text(fn('opa_json_dump')(load(value)))).toBe(value);
    expect(load('{"a":')).toBe(0);
  });

  it('patches data like OPA: add and remove paths, with OPA status codes', async () => {
    const { fn, text, load } = await instantiate(buildWasmModule(ir));
    const data = load('{"a":{"b":1},"s":"x"}');
    const dump = () => JSON.parse(text(fn('opa_json_dump')(data)));
    expect(fn('opa_value_add_path')(data, load('["a","c"]'), load('[2]'))).toBe(0);
    expect(fn('opa_value_add_path')(data, load('["n","m"]'), load('{"k":true}'))).toBe(0);
    expect(fn('opa_value_add_path')(data, load('["a","b"]'), load('"\\u00e9"'))).toBe(0);
    expect(dump()).toEqual({ a: { b: '\u00e9', c: [2] }, s: 'x', n: { m: { k: true } } });
    expect(fn('opa_value_add_path')(data, load('["s","t"]'), load('1'))).toBe(3);
    expect(fn('opa_value_add_path')(data, load('[]'), load('1'))).toBe(3);
    expect(fn('opa_value_add_path')(load('[1]'), load('["a"]'), load('1'))).toBe(2);
    expect(fn('opa_value_remove_path')(data, load('["a","b"]'))).toBe(0);
    expect(fn('opa_value_remove_path')(data, load('["n"]'))).toBe(0);
    expect(fn('opa_value_remove_path')(data, load('["zz","y"]'))).toBe(0);
    expect(dump()).toEqual({ a: { c: [2] }, s: 'x' });
    for (const name of ['opa_value_free', 'opa_heap_blocks_stash', 'opa_heap_blocks_restore', 'opa_heap_stash_clear']) {
      expect(typeof fn(name)).toBe('function');
    }
  });

  it('loads in the SDK with its default memory and answers [{result}], whatever the document size', async () => {
    for (const size of [100, 2000]) {
      const c = compileText(`bench-${size}.yaml`, policyDocument(size));
      const [artifact] = await compileWasm(c.ir!);
      const p = await loadPolicy(artifact!.content as Uint8Array);
      p.setData({});
      for (const i of inputs(50, size)) expect(p.evaluate(i, WASM_ENTRYPOINT)).toEqual([{ result: evaluate(c.ir!, i) }]);
    }
  });
});

describe('compile', () => {
  it('returns policy.wasm with the same bytes every time', async () => {
    const a = await compileWasm(ir);
    const b = await compileWasm(structuredClone(ir));
    expect(a.map((x) => x.path)).toEqual(['policy.wasm']);
    expect(Buffer.from(a[0]!.content).equals(Buffer.from(b[0]!.content))).toBe(true);
  });

  it('stays under 256 KiB for a 100-policy document', async () => {
    const c = compileText('bench-100.yaml', policyDocument(100));
    const [artifact] = await compileWasm(c.ir!);
    expect(artifact!.content.length).toBeLessThanOrEqual(256 * 1024);
  });

  it('evaluates expressions nested 1,000 deep and refuses deeper ones', async () => {
    const nest = (depth: number): IRExpr => {
      let e: IRExpr = { kind: 'bool', type: 'bool', value: true };
      for (let i = 0; i < depth; i++) e = { kind: 'not', type: 'bool', arg: e };
      return e;
    };
    const deep = doc([policy('deep', ['**'], { signature: false }, { when: nest(1000) })]);
    const e = await loadWasmEngine(deep);
    expect(e.evaluate({ image: 'alpine', now: NOW, signatures: [] }).policy).toBe('deep');
    await expect(compileWasm(doc([policy('deeper', ['**'], {}, { when: nest(1002) })]))).rejects.toMatchObject({
      name: 'CompileError',
      policy: 'deeper',
    });
  });

  it('refuses an IR it cannot read, naming the policy', async () => {
    await expect(compileWasm({ ...ir, irVersion: 2 as 1 })).rejects.toBeInstanceOf(CompileError);
    const bad = doc([{ ...policy('odd', ['**']), action: 'block' as 'enforce' }]);
    await expect(compileWasm(bad)).rejects.toMatchObject({ name: 'CompileError', policy: 'odd' });
  });
});

describe('runtime build', () => {
  it('rebuilds to the committed bytes', async () => {
    // @ts-expect-error the build script is plain JavaScript
    const { buildRuntime } = (await import('../../../scripts/build-wasm-runtime.mjs')) as { buildRuntime: () => Promise<Uint8Array> };
    const fresh = await buildRuntime();
    expect(Buffer.from(fresh).equals(readFileSync(runtimePath()))).toBe(true);
  }, 120_000);
});
