// The OPA built-in functions the generated modules call, with OPA's semantics: strings
// count and slice by code point, regexes are RE2 (the patterns we emit mean the same in
// ECMAScript with the `u` flag), a type error makes the call undefined (OPA's default,
// non-strict built-in errors).

import { compare, compareNumbers, normNumber, RObject, RSet, type Value } from './values.js';

export type Builtin = (args: Value[]) => Value | undefined;

const isStr = (v: Value | undefined): v is string => typeof v === 'string';
const isNum = (v: Value | undefined): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';
const isInt = (v: Value | undefined): v is bigint => typeof v === 'bigint';
const collection = (v: Value | undefined): Value[] | undefined =>
  Array.isArray(v) ? v : v instanceof RSet ? [...v.items.values()] : undefined;

const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return re;
}

/** Nanoseconds since the epoch of an RFC 3339 text, as Go's time.Parse(RFC3339) reads it. */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/u.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (mo! < 1 || mo! > 12 || h! > 23 || mi! > 59 || s! > 59) return undefined;
  const leap = (y! % 4 === 0 && y! % 100 !== 0) || y! % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo! - 1]!;
  if (d! < 1 || d! > days) return undefined;
  let offset = 0n;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = BigInt((oh * 60 + om) * 60) * (m[9] === '-' ? -1n : 1n);
  }
  const frac = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  const seconds = daysFromCivil(y!, mo!, d!) * 86400n + BigInt(h! * 3600 + mi! * 60 + s!) - offset;
  return seconds * 1_000_000_000n + frac;
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y: number, m: number, d: number): bigint {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return BigInt(era * 146097 + doe - 719468);
}

/** RFC 3339 with nanoseconds, trailing zeros trimmed, in UTC (Go's RFC3339Nano). */
export function formatRfc3339Nano(ns: bigint): string {
  const second = ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
  const frac = ns - second * 1_000_000_000n;
  const iso = new Date(Number(second) * 1000).toISOString().slice(0, 19);
  const f = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/u, '')}`;
  return `${iso}${f}Z`;
}

function aggregate(v: Value | undefined, pick: (c: number) => boolean): Value | undefined {
  const items = collection(v);
  if (!items || items.length === 0) return undefined;
  return items.reduce((best, x) => (pick(compare(x, best)) ? x : best));
}

export const BUILTINS: Record<string, Builtin> = {
  count: ([x]) => {
    if (isStr(x)) return BigInt([...x].length);
    if (x instanceof RObject) return BigInt(x.entries.size);
    const c = collection(x);
    return c ? BigInt(c.length) : undefined;
  },
  concat: ([sep, xs]) => {
    const c = collection(xs);
    if (!isStr(sep) || !c || !c.every(isStr)) return undefined;
    return (c as string[]).join(sep);
  },
  split: ([s, sep]) => (isStr(s) && isStr(sep) ? splitGo(s, sep) : undefined),
  contains: ([s, sub]) => (isStr(s) && isStr(sub) ? s.includes(sub) : undefined),
  startswith: ([s, p]) => (isStr(s) && isStr(p) ? s.startsWith(p) : undefined),
  endswith: ([s, p]) => (isStr(s) && isStr(p) ? s.endsWith(p) : undefined),
  lower: ([s]) => (isStr(s) ? s.toLowerCase() : undefined),
  substring: ([s, start, len]) => {
    if (!isStr(s) || !isInt(start) || !isInt(len) || start < 0n) return undefined;
    const cps = [...s];
    if (start >= BigInt(cps.length)) return '';
    const end = len < 0n ? cps.length : Math.min(cps.length, Number(start + len));
    return cps.slice(Number(start), end).join('');
  },
  'regex.match': ([p, s]) => {
    if (!isStr(p) || !isStr(s)) return undefined;
    const re = regex(p);
    return re ? re.test(s) : undefined;
  },
  to_number: ([x]) => {
    if (isNum(x)) return x;
    if (x === null) return 0n;
    if (typeof x === 'boolean') return x ? 1n : 0n;
    if (isStr(x) && /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/u.test(x)) {
      return /^-?[0-9]+$/u.test(x) ? BigInt(x) : normNumber(Number(x));
    }
    return undefined;
  },
  format_int: ([n, base]) => {
    if (!isNum(n) || !isInt(base) || ![2n, 8n, 10n, 16n].includes(base)) return undefined;
    const i = typeof n === 'bigint' ? n : BigInt(Math.floor(n));
    return i.toString(Number(base));
  },
  'time.parse_rfc3339_ns': ([s]) => (isStr(s) ? parseRfc3339Ns(s) : undefined),
  'time.format': ([ns]) => (isInt(ns) ? formatRfc3339Nano(ns) : undefined),
  is_object: ([x]) => x instanceof RObject,
  is_string: ([x]) => isStr(x),
  is_array: ([x]) => Array.isArray(x),
  is_number: ([x]) => isNum(x),
  is_boolean: ([x]) => typeof x === 'boolean',
  is_null: ([x]) => x === null,
  is_set: ([x]) => x instanceof RSet,
  'array.slice': ([xs, start, end]) => {
    if (!Array.isArray(xs) || !isInt(start) || !isInt(end)) return undefined;
    const n = BigInt(xs.length);
    const e = end > n ? n : end;
    const s = start < 0n ? 0n : start;
    return s >= e ? [] : xs.slice(Number(s), Number(e));
  },
  'array.concat': ([a, b]) => (Array.isArray(a) && Array.isArray(b) ? [...a, ...b] : undefined),
  sort: ([xs]) => {
    const c = collection(xs);
    return c ? [...c].sort(compare) : undefined;
  },
  max: ([xs]) => aggregate(xs, (c) => c > 0),
  min: ([xs]) => aggregate(xs, (c) => c < 0),
  'object.get': ([o, key, fallback]) => {
    if (!(o instanceof RObject) || fallback === undefined) return undefined;
    const v = o.get(key!);
    return v === undefined ? fallback : v;
  },
  set: (args) => (args.length === 0 ? new RSet() : undefined),
  'json.marshal': ([x]) => (x === undefined ? undefined : goJson(x)),
  sprintf: ([format, args]) => {
    if (!isStr(format) || !Array.isArray(args)) return undefined;
    let i = 0;
    return format.replace(/%[sdv%]/gu, (m) => (m === '%%' ? '%' : String(printValue(args[i++] ?? null))));
  },
};

/** Go's json.Marshal of a value (OPA's json.marshal): HTML-safe string escapes, sorted keys. */
function goJson(v: Value): string {
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v instanceof RSet) return `[${[...v.items.values()].sort(compare).map(goJson).join(',')}]`;
  const entries = [...v.entries.values()].sort((a, b) => compare(a[0], b[0]));
  return `{${entries.map(([k, x]) => `${goJsonString(String(k))}:${goJson(x)}`).join(',')}}`;
}

function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

function printValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

/** Go's strings.Split: an empty separator splits into code points. */
function splitGo(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

export { compareNumbers };
