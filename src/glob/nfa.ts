// The automaton of one scope over a symbolic alphabet, read on the string a scope sees
// in the image's terms: `name:tag`. A `name-tag` scope reads it whole; a `name` scope
// matches the name and then accepts any `:tag` tail (a tag has no `/` or `:`), so both
// targets can be compared in one language.

import type { IRScope } from '../ir/types.js';
import type { Alphabet } from './alphabet.js';
import { tokenizeGlob, type GlobToken } from './glob.js';

export interface ScopeNfa {
  /** States after reading nothing. */
  readonly start: readonly number[];
  /** States after reading one character of the class from state s (empty: dead). */
  step(s: number, cls: number): readonly number[];
  accepts(s: number): boolean;
  readonly stateCount: number;
}

export function scopeTokens(scope: IRScope): GlobToken[] {
  const r = tokenizeGlob(scope.glob);
  // Scopes in the IR were validated when it was built; an invalid one is a bug upstream.
  if ('error' in r) throw new Error(`invalid scope glob ${JSON.stringify(scope.glob)}: ${r.error.message}`);
  return r.tokens;
}

/** States are glob positions 0..n (n = all tokens read) and, for a name scope, n+1 = in the tag. */
export function scopeNfa(tokens: readonly GlobToken[], withTagTail: boolean, alphabet: Alphabet): ScopeNfa {
  const n = tokens.length;
  const tail = n + 1;
  // closure[i]: position i and those reachable by letting stars match nothing.
  const closure: number[][] = [];
  for (let i = n; i >= 0; i--) {
    const t = tokens[i];
    closure[i] = t !== undefined && (t.kind === 'star' || t.kind === 'doubleStar') ? [i, ...closure[i + 1]!] : [i];
  }
  const literalClass = tokens.map((t) => (t.kind === 'literal' ? alphabet.classOfLiteral(t.char.codePointAt(0)!) : -1));
  const none: readonly number[] = [];
  const tailOnly: readonly number[] = [tail];
  const { slash, colon } = alphabet;
  return {
    start: closure[0]!,
    stateCount: withTagTail ? n + 2 : n + 1,
    accepts: (s) => s === (withTagTail ? tail : n),
    step(s, cls) {
      if (s === tail) return cls === slash || cls === colon ? none : tailOnly;
      if (s === n) return withTagTail && cls === colon ? tailOnly : none;
      const t = tokens[s]!;
      switch (t.kind) {
        case 'literal':
          return literalClass[s] === cls ? closure[s + 1]! : none;
        case 'question':
          return cls === slash ? none : closure[s + 1]!;
        case 'star':
          return cls === slash ? none : closure[s]!;
        case 'doubleStar':
          return closure[s]!;
      }
    },
  };
}
