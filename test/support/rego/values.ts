// Rego values: integers are bigint (exact, as in OPA), other numbers float64; objects and
// sets are keyed by a canonical text of the key. Ordering follows OPA's ast.Compare.

export type Value = null | boolean | number | bigint | string | Value[] | RObject | RSet;

export class RObject {
  readonly entries = new Map<string, [Value, Value]>();
  get(key: Value): Value | undefined {
    return this.entries.get(canon(key))?.[1];
  }
  set(key: Value, value: Value): void {
    this.entries.set(canon(key), [key, value]);
  }
}

export class RSet {
  readonly items = new Map<string, Value>();
  add(v: Value): void {
    this.items.set(canon(v), v);
  }
  has(v: Value): boolean {
    return this.items.has(canon(v));
  }
}

/** Numbers equal in OPA get the same canonical text (1 and 1.0 alike). */
export function normNumber(n: number | bigint): number | bigint {
  if (typeof n === 'bigint') return n;
  return Number.isInteger(n) ? BigInt(n) : n;
}

export function canon(v: Value): string {
  if (v === null) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'bigint') return `#${v}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `#${BigInt(v)}` : `#${v}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v instanceof RSet) return `{${[...v.items.values()].sort(compare).map(canon).join(',')}}`;
  const keys = [...v.entries.values()].sort((a, b) => compare(a[0], b[0]));
  return `o{${keys.map(([k, x]) => `${canon(k)}:${canon(x)}`).join(',')}}`;
}

export function equal(a: Value, b: Value): boolean {
  return compare(a, b) === 0;
}

function rank(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 6;
  if (v instanceof RObject) return 7;
  return 8;
}

export function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && Number.isInteger(b as number)) return compareNumbers(a, BigInt(b as number));
  if (typeof b === 'bigint' && Number.isInteger(a as number)) return compareNumbers(BigInt(a as number), b);
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Strings compare by UTF-8 bytes, which is code point order. */
export function compareStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

export function compare(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a === null) return 0;
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'number' || typeof a === 'bigint') return compareNumbers(a, b as number | bigint);
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (Array.isArray(a)) {
    const y = b as Value[];
    for (let i = 0; i < Math.min(a.length, y.length); i++) {
      const c = compare(a[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return a.length === y.length ? 0 : a.length < y.length ? -1 : 1;
  }
  if (a instanceof RSet) {
    return compare([...a.items.values()].sort(compare), [...(b as RSet).items.values()].sort(compare));
  }
  // Objects: by sorted keys, then values (OPA compares key/value pairs in key order).
  const ea = [...a.entries.values()].sort((p, q) => compare(p[0], q[0]));
  const eb = [...(b as RObject).entries.values()].sort((p, q) => compare(p[0], q[0]));
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const c = compare(ea[i]![0], eb[i]![0]) || compare(ea[i]![1], eb[i]![1]);
    if (c !== 0) return c;
  }
  return ea.length === eb.length ? 0 : ea.length < eb.length ? -1 : 1;
}

/** JSON (as parsed by JSON.parse) → Rego value. */
export function fromJSON(v: unknown): Value {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return normNumber(v);
  if (Array.isArray(v)) return v.map(fromJSON);
  if (typeof v === 'object') {
    const o = new RObject();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) o.set(k, fromJSON(x));
    }
    return o;
  }
  throw new Error(`not a JSON value: ${typeof v}`);
}

/** Rego value → JSON-compatible JS (sets become sorted arrays, as OPA prints them). */
export function toJSON(v: Value): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof RSet) return [...v.items.values()].sort(compare).map(toJSON);
  const out: Record<string, unknown> = {};
  for (const [k, x] of [...v.entries.values()].sort((p, q) => compare(p[0], q[0]))) {
    if (typeof k !== 'string') throw new Error('only string keys convert to JSON');
    out[k] = toJSON(x);
  }
  return out;
}
