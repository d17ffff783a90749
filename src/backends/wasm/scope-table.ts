// The scope index the runtime uses to pick a policy without trying every glob: scopes
// are filed by the hash of their literal prefix (UTF-16 units), and a bitmap says which
// prefix lengths exist. The runtime hashes the image's `name:tag` once, left to right,
// probing only at those lengths; scopes that start with a wildcard are always tried.
// Layout: runtime/select.ts reads it, docs/compile-wasm.md describes it.

import type { Blob } from './blob.js';

export interface IndexedScope {
  /** Blob offset of the policy record. */
  record: number;
  /** Position of the policy in the document: breaks rank ties. */
  index: number;
  rank: number;
  /** 0: matched against image.name; 1: against name:tag. */
  target: number;
  /** Blob offset of the glob program. */
  glob: number;
  /** The literal characters before the first wildcard. */
  prefix: string;
}

export const ENTRY_SIZE = 40;
/** Prefix lengths (in units) the bitmap can mark; globs are at most 512 code points. */
const MAX_PREFIX_UNITS = 2048;

/** The rolling hash both sides compute: h = h × 31 + unit (mod 2^32). */
export function prefixHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

/**
 * Writes the entries, hash table, length bitmap and the list of scopes without a
 * prefix; returns the offset of the index header
 * (mask, table, bitmap, always count, always list).
 */
export function writeScopeIndex(blob: Blob, scopes: readonly IndexedScope[], stringAt: (s: string) => number): number {
  const keyed = scopes.filter((s) => s.prefix.length > 0 && s.prefix.length < MAX_PREFIX_UNITS);
  const always = scopes.filter((s) => !keyed.includes(s));
  let size = 1;
  while (size < keyed.length * 2) size *= 2;
  const heads = new Array<number>(size).fill(0);
  const bitmap = new Array<number>(MAX_PREFIX_UNITS / 32).fill(0);

  const writeEntry = (s: IndexedScope, next: number, hash: number): number => {
    const at = blob.reserve(ENTRY_SIZE);
    const prefix = s.prefix.length > 0 ? stringAt(s.prefix) : 0;
    [s.record, s.rank, s.target, s.glob, s.index, next, s.prefix.length, hash, prefix, 0].forEach((v, i) =>
      blob.u32At(at + i * 4, v),
    );
    return at;
  };

  for (const s of keyed) {
    const hash = prefixHash(s.prefix);
    const bucket = hash & (size - 1);
    heads[bucket] = writeEntry(s, heads[bucket]!, hash);
    bitmap[s.prefix.length >>> 5] = (bitmap[s.prefix.length >>> 5]! | (1 << (s.prefix.length & 31))) >>> 0;
  }
  const alwaysAt = blob.words(always.map((s) => writeEntry(s, 0, 0)));
  const tableAt = blob.words(heads);
  const bitmapAt = blob.reserve(bitmap.length * 4);
  bitmap.forEach((w, i) => blob.u32At(bitmapAt + i * 4, w));
  const header = blob.reserve(20);
  [size - 1, tableAt, bitmapAt, always.length, alwaysAt].forEach((v, i) => blob.u32At(header + i * 4, v));
  return header;
}
