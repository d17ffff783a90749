// Matching one string against one scope glob, in time linear in the string for the
// common shapes and O(|s| × |glob|) for any glob. Every glob runs on the same few
// functions, so with 10,000 globs the code stays hot; one RegExp per glob would sit cold
// in V8's regex interpreter (~0.7 µs a test) and could backtrack for polynomial time on
// globs with several stars competing for the same characters (`**a**a**a**b`).

import { tokenizeGlob, type GlobToken } from './glob.js';

export type StringMatcher = (s: string) => boolean;

const SLASH = 0x2f;

/** A matcher for a glob (throws only for an invalid glob, which the loader rejects first). */
export function compileGlobMatcher(glob: string): StringMatcher {
  const r = tokenizeGlob(glob);
  if ('error' in r) throw new Error(`invalid scope glob ${JSON.stringify(glob)}: ${r.error.message}`);
  return matcherForTokens(r.tokens);
}

/**
 * Checks the literal prefix and suffix first (they are forced), then the middle:
 * one `*` or `**` directly; without `**`, segment by segment with the greedy wildcard
 * algorithm (a `/` in the glob meets exactly one `/` in the string); otherwise by
 * simulating the position automaton.
 */
export function matcherForTokens(tokens: readonly GlobToken[]): StringMatcher {
  let p = 0;
  while (p < tokens.length && tokens[p]!.kind === 'literal') p++;
  if (p === tokens.length) {
    const literal = literalText(tokens);
    return (s) => s === literal;
  }
  let q = tokens.length;
  while (tokens[q - 1]!.kind === 'literal') q--;
  const prefix = literalText(tokens.slice(0, p));
  const suffix = literalText(tokens.slice(q));
  const middle = tokens.slice(p, q);
  const fixed = prefix.length + suffix.length;
  const sLen = suffix.length;
  const ends = (s: string): boolean => s.length >= fixed && s.startsWith(prefix) && s.endsWith(suffix);

  if (middle.length === 1 && middle[0]!.kind === 'doubleStar') return ends;
  if (middle.length === 1 && middle[0]!.kind === 'star') {
    return (s) => {
      if (!ends(s)) return false;
      const slash = s.indexOf('/', prefix.length);
      return slash < 0 || slash >= s.length - sLen;
    };
  }
  if (!middle.some((t) => t.kind === 'doubleStar')) {
    const { kinds, chars } = encode(middle);
    return (s) => ends(s) && greedyMatch(kinds, chars, s, prefix.length, s.length - sLen);
  }
  const simulate = simulationMatcher(tokens);
  return (s) => ends(s) && simulate(s);
}

function literalText(tokens: readonly GlobToken[]): string {
  let out = '';
  for (const t of tokens) if (t.kind === 'literal') out += t.char;
  return out;
}

// Token kinds as small integers for the simulation loop.
const LIT = 0;
const QUESTION = 1;
const STAR = 2;
const DOUBLE = 3;

/** Tokens as parallel arrays: kind codes and literal code points (-1 for metacharacters). */
export function encode(tokens: readonly GlobToken[]): { kinds: Uint8Array; chars: Int32Array } {
  const kinds = new Uint8Array(tokens.length);
  const chars = new Int32Array(tokens.length);
  tokens.forEach((t, i) => {
    kinds[i] = t.kind === 'literal' ? LIT : t.kind === 'question' ? QUESTION : t.kind === 'star' ? STAR : DOUBLE;
    chars[i] = t.kind === 'literal' ? t.char.codePointAt(0)! : -1;
  });
  return { kinds, chars };
}

/**
 * The greedy wildcard algorithm over s[from, to) for tokens without `**`: on a mismatch,
 * only the last `*` is extended. That is complete here because a `*` never crosses `/`
 * and each glob `/` pins one string `/`, so an earlier segment's choices cannot help.
 */
export function greedyMatch(kinds: Uint8Array, chars: Int32Array, s: string, from: number, to: number): boolean {
  const m = kinds.length;
  let i = 0;
  let j = from;
  let starI = -1;
  let starJ = 0;
  while (j < to) {
    const c = s.codePointAt(j)!;
    if (i < m) {
      const k = kinds[i];
      if (k === STAR) {
        starI = i++;
        starJ = j;
        continue;
      }
      if (k === LIT ? chars[i] === c : c !== SLASH) {
        i++;
        j += c > 0xffff ? 2 : 1;
        continue;
      }
    }
    if (starI < 0) return false;
    const sc = s.codePointAt(starJ)!;
    if (sc === SLASH) return false;
    starJ += sc > 0xffff ? 2 : 1;
    i = starI + 1;
    j = starJ;
  }
  while (i < m && kinds[i] === STAR) i++;
  return i === m;
}

/** Thompson-style simulation over glob positions: O(|s| × |glob|) for any glob. */
export function simulationMatcher(tokens: readonly GlobToken[]): StringMatcher {
  const n = tokens.length;
  const { kinds, chars } = encode(tokens);
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
