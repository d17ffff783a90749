// Regular shapes of the strings `name:tag` that real images present to scopes, as small
// deterministic automata over character categories (docs/scopes.md, "Deciding overlap").
//
// SUBJECT is a superset of every normalized image's `name:tag` (docs/ir.md "Image
// references"): a registry of host, port and IPv6 characters, `/`, lower-case components
// joined by single `/`, then `:` and a tag that may be empty (digest-only). Deciding
// questions inside it drops strings no image can produce (no `/`, an empty component,
// upper case in the repository), and never drops a real one.
//
// PREFERRED is a subset of the normalized names with a non-empty tag
// (`host.domain[:port]/component[/…]:tag`), used to pick readable witnesses first.

import { Category, type Alphabet } from './alphabet.js';

export interface Shape {
  readonly start: number;
  /** Next state, or -1 when the category cannot follow. */
  next(state: number, category: Category): number;
  accepts(state: number): boolean;
  readonly stateCount: number;
}

const { Lower, Upper, Digit, Dot, Dash, Underscore, Colon, Slash, LBracket, RBracket } = Category;

type Table = ReadonlyArray<Partial<Record<Category, number>>>;

function shape(table: Table, accepting: readonly number[]): Shape {
  return {
    start: 0,
    stateCount: table.length,
    next: (state, category) => table[state]![category] ?? -1,
    accepts: (state) => accepting.includes(state),
  };
}

function on(categories: readonly Category[], to: number): Partial<Record<Category, number>> {
  return Object.fromEntries(categories.map((c) => [c, to]));
}

const REGISTRY_CHARS = [Lower, Digit, Dot, Dash, Colon, LBracket, RBracket];
const COMPONENT_CHARS = [Lower, Digit, Dot, Dash, Underscore];
const TAG_CHARS = [Lower, Upper, Digit, Underscore, Dot, Dash];

// 0 registry start, 1 in registry, 2 component start, 3 in component, 4 in tag.
export const SUBJECT: Shape = shape(
  [
    on(REGISTRY_CHARS, 1),
    { ...on(REGISTRY_CHARS, 1), [Slash]: 2 },
    on(COMPONENT_CHARS, 3),
    { ...on(COMPONENT_CHARS, 3), [Slash]: 2, [Colon]: 4 },
    on(TAG_CHARS, 4),
  ],
  [4],
);

const ALNUM = [Lower, Digit];
// Host: labels of [a-z0-9] with inner hyphens, at least one dot, optional :port.
// 0 label start, 1 in label, 2 after '-', 3 label start after a dot, 4 in dotted label,
// 5 after '-' in dotted label, 6 port start, 7 in port; components: 8 start, 9 in,
// 10 after a separator; tag: 11 start, 12 in.
export const PREFERRED: Shape = shape(
  [
    on(ALNUM, 1),
    { ...on(ALNUM, 1), [Dash]: 2, [Dot]: 3 },
    { ...on(ALNUM, 1), [Dash]: 2 },
    on(ALNUM, 4),
    { ...on(ALNUM, 4), [Dash]: 5, [Dot]: 3, [Colon]: 6, [Slash]: 8 },
    { ...on(ALNUM, 4), [Dash]: 5 },
    on([Digit], 7),
    { ...on([Digit], 7), [Slash]: 8 },
    on(ALNUM, 9),
    { ...on(ALNUM, 9), ...on([Dot, Dash, Underscore], 10), [Slash]: 8, [Colon]: 11 },
    on(ALNUM, 9),
    on([Lower, Digit, Underscore], 12),
    on([Lower, Digit, Underscore, Dot, Dash], 12),
  ],
  [12],
);

/** Per class of the alphabet, the shape's transition (precomputed for the search loops). */
export function shapeTable(s: Shape, alphabet: Alphabet): Int32Array {
  const k = alphabet.reps.length;
  const t = new Int32Array(s.stateCount * k);
  for (let state = 0; state < s.stateCount; state++) {
    for (let cls = 0; cls < k; cls++) t[state * k + cls] = s.next(state, alphabet.categories[cls]!);
  }
  return t;
}
