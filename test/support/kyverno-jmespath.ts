// JMESPath from npm, extended with the Kyverno functions the Kyverno back end uses,
// implemented to Kyverno's documented semantics (kyverno/kyverno pkg/engine/jmespath):
//   regex_match(regex, value)   Go regexp.Match: unanchored search, value string or number
//   time_now_utc()              the clock, RFC 3339 UTC with whole seconds
//   time_add(time, duration)    time + Go duration, formatted RFC 3339 without fractions
//   time_before(a, b)/time_after(a, b)   exact instant comparison of two RFC 3339 times
//   lookup(object, key)/lookup(array, index)   the value, or null when absent
//   object_from_lists(keys, values)            an object; missing values are null
// and two built-ins as go-jmespath (Kyverno's) has them, where the npm package differs:
//   starts_with(s, p)/ends_with(s, p)          strings.HasPrefix/HasSuffix: true for ""
//                                              (npm's starts_with is false for "")
// The npm package keeps its runtime private; its source is evaluated once with the
// runtime exported, so a function table can be extended without patching the package.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface ArgSpec {
  types: number[];
  variadic?: boolean;
}
interface Internals {
  Parser: new () => { parse(expression: string): unknown };
  TreeInterpreter: new (runtime: unknown) => { search(node: unknown, value: unknown): unknown };
  Runtime: new () => {
    _interpreter: unknown;
    callFunction(name: string, args: unknown[]): unknown;
    functionTable: Record<string, { _func: (args: unknown[]) => unknown; _signature: ArgSpec[] }>;
  };
  types: Record<'number' | 'any' | 'string' | 'array' | 'object' | 'boolean', number>;
}

const internals: Internals = (() => {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('jmespath'), 'utf8');
  const marker = 'exports.tokenize = tokenize;';
  if (!source.includes(marker)) throw new Error('unexpected jmespath source layout');
  const exposed = source.replace(
    marker,
    'exports.Parser = Parser; exports.TreeInterpreter = TreeInterpreter; exports.Runtime = Runtime;' +
      ' exports.types = { number: TYPE_NUMBER, any: TYPE_ANY, string: TYPE_STRING, array: TYPE_ARRAY,' +
      ' object: TYPE_OBJECT, boolean: TYPE_BOOLEAN };' +
      marker,
  );
  const mod = {} as Internals;
  new Function('exports', exposed)(mod);
  return mod;
})();

// --- Go time semantics ---------------------------------------------------------------

/** An instant as nanoseconds since the epoch plus the offset (seconds) it was written with. */
interface GoTime {
  ns: bigint;
  offset: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function epochMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  // Go rejects days that do not exist in the month instead of rolling over.
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return t.getTime();
}

/** Go's time.Parse(time.RFC3339, text), as Kyverno's time functions call it. */
export function parseGoRfc3339(text: string): GoTime {
  const m = RFC3339.exec(text);
  if (!m) throw new Error(`parsing time ${JSON.stringify(text)} as RFC 3339 failed`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) throw new Error(`time ${text}: value out of range`);
  const ms = epochMillis(y, mo, d, h, mi, s);
  if (ms === null) throw new Error(`time ${text}: day out of range`);
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) throw new Error(`time ${text}: time zone offset out of range`);
    offset = (oh * 3600 + om * 60) * (m[9] === '-' ? -1 : 1);
  }
  const frac = BigInt((m[7] ?? '').slice(0, 9).padEnd(9, '0'));
  return { ns: BigInt(ms) * 1_000_000n + frac - BigInt(offset) * 1_000_000_000n, offset };
}

const two = (n: number) => String(n).padStart(2, '0');

/** Go's t.Format(time.RFC3339): the writer's offset kept, fractional seconds dropped. */
export function formatGoRfc3339(t: GoTime): string {
  const localSeconds = t.ns / 1_000_000_000n - (t.ns % 1_000_000_000n < 0n ? 1n : 0n) + BigInt(t.offset);
  const d = new Date(Number(localSeconds) * 1000);
  const date = `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const clock = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const off = Math.abs(t.offset);
  const zone = t.offset === 0 ? 'Z' : `${t.offset < 0 ? '-' : '+'}${two(Math.floor(off / 3600))}:${two(Math.floor(off / 60) % 60)}`;
  return `${date}T${clock}${zone}`;
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_INT64 = 9_223_372_036_854_775_807n;

/** Go's time.ParseDuration for whole-number components (`-300s`, `1h30m`). */
export function parseGoDuration(text: string): bigint {
  const m = /^([+-]?)((?:\d+(?:ns|us|µs|ms|s|m|h))+)$/u.exec(text);
  if (!m) throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let total = 0n;
  for (const part of m[2]!.matchAll(/(\d+)(ns|us|µs|ms|s|m|h)/gu)) total += BigInt(part[1]!) * UNIT_NS[part[2]!]!;
  if (total > MAX_INT64) throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  return m[1] === '-' ? -total : total;
}

// --- the function table --------------------------------------------------------------

function goString(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new Error(`JMESPath function '${fn}': 2 argument is expected of String or Real type`);
}

type FunctionTable = InstanceType<Internals['Runtime']>['functionTable'];

function kyvernoFunctions(): FunctionTable {
  const t = internals.types;
  const fn = (func: (args: any[]) => unknown, ...types: number[][]) => ({
    _func: func,
    _signature: types.map((ts) => ({ types: ts })),
  });
  return {
    starts_with: fn(([s, p]) => (s as string).startsWith(p as string), [t.string], [t.string]),
    ends_with: fn(([s, p]) => (s as string).endsWith(p as string), [t.string], [t.string]),
    regex_match: fn(
      ([re, value]) => new RegExp(re as string, 'u').test(goString(value, 'regex_match')),
      [t.string],
      [t.string, t.number],
    ),
    time_add: fn(
      ([time, duration]) => {
        const base = parseGoRfc3339(time as string);
        return formatGoRfc3339({ ns: base.ns + parseGoDuration(duration as string), offset: base.offset });
      },
      [t.string],
      [t.string],
    ),
    time_before: fn(([a, b]) => parseGoRfc3339(a as string).ns < parseGoRfc3339(b as string).ns, [t.string], [t.string]),
    time_after: fn(([a, b]) => parseGoRfc3339(a as string).ns > parseGoRfc3339(b as string).ns, [t.string], [t.string]),
    lookup: fn(
      ([input, key]) => {
        if (Array.isArray(input)) {
          if (typeof key !== 'number' || !Number.isInteger(key)) throw new Error("JMESPath function 'lookup': argument #2 must be an integer");
          return key >= 0 && key < input.length ? input[key] : null;
        }
        if (typeof key !== 'string') throw new Error("JMESPath function 'lookup': 2 argument is expected of String type");
        return Object.prototype.hasOwnProperty.call(input, key) ? (input as Record<string, unknown>)[key] : null;
      },
      [t.object, t.array],
      [t.string, t.number],
    ),
    object_from_lists: fn(
      ([keys, values]) => {
        const out: Record<string, unknown> = {};
        (keys as unknown[]).forEach((k, i) => {
          out[goString(k, 'object_from_lists')] = i < (values as unknown[]).length ? (values as unknown[])[i] : null;
        });
        return out;
      },
      [t.array],
      [t.array],
    ),
  };
}

/** A JMESPath evaluator with Kyverno's functions; `now` is the clock `time_now_utc()` reads. */
export function kyvernoJmespath(now: () => string): (data: unknown, expression: string) => unknown {
  return (data, expression) => {
    const runtime = new internals.Runtime();
    const interpreter = new internals.TreeInterpreter(runtime);
    runtime._interpreter = interpreter;
    Object.assign(runtime.functionTable, kyvernoFunctions());
    // The package cannot declare a function without arguments, so the clock is answered here.
    const call = runtime.callFunction.bind(runtime);
    runtime.callFunction = (name, args) => {
      if (name !== 'time_now_utc') return call(name, args);
      if (args.length !== 0) throw new Error('time_now_utc() takes no arguments');
      return now();
    };
    return interpreter.search(new internals.Parser().parse(expression), data);
  };
}
