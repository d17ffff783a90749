// Scope globs (trust-policy.md "Image references and scopes"): tokenizing, validation,
// translation to an anchored regular expression, and specificity. The automata in
// ./automaton.ts and the index in ./scope-index.ts build on the same tokens.

import type { IRScope, ScopeTarget } from '../ir/types.js';

export const MAX_GLOB_LENGTH = 512;

export type GlobToken =
  | { kind: 'literal'; char: string } // one code point
  | { kind: 'star' } // `*`: any run without `/`
  | { kind: 'doubleStar' } // `**`: any run
  | { kind: 'question' }; // `?`: one code point except `/`

export interface GlobError {
  message: string;
  /** Offset (in UTF-16 code units) of the offending character in the glob text. */
  offset: number;
}

const REJECTED = new Set(['[', ']', '{', '}', '\\']);
const REGEX_META = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

/** Splits a glob into tokens, or reports the first rejected character. */
export function tokenizeGlob(glob: string): { tokens: GlobToken[] } | { error: GlobError } {
  if (glob.length === 0) return { error: { message: 'a scope glob must not be empty', offset: 0 } };
  if (glob.length > MAX_GLOB_LENGTH) {
    return { error: { message: `a scope glob is at most ${MAX_GLOB_LENGTH} characters`, offset: MAX_GLOB_LENGTH } };
  }
  const tokens: GlobToken[] = [];
  let i = 0;
  while (i < glob.length) {
    const cp = glob.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (REJECTED.has(ch) || /\s/u.test(ch)) {
      const shown = /\s/u.test(ch) ? 'whitespace' : `'${ch}'`;
      return { error: { message: `${shown} is not allowed in a scope glob (only *, ** and ? are special)`, offset: i } };
    }
    if (cp < 0x20 || cp === 0x7f) {
      return { error: { message: 'control characters are not allowed in a scope glob', offset: i } };
    }
    // A lone surrogate is no character: RE2 (Rego) and JSON encoders reject it.
    if (cp >= 0xd800 && cp <= 0xdfff) {
      return { error: { message: 'a scope glob must be valid Unicode (lone surrogate)', offset: i } };
    }
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        tokens.push({ kind: 'doubleStar' });
        i += 2;
      } else {
        tokens.push({ kind: 'star' });
        i += 1;
      }
      continue;
    }
    tokens.push(ch === '?' ? { kind: 'question' } : { kind: 'literal', char: ch });
    i += ch.length;
  }
  return { tokens };
}

/** The anchored regex of docs/ir.md, valid in ECMAScript (`u` flag) and RE2. */
export function tokensToRegex(tokens: readonly GlobToken[]): string {
  let out = '^';
  for (const t of tokens) {
    switch (t.kind) {
      case 'literal':
        out += REGEX_META.has(t.char) ? `\\${t.char}` : t.char;
        break;
      case 'star':
        out += '[^/]*';
        break;
      case 'doubleStar':
        out += '[\\s\\S]*';
        break;
      case 'question':
        out += '[^/]';
        break;
    }
  }
  return out + '$';
}

export function specificityOf(tokens: readonly GlobToken[]): IRScope['specificity'] {
  let literals = 0;
  let doubleStars = 0;
  let singles = 0;
  for (const t of tokens) {
    if (t.kind === 'literal') literals++;
    else if (t.kind === 'doubleStar') doubleStars++;
    else singles++;
  }
  return { literals, doubleStars, singles };
}

/** One integer ordered like the specificity tuple (see docs/ir.md). */
export function rankOf(s: IRScope['specificity']): number {
  return s.literals * 1_000_000 + (999 - s.doubleStars) * 1_000 + (999 - s.singles);
}

/** A glob with a `:` after its last `/` is matched against `name:tag`. */
export function targetOf(glob: string): ScopeTarget {
  return glob.lastIndexOf(':') > glob.lastIndexOf('/') ? 'name-tag' : 'name';
}

export function literalPrefixOf(tokens: readonly GlobToken[]): string {
  let prefix = '';
  for (const t of tokens) {
    if (t.kind !== 'literal') break;
    prefix += t.char;
  }
  return prefix;
}

/** The literal characters after the last metacharacter. */
export function literalSuffixOf(tokens: readonly GlobToken[]): string {
  let suffix = '';
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t.kind !== 'literal') break;
    suffix = t.char + suffix;
  }
  return suffix;
}

/** Compiles a scope glob to its IR form, or returns the first error. */
export function compileScope(glob: string): { scope: IRScope } | { error: GlobError } {
  const r = tokenizeGlob(glob);
  if ('error' in r) return r;
  const specificity = specificityOf(r.tokens);
  return {
    scope: {
      glob,
      target: targetOf(glob),
      regex: tokensToRegex(r.tokens),
      literalPrefix: literalPrefixOf(r.tokens),
      specificity,
      rank: rankOf(specificity),
    },
  };
}
