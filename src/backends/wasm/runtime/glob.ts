// Scope glob matching by code point, straight from the glob's tokens (no regex engine):
// the literal prefix and suffix are compared first, and what lies between runs through a
// small NFA over the remaining tokens, so no glob can backtrack exponentially.
//
// Program layout (written by src/backends/wasm/encode.ts): token count, prefix count,
// suffix count, then one i32 per token: a code point, or STAR / DOUBLE_STAR / QUESTION.

import { alloc } from './mem';
import { cpAt, cpBefore, cpWidth } from './text';

const STAR: i32 = -1;
const DOUBLE_STAR: i32 = -2;
const QUESTION: i32 = -3;
const SLASH: i32 = 0x2f;

@inline function token(g: usize, k: i32): i32 {
  return load<i32>(g + 12 + (<usize>k << 2));
}

export function globMatch(g: usize, s: usize, sl: i32): bool {
  const count = load<i32>(g);
  const prefix = load<i32>(g, 4);
  const suffix = load<i32>(g, 8);
  let i = 0;
  for (let k = 0; k < prefix; k++) {
    if (i >= sl) return false;
    if (cpAt(s, sl, i) != token(g, k)) return false;
    i += cpWidth;
  }
  if (prefix == count) return i == sl;
  let q = sl;
  for (let k = count - 1; k >= count - suffix; k--) {
    if (q <= i) return false;
    if (cpBefore(s, q) != token(g, k)) return false;
    q -= cpWidth;
  }
  const first = prefix;
  const mid = count - suffix - prefix;
  if (mid == 1) {
    const t = token(g, first);
    if (t == DOUBLE_STAR) return true;
    if (t == STAR) {
      for (let j = i; j < q; j++) if (<i32>load<u16>(s + (<usize>j << 1)) == SLASH) return false;
      return true;
    }
    // QUESTION: exactly one code point, not `/`.
    if (q <= i) return false;
    const c = cpAt(s, sl, i);
    return i + cpWidth == q && c != SLASH;
  }
  return nfa(g, first, mid, s, sl, i, q);
}

function closure(g: usize, first: i32, mid: i32, set: usize): void {
  for (let k = 0; k < mid; k++) {
    if (load<u8>(set + <usize>k) != 0) {
      const t = token(g, first + k);
      if (t == STAR || t == DOUBLE_STAR) store<u8>(set + <usize>(k + 1), 1);
    }
  }
}

function nfa(g: usize, first: i32, mid: i32, s: usize, sl: i32, from: i32, to: i32): bool {
  const n = <usize>(mid + 1);
  let cur = alloc(n);
  let nxt = alloc(n);
  memory.fill(cur, 0, n);
  store<u8>(cur, 1);
  closure(g, first, mid, cur);
  let i = from;
  while (i < to) {
    const c = cpAt(s, sl, i);
    i += cpWidth;
    memory.fill(nxt, 0, n);
    let any = false;
    for (let k = 0; k < mid; k++) {
      if (load<u8>(cur + <usize>k) == 0) continue;
      const t = token(g, first + k);
      if (t >= 0) {
        if (t == c) {
          store<u8>(nxt + <usize>(k + 1), 1);
          any = true;
        }
      } else if (t == QUESTION) {
        if (c != SLASH) {
          store<u8>(nxt + <usize>(k + 1), 1);
          any = true;
        }
      } else if (t == DOUBLE_STAR || c != SLASH) {
        store<u8>(nxt + <usize>k, 1);
        any = true;
      }
    }
    if (!any) return false;
    closure(g, first, mid, nxt);
    const t = cur;
    cur = nxt;
    nxt = t;
  }
  return load<u8>(cur + <usize>mid) != 0;
}
