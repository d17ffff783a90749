// A stable bottom-up merge sort over arrays of record addresses: n log n for any number
// of signatures, no recursion.

import { alloc } from './mem';
import { strCmp } from './text';

/** Records compared: violations (code, did, cause) or strings (pointer, length). */
export const BY_VIOLATION: i32 = 0;
export const BY_STRING: i32 = 1;
/** Scope index entries (select.ts): larger rank (offset 4) first, then lower index (offset 16). */
export const BY_RANK: i32 = 2;

// Violation record: code, did pointer, did length, cause pointer, cause length (-1 = none),
// and a flag for the message (invalid-signature: the fact claimed to be valid).
export const V_SIZE: usize = 24;

function compare(mode: i32, a: usize, b: usize): i32 {
  if (mode == BY_STRING) return strCmp(load<u32>(a), load<i32>(a, 4), load<u32>(b), load<i32>(b, 4));
  if (mode == BY_RANK) {
    const ra = load<i32>(a, 4);
    const rb = load<i32>(b, 4);
    if (ra != rb) return ra > rb ? -1 : 1;
    const ia = load<u32>(a, 16);
    const ib = load<u32>(b, 16);
    return ia == ib ? 0 : ia < ib ? -1 : 1;
  }
  const ca = load<u32>(a);
  const cb = load<u32>(b);
  if (ca != cb) return ca < cb ? -1 : 1;
  const d = strCmp(load<u32>(a, 4), load<i32>(a, 8), load<u32>(b, 4), load<i32>(b, 8));
  if (d != 0) return d;
  const la = load<i32>(a, 16);
  const lb = load<i32>(b, 16);
  const c = strCmp(load<u32>(a, 12), la < 0 ? 0 : la, load<u32>(b, 12), lb < 0 ? 0 : lb);
  if (c != 0) return c;
  // Then by message: with equal code, did and cause, messages differ only in an
  // invalid-signature's "not verified" (flag 0) versus "unreadable" (flag 1).
  const fa = load<u32>(a, 20);
  const fb = load<u32>(b, 20);
  return fa == fb ? 0 : fa < fb ? -1 : 1;
}

/** Sorts `n` u32 record addresses at `arr` in place. */
export function sortRecords(arr: usize, n: i32, mode: i32): void {
  if (n < 2) return;
  let src = arr;
  let dst = alloc(<usize>n << 2);
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        const a = load<u32>(src + (<usize>i << 2));
        const b = load<u32>(src + (<usize>j << 2));
        if (compare(mode, b, a) < 0) {
          store<u32>(dst + (<usize>o << 2), b);
          j++;
        } else {
          store<u32>(dst + (<usize>o << 2), a);
          i++;
        }
        o++;
      }
      while (i < mid) {
        store<u32>(dst + (<usize>o << 2), load<u32>(src + (<usize>i << 2)));
        i++;
        o++;
      }
      while (j < hi) {
        store<u32>(dst + (<usize>o << 2), load<u32>(src + (<usize>j << 2)));
        j++;
        o++;
      }
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src != arr) memory.copy(arr, src, <usize>n << 2);
}
