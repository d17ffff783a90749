// Matching one string against one scope glob, in time linear in the string for every
// glob. The anchored regex of docs/ir.md is fastest for ordinary globs, but a backtracking
// engine (V8's) can take polynomial time of high degree on globs with several stars that
// compete for the same characters (`**a**a**a**b`) — and image references come from
// whoever submits the workload. Such globs are run on a position-set simulation instead.

import { tokenizeGlob, tokensToRegex, type GlobToken } from './glob.js';

export type StringMatcher = (s: string) => boolean;

const SLASH = 0x2f;

/** A matcher for a glob (throws only for an invalid glob, which the loader rejects first). */
export function compileGlobMatcher(glob: string): StringMatcher {
  const r = tokenizeGlob(glob);
  if ('error' in r) throw new Error(`invalid scope glob ${JSON.stringify(glob)}: ${r.error.message}`);
  return matcherForTokens(r.tokens);
}

export function matcherForTokens(tokens: readonly GlobToken[]): StringMatcher {
  if (backtrackingIsSafe(tokens)) {
    const re = new RegExp(tokensToRegex(tokens), 'u');
    return (s) => re.test(s);
  }
  return simulationMatcher(tokens);
}

/**
 * At most two stars can compete for characters: no `**` and at most two `*` in any
 * `/`-separated segment (a `*` cannot run past a `/`), or at most two stars in all.
 * Backtracking then costs at most quadratic time on a reference of <= 4,096 characters.
 */
export function backtrackingIsSafe(tokens: readonly GlobToken[]): boolean {
  let total = 0;
  let doubles = 0;
  let inSegment = 0;
  let maxInSegment = 0;
  for (const t of tokens) {
    if (t.kind === 'star' || t.kind === 'doubleStar') {
      total++;
      inSegment++;
      if (t.kind === 'doubleStar') doubles++;
      if (inSegment > maxInSegment) maxInSegment = inSegment;
    } else if (t.kind === 'literal' && t.char === '/') {
      inSegment = 0;
    }
  }
  return total <= 2 || (doubles === 0 && maxInSegment <= 2);
}

// Token kinds as small integers for the simulation loop.
const LIT = 0;
const QUESTION = 1;
const STAR = 2;
const DOUBLE = 3;

/** Thompson-style simulation over glob positions: O(|s| × |glob|) for any glob. */
export function simulationMatcher(tokens: readonly GlobToken[]): StringMatcher {
  const n = tokens.length;
  const kinds = new Uint8Array(n);
  const chars = new Int32Array(n);
  tokens.forEach((t, i) => {
    kinds[i] = t.kind === 'literal' ? LIT : t.kind === 'question' ? QUESTION : t.kind === 'star' ? STAR : DOUBLE;
    chars[i] = t.kind === 'literal' ? t.char.codePointAt(0)! : -1;
  });
  let cur = new Int32Array(n + 1);
  let next = new Int32Array(n + 1);
  const mark = new Uint32Array(n + 1);
  let gen = 0;
  // A fresh generation empties the position set in O(1); wrap-around clears the marks.
  const bump = (): void => {
    gen = (gen + 1) >>> 0;
    if (gen === 0) {
      mark.fill(0);
      gen = 1;
    }
  };

  // Adds position i and, past any stars (which may match nothing), the ones after it.
  const add = (set: Int32Array, size: number, i: number): number => {
    for (;;) {
      if (mark[i] === gen) return size;
      mark[i] = gen;
      set[size++] = i;
      if (i === n || kinds[i]! < STAR) return size;
      i++;
    }
  };

  return (s) => {
    bump();
    let curSize = add(cur, 0, 0);
    for (let k = 0; k < s.length && curSize > 0; ) {
      const c = s.codePointAt(k)!;
      k += c > 0xffff ? 2 : 1;
      bump();
      let nextSize = 0;
      for (let j = 0; j < curSize; j++) {
        const i = cur[j]!;
        if (i === n) continue;
        switch (kinds[i]) {
          case LIT:
            if (chars[i] === c) nextSize = add(next, nextSize, i + 1);
            break;
          case QUESTION:
            if (c !== SLASH) nextSize = add(next, nextSize, i + 1);
            break;
          case STAR:
            if (c !== SLASH) nextSize = add(next, nextSize, i);
            break;
          default:
            nextSize = add(next, nextSize, i);
        }
      }
      const t = cur;
      cur = next;
      next = t;
      curSize = nextSize;
    }
    for (let j = 0; j < curSize; j++) if (cur[j] === n) return true;
    return false;
  };
}
