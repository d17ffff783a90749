// The expression language of trust policies (`when` and `require.expr`), as stages:
// lexer (./tokens.ts) → parser (./parser.ts, syntax tree with spans) → type checker
// (./checker.ts) → typed IRExpr. The language is described in docs/expressions.md.

import type { IToken } from 'chevrotain';
import type { IRExpr } from '../ir/types.js';
import { checkTree } from './checker.js';
import type { ExprContext, ExprDiagnostic } from './diagnostic.js';
import { parseTokens } from './parser.js';
import { BadNumber, BadString, badTokens, exprLexer } from './tokens.js';

export type { ExprContext, ExprDiagnostic, ExprRule } from './diagnostic.js';
export { printExpr } from './printer.js';
export { formatDuration, parseDuration, MAX_DURATION_SECONDS } from './duration.js';

export const MAX_EXPR_LENGTH = 4096;
export { MAX_DEPTH } from './parser.js';

/**
 * Compiles expression text for `context` into a typed tree. Never throws on user input:
 * on any error `expr` is null and `diagnostics` says what and where (the first syntax
 * error, or every type error).
 */
export function compileExpr(text: string, context: ExprContext): { expr: IRExpr | null; diagnostics: ExprDiagnostic[] } {
  // The YAML loader may hand over whatever the document held.
  if (typeof text !== 'string') return fail(`an expression must be text, got ${text === null ? 'null' : typeof text}`, 0, 0);
  if (text.length > MAX_EXPR_LENGTH) {
    return fail(`an expression is at most ${MAX_EXPR_LENGTH} characters; this one has ${text.length}`, MAX_EXPR_LENGTH, text.length - MAX_EXPR_LENGTH);
  }
  if (text.trim() === '') return fail('the expression is empty: write a condition such as image.tag != "latest"', 0, text.length);
  const lexed = exprLexer.tokenize(text);
  const lexError = firstLexicalError(text, lexed.tokens, lexed.errors);
  if (lexError) return { expr: null, diagnostics: [lexError] };

  const parsed = parseTokens(lexed.tokens, text);
  if ('error' in parsed) return fail(parsed.error.message, parsed.error.start, parsed.error.end - parsed.error.start);
  return checkTree(parsed.tree, context, text);
}

function fail(message: string, offset: number, length: number): { expr: null; diagnostics: ExprDiagnostic[] } {
  return { expr: null, diagnostics: [{ rule: 'expr-syntax', message, offset, length }] };
}

/** The earliest lexical problem: a character no token starts with, or a bad literal. */
function firstLexicalError(text: string, tokens: IToken[], errors: { offset: number }[]): ExprDiagnostic | null {
  const bad = tokens.find((t) => badTokens.has(t.tokenType));
  const unknown = errors[0];
  if (unknown && (!bad || unknown.offset < bad.startOffset)) return unexpectedCharacter(text, unknown.offset);
  if (!bad) return null;
  if (bad.tokenType === BadString) return badString(text, bad);
  if (bad.tokenType === BadNumber) {
    return syntax(
      `"${bad.image}" is not a number or a duration: numbers are digits with an optional fraction (12, 0.5), durations are <number><unit> pairs with units w, d, h, m, s (30d, 1d12h); put a space before a following word`,
      bad.startOffset,
      bad.image.length,
    );
  }
  return null;
}

const CHARACTER_HINTS: Readonly<Record<string, string>> = {
  '=': '; compare with "=="',
  '!': '; negate with "not", or compare with "!="',
  '&': '; join conditions with "and"',
  '|': '; join conditions with "or"',
  "'": '; strings are written in double quotes',
  '-': '; numbers and durations cannot be negative',
};

function unexpectedCharacter(text: string, offset: number): ExprDiagnostic {
  const ch = String.fromCodePoint(text.codePointAt(offset)!);
  const shown = /^[\x21-\x7e]$/.test(ch) ? `"${ch}"` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return syntax(`unexpected character ${shown}${CHARACTER_HINTS[ch] ?? ''}`, offset, ch.length);
}

function badString(text: string, tok: IToken): ExprDiagnostic {
  const image = tok.image;
  for (let i = 1; i < image.length; i++) {
    if (image[i] !== '\\') continue;
    const next = image[i + 1];
    if (next === '"' || next === '\\') {
      i += 1;
      continue;
    }
    if (next === undefined) break;
    return syntax(`unknown escape "\\${next}" in a string: only \\" and \\\\ are allowed`, tok.startOffset + i, 2);
  }
  const after = text[tok.startOffset + image.length];
  const message = after === '\n' || after === '\r' ? 'a string must end on the line it starts: add the closing "' : 'this string is not closed: add the closing "';
  return syntax(message, tok.startOffset, image.length);
}

function syntax(message: string, offset: number, length: number): ExprDiagnostic {
  return { rule: 'expr-syntax', message, offset, length };
}
