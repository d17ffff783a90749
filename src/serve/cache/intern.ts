// Compact strings for long-lived cache entries. `intern` keeps one shared copy of strings
// that recur across facts (signer DIDs, handles, PDS URLs); bounded: when full the table
// starts over, and strings already shared stay shared. `flat` makes V8 store a string
// built by concatenation (a rope, several times its size) as one flat sequence.

const MAX_INTERNED = 50_000;
let table = new Map<string, string>();

export function flat(s: string): string {
  // A string-to-number conversion needs the characters in one piece: V8 flattens in place.
  void Number(s);
  return s;
}

export function intern(s: string): string {
  const hit = table.get(s);
  if (hit !== undefined) return hit;
  if (table.size >= MAX_INTERNED) table = new Map();
  flat(s);
  table.set(s, s);
  return s;
}
