// The OPA WebAssembly ABI 1.2 surface (what @open-policy-agent/opa-wasm calls, plus the
// exports OPA's Go and .NET SDKs look up), with one entrypoint, `atcr/trust/decision`
// (id 0), whose result is the decision of the IR the compiler spliced in.
// See docs/compile-wasm.md.

import { addPath, removePath } from './data-path';
import { decide } from './decision';
import { writeDecision } from './decision-write';
import { dumpValue } from './json-dump';
import { parseJson } from './json-parse';
import { beginWrite, endWrite, wLit } from './json-write';
import { alloc, allocZero, heapPtr, setHeap } from './mem';
import { newNode, nodeA, tagOf, T_RAW } from './value';

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 2;

export function opa_malloc(n: usize): usize {
  return alloc(n);
}

/** Nothing is freed one by one: the heap is reset between evaluations. */
export function opa_free(p: usize): void {}
export function opa_value_free(v: usize): void {}

// Free-block stashing (OPA's Go SDK): a bump allocator has no free blocks to keep.
export function opa_heap_blocks_stash(): void {}
export function opa_heap_blocks_restore(): void {}
export function opa_heap_stash_clear(): void {}

export function opa_value_add_path(base: usize, path: usize, value: usize): i32 {
  return addPath(base, path, value);
}

export function opa_value_remove_path(base: usize, path: usize): i32 {
  return removePath(base, path);
}

export function opa_heap_ptr_get(): usize {
  return heapPtr;
}

export function opa_heap_ptr_set(p: usize): void {
  setHeap(p);
}

export function opa_json_parse(p: usize, n: usize): usize {
  return parseJson(p, n);
}

export function opa_value_parse(p: usize, n: usize): usize {
  return parseJson(p, n);
}

/** The address of the NUL-terminated JSON text of a value. */
export function opa_json_dump(v: usize): usize {
  if (v != 0 && tagOf(v) == T_RAW) return nodeA(v);
  beginWrite();
  if (v == 0) wLit('null');
  else dumpValue(v);
  return endWrite();
}

export function opa_value_dump(v: usize): usize {
  return opa_json_dump(v);
}

function rawValue(text: string): usize {
  beginWrite();
  wLit(text);
  const start = endWrite();
  return newNode(T_RAW, <u32>start, <u32>text.length);
}

export function builtins(): usize {
  return rawValue('{}');
}

export function entrypoints(): usize {
  return rawValue('{"atcr/trust/decision":0}');
}

/** The result set `[{"result": decision}]` as NUL-terminated text; `[]` for an unknown entrypoint. */
function resultSet(entrypoint: i32, input: usize): usize {
  if (entrypoint != 0) {
    beginWrite();
    wLit('[]');
    return endWrite();
  }
  decide(input);
  beginWrite();
  wLit('[{"result":');
  writeDecision();
  wLit('}]');
  return endWrite();
}

/** ABI 1.2 fast path: parse the input text, evaluate, return the result set text. */
export function opa_eval(
  reserved: usize, entrypoint: i32, data: usize, input: usize, inputLen: usize, heap: usize, format: i32,
): usize {
  setHeap(heap);
  const value: usize = inputLen == 0 ? 0 : parseJson(input, inputLen);
  return resultSet(entrypoint, value);
}

// The context-based path of ABI 1.0/1.1: ctx = { input, data, entrypoint, result }.
export function opa_eval_ctx_new(): usize {
  return allocZero(16);
}
export function opa_eval_ctx_set_input(ctx: usize, v: usize): void {
  store<u32>(ctx, <u32>v);
}
export function opa_eval_ctx_set_data(ctx: usize, v: usize): void {
  store<u32>(ctx, <u32>v, 4);
}
export function opa_eval_ctx_set_entrypoint(ctx: usize, id: i32): void {
  store<i32>(ctx, id, 8);
}
export function opa_eval_ctx_get_result(ctx: usize): usize {
  return load<u32>(ctx, 12);
}
export function eval(ctx: usize): i32 {
  const text = resultSet(load<i32>(ctx, 8), load<u32>(ctx));
  let len: u32 = 0;
  while (load<u8>(text + <usize>len) != 0) len++;
  store<u32>(ctx, <u32>newNode(T_RAW, <u32>text, len), 12);
  return 0;
}
