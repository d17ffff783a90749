// String order shared by every engine: code point order, which equals UTF-8 byte order
// (Go's and OPA's string order), unlike JavaScript's UTF-16 code unit order.

/** Code point order (equal to UTF-8 byte order), which every engine uses for sorting. */
export function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
