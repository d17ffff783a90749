// One shared copy of strings that recur across cached facts (signer DIDs, handles, PDS
// URLs). Bounded: when full the table starts over; strings already shared stay shared.

const MAX_INTERNED = 50_000;
let table = new Map<string, string>();

export function intern(s: string): string {
  const hit = table.get(s);
  if (hit !== undefined) return hit;
  if (table.size >= MAX_INTERNED) table = new Map();
  table.set(s, s);
  return s;
}
