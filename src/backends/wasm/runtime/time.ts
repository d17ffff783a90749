// RFC 3339 with the one grammar of docs/ir.md "Readable time":
// YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|±HH:MM), years 1700..2200, no leap second.
// The instant is kept exactly as whole seconds since the Unix epoch plus nanoseconds.

export let timeSec: i64 = 0;
export let timeNano: i32 = 0;

let src: usize = 0;

@inline function at(i: i32): i32 {
  return <i32>load<u16>(src + (<usize>i << 1));
}

/** Two or four decimal digits at `i`, or -1. */
function digits(i: i32, n: i32): i32 {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = at(i + k);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function isLeap(y: i32): bool {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

function daysInMonth(y: i32, m: i32): i32 {
  if (m == 2) return isLeap(y) ? 29 : 28;
  if (m == 4 || m == 6 || m == 9 || m == 11) return 30;
  return 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days, inverted). */
function daysFromCivil(y: i32, m: i32, d: i32): i64 {
  const yy = m <= 2 ? y - 1 : y;
  const era = (yy >= 0 ? yy : yy - 399) / 400;
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return <i64>era * 146097 + <i64>doe - 719468;
}

/** Parses a readable time; on success sets `timeSec`/`timeNano`. */
export function parseTime(p: usize, len: i32): bool {
  src = p;
  if (len < 20) return false;
  const y = digits(0, 4);
  if (y < 1700 || y > 2200 || at(4) != 0x2d) return false;
  const mo = digits(5, 2);
  if (mo < 1 || mo > 12 || at(7) != 0x2d) return false;
  const d = digits(8, 2);
  if (d < 1 || d > daysInMonth(y, mo) || at(10) != 0x54) return false;
  const h = digits(11, 2);
  if (h < 0 || h > 23 || at(13) != 0x3a) return false;
  const mi = digits(14, 2);
  if (mi < 0 || mi > 59 || at(16) != 0x3a) return false;
  const s = digits(17, 2);
  if (s < 0 || s > 59) return false;
  let i = 19;
  let nano = 0;
  if (at(i) == 0x2e) {
    i++;
    let n = 0;
    while (i < len && n < 10) {
      const c = at(i);
      if (c < 0x30 || c > 0x39) break;
      nano = nano * 10 + (c - 0x30);
      n++;
      i++;
    }
    if (n < 1 || n > 9) return false;
    for (let k = n; k < 9; k++) nano *= 10;
  }
  if (i >= len) return false;
  let offset = 0;
  const z = at(i);
  if (z == 0x5a) {
    i++;
  } else if (z == 0x2b || z == 0x2d) {
    if (len - i < 6) return false;
    const oh = digits(i + 1, 2);
    if (oh < 0 || oh > 23 || at(i + 3) != 0x3a) return false;
    const om = digits(i + 4, 2);
    if (om < 0 || om > 59) return false;
    offset = (oh * 60 + om) * 60;
    if (z == 0x2d) offset = -offset;
    i += 6;
  } else return false;
  if (i != len) return false;
  timeSec = daysFromCivil(y, mo, d) * 86400 + <i64>(h * 3600 + mi * 60 + s) - <i64>offset;
  timeNano = nano;
  return true;
}
