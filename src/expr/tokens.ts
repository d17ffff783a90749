// The expression lexer. Token order matters: Chevrotain takes the first pattern that
// matches, so keywords come before IDENT (with `longer_alt` so `android` stays a name),
// two-character operators before one-character ones, and the well-formed literals before
// the catch-all "bad" tokens that exist only to produce precise error messages.

import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });

export const IDENT = createToken({ name: 'IDENT', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

function keyword(word: string): TokenType {
  return createToken({ name: word, pattern: new RegExp(word), longer_alt: IDENT, label: `"${word}"` });
}

export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const In = keyword('in');
export const Matches = keyword('matches');
export const StartsWith = keyword('startsWith');
export const EndsWith = keyword('endsWith');
export const True = keyword('true');
export const False = keyword('false');

function punct(name: string, text: string): TokenType {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return createToken({ name, pattern: new RegExp(escaped), label: `"${text}"` });
}

export const Eq = punct('Eq', '==');
export const Ne = punct('Ne', '!=');
export const Le = punct('Le', '<=');
export const Ge = punct('Ge', '>=');
export const Lt = punct('Lt', '<');
export const Gt = punct('Gt', '>');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const Comma = punct('Comma', ',');
export const Dot = punct('Dot', '.');

export const STRING = createToken({ name: 'STRING', pattern: /"(?:[^"\\\r\n]|\\["\\])*"/, label: 'a string' });
/** A string with an unknown escape, or one a newline or the end cuts off. */
export const BadString = createToken({ name: 'BadString', pattern: /"(?:[^"\\\r\n]|\\[^\r\n]?)*"?/ });

// A number or duration must not run into name characters or another dot: `5dx`, `1.2.3`
// and `7y` are one malformed token, not a number followed by a name.
export const DURATION = createToken({ name: 'DURATION', pattern: /(?:\d+[wdhms])+(?![A-Za-z0-9_.])/, label: 'a duration' });
export const NUMBER = createToken({ name: 'NUMBER', pattern: /\d+(?:\.\d+)?(?![A-Za-z0-9_.])/, label: 'a number' });
export const BadNumber = createToken({ name: 'BadNumber', pattern: /\d[A-Za-z0-9_.]*/ });

export const allTokens: TokenType[] = [
  WhiteSpace,
  STRING,
  BadString,
  DURATION,
  NUMBER,
  BadNumber,
  Eq,
  Ne,
  Le,
  Ge,
  Lt,
  Gt,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  And,
  Or,
  Not,
  In,
  Matches,
  StartsWith,
  EndsWith,
  True,
  False,
  IDENT,
];

/** Tokens the parser never sees: the lexer stage turns them into diagnostics. */
export const badTokens: ReadonlySet<TokenType> = new Set([BadString, BadNumber]);

/** The comparison operators, in grammar order (the `compareOp` rule). */
export const compareOpTokens: readonly TokenType[] = [Eq, Ne, Lt, Le, Gt, Ge, In, Matches, StartsWith, EndsWith];

export const exprLexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false });
