// Canonical text of an IRExpr. Parentheses appear only where the grammar needs them,
// plus around an `and`/`or` nested directly in one of the same kind: the parser flattens
// only what was written as one chain, so `(a and b) and c` is a nested tree and prints
// back as written. compileExpr(printExpr(e)) deep-equals e for every well-typed tree whose
// strings hold no line breaks (the lexer rejects those inside string literals).

import type { IRExpr } from './types.js';
import { formatDuration } from './duration.js';

/** Binding strength: or < and < unary (not) < compare < operand. */
const Level = { Or: 0, And: 1, Unary: 2, Compare: 3, Operand: 4 } as const;
type Level = (typeof Level)[keyof typeof Level];

export function printExpr(e: IRExpr): string {
  return print(e);
}

function levelOf(e: IRExpr): Level {
  switch (e.kind) {
    case 'or':
      return Level.Or;
    case 'and':
      return Level.And;
    case 'not':
      return Level.Unary;
    case 'compare':
    case 'in':
    case 'matches':
    case 'startsWith':
    case 'endsWith':
      return Level.Compare;
    case 'string':
    case 'number':
    case 'bool':
    case 'duration':
    case 'list':
    case 'path':
      return Level.Operand;
  }
}

/** Prints `e` where the grammar expects at least `min`; wraps it in parentheses otherwise. */
function at(e: IRExpr, min: Level): string {
  const text = print(e);
  return levelOf(e) >= min ? text : `(${text})`;
}

function print(e: IRExpr): string {
  switch (e.kind) {
    case 'string':
      return quote(e.value);
    case 'number':
      return formatNumber(e.value);
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'duration':
      return formatDuration(e.seconds);
    case 'list':
      return `[${e.items.map((i) => at(i, Level.Operand)).join(', ')}]`;
    case 'path':
      return e.path;
    case 'compare':
      return `${at(e.left, Level.Operand)} ${e.op} ${at(e.right, Level.Operand)}`;
    case 'in':
    case 'startsWith':
    case 'endsWith':
      return `${at(e.left, Level.Operand)} ${e.kind} ${at(e.right, Level.Operand)}`;
    case 'matches':
      return `${at(e.left, Level.Operand)} matches ${quote(e.glob)}`;
    case 'not':
      return `not ${at(e.arg, Level.Unary)}`;
    case 'and':
      // An `and` argument is a unary; a nested `and` needs parentheses to stay nested.
      return e.args.map((a) => at(a, Level.Unary)).join(' and ');
    case 'or':
      // An `or` argument is an `and` chain or tighter; a nested `or` stays parenthesized.
      return e.args.map((a) => at(a, Level.And)).join(' or ');
  }
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Decimal digits only (the grammar has no exponent or sign): the shortest round-trip
 * digits of the float, with any exponent written out as zeros.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`an expression number is finite and not negative, got ${n}`);
  const s = String(n);
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[1]! + (m[2] ?? '');
  const exp = Number(m[3]);
  // The value is 0.digits × 10^(exp + 1): place the point after exp + 1 digits.
  const point = exp + 1;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
