import { IR_MAGIC } from './contract';

// Linear memory: one bump allocator whose pointer the host sets and reads through the
// OPA ABI (opa_heap_ptr_get/set, opa_eval's heapPtr). Nothing is ever freed: the SDK
// resets the pointer before every evaluation, which bounds memory per evaluation.

@external("env", "opa_abort")
declare function opa_abort(addr: usize): void;

// The encoded IR sits at the first 16-byte boundary after the static data: the start
// function the compiler splices in copies it there before this module's own start runs.
export const IR_BASE: usize = (__heap_base + 15) & ~(<usize>15);
export { IR_MAGIC } from './contract';

/** Where the heap starts: after the IR blob when one was spliced in. */
function heapStart(): usize {
  let end = IR_BASE;
  if (load<u32>(IR_BASE) == IR_MAGIC) end += load<u32>(IR_BASE, 4);
  return (end + 7) & ~(<usize>7);
}

export let heapPtr: usize = heapStart();

/** Makes sure [0, end) is addressable, growing memory by whole pages. */
export function ensureMemory(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return;
  const pages = <i32>((end - have + 0xffff) >>> 16);
  if (memory.grow(pages) < 0) fail("atcr: out of memory");
}

// Memory only grows (here or by the host), so a remembered size is a safe lower bound.
let knownSize: usize = 0;

@inline export function alloc(n: usize): usize {
  const p = heapPtr;
  const end = (p + n + 7) & ~(<usize>7);
  if (end > knownSize) {
    if (end < p) fail("atcr: out of memory");
    ensureMemory(end);
    knownSize = (<usize>memory.size()) << 16;
  }
  heapPtr = end;
  return p;
}

/** Zero-filled allocation. */
export function allocZero(n: usize): usize {
  const p = alloc(n);
  memory.fill(p, 0, n);
  return p;
}

export function setHeap(p: usize): void {
  heapPtr = (p + 7) & ~(<usize>7);
}

/** Reports a fatal condition to the host (the SDK throws the text). */
export function fail(msg: string): void {
  const n = <usize>msg.length;
  const p = heapPtr;
  ensureMemory(p + n + 1);
  for (let i: usize = 0; i < n; i++) store<u8>(p + i, <u8>load<u16>(changetype<usize>(msg) + (i << 1)));
  store<u8>(p + n, 0);
  opa_abort(p);
  unreachable();
}

/** Replaces AssemblyScript's `abort` (asc --use abort=…) so no `env.abort` import exists. */
export function atcrAbort(msg: string | null, file: string | null, line: u32, col: u32): void {
  fail("atcr: internal error");
}
