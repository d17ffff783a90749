// The output buffer: JSON text (UTF-8, in fact ASCII) written at the end of the heap.
// Everything else of an evaluation is allocated before writing starts, so the buffer can
// simply extend; memory grows on demand.

import { ensureMemory, heapPtr, setHeap } from './mem';

export let wStart: usize = 0;
export let wPtr: usize = 0;
let wLimit: usize = 0;

export function beginWrite(): void {
  wStart = heapPtr;
  wPtr = heapPtr;
  wLimit = (<usize>memory.size()) << 16;
}

/** Ends the text with a NUL and moves the heap past it; returns the text's address. */
export function endWrite(): usize {
  wByte(0);
  setHeap(wPtr);
  return wStart;
}

@inline function room(n: usize): void {
  if (wPtr + n > wLimit) {
    ensureMemory(wPtr + n + 4096);
    wLimit = (<usize>memory.size()) << 16;
  }
}

export function wByte(b: i32): void {
  room(1);
  store<u8>(wPtr, <u8>b);
  wPtr++;
}

/** Writes an ASCII AssemblyScript literal as is (no escaping: callers pass safe text). */
export function wLit(s: string): void {
  const n = <usize>s.length;
  room(n);
  const p = changetype<usize>(s);
  for (let i: usize = 0; i < n; i++) store<u8>(wPtr + i, <u8>load<u16>(p + (i << 1)));
  wPtr += n;
}

const HEX = '0123456789abcdef';

/** Writes UTF-16 units as the inside of a JSON string: ASCII only, so JSON.parse returns the same units. */
export function wEsc(p: usize, len: i32): void {
  room(<usize>len * 6);
  let o = wPtr;
  for (let i = 0; i < len; i++) {
    const u = <i32>load<u16>(p + (<usize>i << 1));
    if (u >= 0x20 && u < 0x7f) {
      if (u == 0x22 || u == 0x5c) {
        store<u8>(o, 0x5c);
        o++;
      }
      store<u8>(o, <u8>u);
      o++;
    } else if (u == 0x0a) {
      store<u16>(o, 0x6e5c);
      o += 2;
    } else {
      store<u8>(o, 0x5c);
      store<u8>(o, 0x75, 1);
      const h = changetype<usize>(HEX);
      store<u8>(o, <u8>load<u16>(h + ((<usize>(u >> 12) & 15) << 1)), 2);
      store<u8>(o, <u8>load<u16>(h + ((<usize>(u >> 8) & 15) << 1)), 3);
      store<u8>(o, <u8>load<u16>(h + ((<usize>(u >> 4) & 15) << 1)), 4);
      store<u8>(o, <u8>load<u16>(h + ((<usize>u & 15) << 1)), 5);
      o += 6;
    }
  }
  wPtr = o;
}

/**
 * Writes, inside a JSON string, the text JSON.stringify gives for the units: the message
 * of an unparseable image quotes the reference that way in every engine.
 */
export function wStringified(p: usize, len: i32): void {
  wLit('\\"');
  for (let i = 0; i < len; i++) {
    const u = <i32>load<u16>(p + (<usize>i << 1));
    let lone = false;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = i + 1 < len ? <i32>load<u16>(p + (<usize>(i + 1) << 1)) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        wEsc(p + (<usize>i << 1), 2);
        i++;
        continue;
      }
      lone = true;
    } else if (u >= 0xdc00 && u <= 0xdfff) lone = true;
    if (u == 0x22) wLit('\\\\\\"');
    else if (u == 0x5c) wLit('\\\\\\\\');
    else if (u == 0x08) wLit('\\\\b');
    else if (u == 0x0c) wLit('\\\\f');
    else if (u == 0x0a) wLit('\\\\n');
    else if (u == 0x0d) wLit('\\\\r');
    else if (u == 0x09) wLit('\\\\t');
    else if (u < 0x20 || lone) {
      // JSON.stringify writes \uXXXX (lower-case hex): a backslash, then ASCII.
      wLit('\\\\u');
      const h = changetype<usize>(HEX);
      for (let k = 12; k >= 0; k -= 4) wByte(<i32>load<u16>(h + ((<usize>(u >> k) & 15) << 1)));
    } else wEsc(p + (<usize>i << 1), 1);
  }
  wLit('\\"');
}

/** A quoted JSON string. */
export function wStr(p: usize, len: i32): void {
  wByte(0x22);
  wEsc(p, len);
  wByte(0x22);
}

export function wU64(v: u64): void {
  room(20);
  if (v == 0) {
    store<u8>(wPtr, 0x30);
    wPtr++;
    return;
  }
  let digits = 0;
  let t = v;
  while (t > 0) {
    digits++;
    t /= 10;
  }
  let o = wPtr + <usize>digits;
  wPtr = o;
  while (v > 0) {
    o--;
    store<u8>(o, <u8>(0x30 + <i32>(v % 10)));
    v /= 10;
  }
}

/** Copies bytes verbatim (already valid JSON text). */
export function wBytes(p: usize, n: usize): void {
  room(n);
  memory.copy(wPtr, p, n);
  wPtr += n;
}
