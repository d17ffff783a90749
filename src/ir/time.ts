// The one RFC 3339 grammar shared by every engine and the kernel (docs/ir.md "Readable
// time"), parsed by hand for the hot path. Instants are compared exactly in nanoseconds, as a pair
// (whole epoch seconds, nanoseconds 0..999,999,999), since doubles cannot hold epoch ns.

export interface Instant {
  s: number;
  n: number;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Parses a readable time; null when the text is not one. */
export function parseInstant(t: unknown): Instant | null {
  if (typeof t !== 'string' || t.length < 20 || t.length > 35) return null;
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const d = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const se = digits(t, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return null;
  if (t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':' || t[16] !== ':') return null;
  if (y < 1700 || y > 2200 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  if (d > (mo === 2 && isLeap(y) ? 29 : DAYS[mo - 1]!)) return null;
  let i = 19;
  let nanos = 0;
  if (t[i] === '.') {
    i++;
    const start = i;
    while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
    const count = i - start;
    if (count < 1 || count > 9) return null;
    nanos = digits(t, start, count) * 10 ** (9 - count);
  }
  let offset = 0;
  if (t[i] === 'Z' && i + 1 === t.length) {
    offset = 0;
  } else if ((t[i] === '+' || t[i] === '-') && i + 6 === t.length && t[i + 3] === ':') {
    const oh = digits(t, i + 1, 2);
    const om = digits(t, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    offset = (oh * 60 + om) * 60 * (t[i] === '+' ? 1 : -1);
  } else {
    return null;
  }
  const s = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return { s, n: nanos };
}

/** Sign of a − b. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.s !== b.s ? (a.s < b.s ? -1 : 1) : a.n !== b.n ? (a.n < b.n ? -1 : 1) : 0;
}
