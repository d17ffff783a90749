// Rego literal text for values taken from the IR. Kept in one place so every generated
// module quotes and prints numbers the same way (deterministic output), and so no line
// break, control or format character of policy text is ever written raw (../text.ts).

import { hasUnsafeChar, jsonStringLiteral } from '../text.js';

/** A Rego string literal: a raw string when that reads better and is exact, else JSON. */
export function regoString(value: string): string {
  // Raw strings (backticks) have no escapes, so they are exact for anything without a
  // backtick; they keep regexes readable. Unsafe characters would be raw in them.
  if (!value.includes('`') && !hasUnsafeChar(value) && /\\/u.test(value)) {
    return '`' + value + '`';
  }
  return jsonStringLiteral(value);
}

/** A Rego regex literal: always raw when possible, since regexes are full of backslashes. */
export function regoRegex(pattern: string): string {
  if (!pattern.includes('`') && !hasUnsafeChar(pattern)) return '`' + pattern + '`';
  return jsonStringLiteral(pattern);
}

/**
 * A number literal with the exact value of a float64. Integers are printed in full (Rego
 * numbers are arbitrary precision, and `1e+21` style exponents are avoided), other values
 * with the shortest round-tripping decimal.
 */
export function regoNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  if (Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
}

/** Whole seconds as a Rego nanosecond integer, exactly (may exceed 2^53). */
export function regoNanoseconds(seconds: number): string {
  return (BigInt(seconds) * 1_000_000_000n).toString();
}

/** A JSON-ish value (strings, numbers, booleans, null, arrays, objects) as Rego text. */
export function regoValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return jsonStringLiteral(value);
  if (typeof value === 'number') return regoNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(regoValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${jsonStringLiteral(k)}: ${regoValue(v)}`).join(', ')}}`;
  }
  throw new Error(`no Rego literal for ${typeof value}`);
}
