// A finite, symbolic alphabet for deciding questions about globs over all Unicode code
// points. Every code point a glob mentions gets a class of its own; so do the characters
// the reference grammar treats specially. All other code points fall into a few classes
// (other lower-case letters, other upper-case, other digits, everything else) whose
// members no glob or grammar automaton can tell apart, so one representative stands for
// each class in witnesses.

import type { GlobToken } from './glob.js';

/** The reference grammar's view of a character (see shapes.ts). */
export const Category = {
  Lower: 0,
  Upper: 1,
  Digit: 2,
  Dot: 3,
  Dash: 4,
  Underscore: 5,
  Colon: 6,
  Slash: 7,
  LBracket: 8,
  RBracket: 9,
  Other: 10,
} as const;
export type Category = (typeof Category)[keyof typeof Category];

export interface Alphabet {
  /** One representative code point per class. */
  readonly reps: readonly number[];
  readonly categories: readonly Category[];
  /** The class of a code point that a glob mentions (or a special character). */
  classOfLiteral(cp: number): number;
  readonly slash: number;
  readonly colon: number;
}

const SPECIAL = ['/', ':', '.', '-', '_', '[', ']'].map((c) => c.codePointAt(0)!);

export function categoryOf(cp: number): Category {
  if (cp >= 0x61 && cp <= 0x7a) return Category.Lower;
  if (cp >= 0x41 && cp <= 0x5a) return Category.Upper;
  if (cp >= 0x30 && cp <= 0x39) return Category.Digit;
  switch (cp) {
    case 0x2e:
      return Category.Dot;
    case 0x2d:
      return Category.Dash;
    case 0x5f:
      return Category.Underscore;
    case 0x3a:
      return Category.Colon;
    case 0x2f:
      return Category.Slash;
    case 0x5b:
      return Category.LBracket;
    case 0x5d:
      return Category.RBracket;
    default:
      return Category.Other;
  }
}

/** The alphabet for a set of globs (given as token lists). */
export function alphabetFor(globs: ReadonlyArray<readonly GlobToken[]>): Alphabet {
  const literal = new Set<number>(SPECIAL);
  for (const tokens of globs) for (const t of tokens) if (t.kind === 'literal') literal.add(t.char.codePointAt(0)!);
  const singles = [...literal].sort((a, b) => a - b);
  const reps: number[] = [...singles];
  const index = new Map<number, number>(singles.map((cp, i) => [cp, i]));
  // One representative for each category's unmentioned members, when there are any.
  const firstFree = (from: number, to: number): number | undefined => {
    for (let cp = from; cp <= to; cp++) if (!literal.has(cp)) return cp;
    return undefined;
  };
  for (const [from, to] of [
    [0x61, 0x7a], // a-z
    [0x41, 0x5a], // A-Z
    [0x30, 0x39], // 0-9
  ] as const) {
    const cp = firstFree(from, to);
    if (cp !== undefined) reps.push(cp);
  }
  // "Everything else" always has free members: far more code points exist than a glob holds.
  let other = 0x21;
  while (literal.has(other) || categoryOf(other) !== Category.Other) other++;
  reps.push(other);
  return {
    reps,
    categories: reps.map(categoryOf),
    classOfLiteral: (cp) => {
      const i = index.get(cp);
      if (i === undefined) throw new Error(`code point ${cp} is not a literal of this alphabet`);
      return i;
    },
    slash: index.get(0x2f)!,
    colon: index.get(0x3a)!,
  };
}
