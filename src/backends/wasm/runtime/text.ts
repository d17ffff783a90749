// Strings are UTF-16 code units in linear memory, addressed as (pointer, length in units),
// exactly like JavaScript strings, so equality and prefixes agree with the native engine
// even for lone surrogates. Ordering and globs work by code point, as docs/ir.md says.

/** Width (1 or 2 units) of the code point that `cpAt` read last. */
export let cpWidth: i32 = 1;

/** The code point starting at unit `i` (a lone surrogate is its own code point). */
export function cpAt(p: usize, len: i32, i: i32): i32 {
  const u = <i32>load<u16>(p + (<usize>i << 1));
  if (u >= 0xd800 && u <= 0xdbff && i + 1 < len) {
    const v = <i32>load<u16>(p + (<usize>(i + 1) << 1));
    if (v >= 0xdc00 && v <= 0xdfff) {
      cpWidth = 2;
      return 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
    }
  }
  cpWidth = 1;
  return u;
}

/** The code point ending just before unit `end`. */
export function cpBefore(p: usize, end: i32): i32 {
  const v = <i32>load<u16>(p + (<usize>(end - 1) << 1));
  if (v >= 0xdc00 && v <= 0xdfff && end >= 2) {
    const u = <i32>load<u16>(p + (<usize>(end - 2) << 1));
    if (u >= 0xd800 && u <= 0xdbff) {
      cpWidth = 2;
      return 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
    }
  }
  cpWidth = 1;
  return v;
}

export function strEq(a: usize, al: i32, b: usize, bl: i32): bool {
  if (al != bl) return false;
  return memory.compare(a, b, <usize>al << 1) == 0;
}

/** Compares by code point: negative, zero or positive. */
export function strCmp(a: usize, al: i32, b: usize, bl: i32): i32 {
  let i = 0;
  let j = 0;
  while (i < al && j < bl) {
    const ua = load<u16>(a + (<usize>i << 1));
    const ub = load<u16>(b + (<usize>j << 1));
    // An equal unit outside the surrogate range is a whole code point; otherwise decode,
    // so that the walk always stays on code point boundaries.
    if (ua == ub && (ua < 0xd800 || ua > 0xdfff)) {
      i++;
      j++;
      continue;
    }
    const ca = cpAt(a, al, i);
    const cb = cpAt(b, bl, j);
    if (ca != cb) return ca < cb ? -1 : 1;
    i += cpWidth;
    j += cpWidth;
  }
  if (i < al) return 1;
  if (j < bl) return -1;
  return 0;
}

export function startsWith(s: usize, sl: i32, p: usize, pl: i32): bool {
  if (pl > sl) return false;
  return memory.compare(s, p, <usize>pl << 1) == 0;
}

export function endsWith(s: usize, sl: i32, p: usize, pl: i32): bool {
  if (pl > sl) return false;
  return memory.compare(s + (<usize>(sl - pl) << 1), p, <usize>pl << 1) == 0;
}

/** Equality with an AssemblyScript string literal (also UTF-16). */
export function strEqLit(a: usize, al: i32, lit: string): bool {
  return strEq(a, al, changetype<usize>(lit), lit.length);
}
