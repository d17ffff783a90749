// Syntax errors: the first one is reported, as expr-syntax, at the offending token.

import { describe, expect, it } from 'vitest';
import { compileExpr, MAX_DEPTH, MAX_EXPR_LENGTH } from '../../src/expr/index.js';
import { expectOneError, spanOf } from './helpers.js';

describe('grammar', () => {
  it('rejects chained comparisons at the second operator', () => {
    const d = expectOneError('image.tag == owner == "x"', 'expr-syntax', { offset: 19, length: 2 });
    expect(d.message).toMatch(/do not chain/);
  });

  it('rejects a comparison chain of mixed operators', () => {
    expectOneError('signature.age < 1d <= 2d', 'expr-syntax', '<=');
  });

  it('accepts a parenthesized comparison as an operand', () => {
    expect(compileExpr('(image.tag == "a") == (owner == "b")', 'when').diagnostics).toEqual([]);
  });

  it('reads `not a == b` as not (a == b)', () => {
    const r = compileExpr('not image.tag == "latest"', 'when');
    expect(r.expr).toMatchObject({ kind: 'not', arg: { kind: 'compare', op: '==' } });
  });

  it('binds `and` tighter than `or`', () => {
    const r = compileExpr('owner == "a" or owner == "b" and image.tag == "c"', 'when');
    expect(r.expr).toMatchObject({ kind: 'or', args: [{ kind: 'compare' }, { kind: 'and', args: [{}, {}] }] });
  });

  it('reports an empty expression over its whole text', () => {
    const d = expectOneError('', 'expr-syntax', { offset: 0, length: 0 });
    expect(d.message).toMatch(/the expression is empty/);
    expectOneError(' \n ', 'expr-syntax', { offset: 0, length: 3 });
  });

  it('reports an operator at the start, naming what may begin an expression', () => {
    const d = expectOneError('== "a"', 'expr-syntax', '==');
    expect(d.message).toMatch(/expected "not" or an operand \(a string, number, duration, true, false, a list, a name or "\("\) but found "=="/);
  });

  it('reports a missing right operand at the end of the text', () => {
    const d = expectOneError('image.tag ==', 'expr-syntax', { offset: 12, length: 0 });
    expect(d.message).toMatch(/but found the end of the expression/);
  });

  it('reports a missing closing parenthesis', () => {
    const d = expectOneError('(image.tag == "a"', 'expr-syntax', { offset: 17, length: 0 });
    expect(d.message).toMatch(/expected "\)"/);
  });

  it('reports an unclosed list, naming both ways to go on', () => {
    const d = expectOneError('image.tag in ["a" "b"]', 'expr-syntax', '"b"');
    expect(d.message).toMatch(/expected "," or "\]"/);
  });

  it('reports input left over after a complete expression', () => {
    const d = expectOneError('image.tag == "a" owner', 'expr-syntax', 'owner');
    expect(d.message).toMatch(/expected "and", "or" or the end/);
  });

  it('reports an operator where an operand belongs', () => {
    expectOneError('image.tag == and', 'expr-syntax', 'and');
    expectOneError('and image.tag', 'expr-syntax', 'and');
    expectOneError('image.tag in [,]', 'expr-syntax', ',');
  });

  it('rejects a trailing comma in a list', () => {
    expectOneError('image.tag in ["a",]', 'expr-syntax', ']');
  });

  it('rejects a path ending in a dot or using a keyword as a segment', () => {
    expectOneError('image. == "a"', 'expr-syntax', '==');
    expectOneError('image.in == "a"', 'expr-syntax', 'in');
  });

  it('accepts names that merely start with a keyword', () => {
    // `notary` and `order` are names, not `not`/`or` followed by text; they are unknown names.
    expectOneError('notary == "x"', 'expr-type', 'notary');
    expectOneError('order == "x"', 'expr-type', 'order');
  });

  it('allows whitespace and line breaks between tokens', () => {
    expect(compileExpr('image.tag\n  ==\t"a"\r\n and owner != ""', 'when').diagnostics).toEqual([]);
  });
});

describe('characters', () => {
  it.each([
    ['image.tag = "a"', '=', /"=="/],
    ['image.tag == "a" && owner == "b"', '&', /"and"/],
    ['image.tag == "a" || owner == "b"', '|', /"or"/],
    ["image.tag == 'a'", "'", /double quotes/],
    ['!(image.tag == "a")', '!', /"not"/],
    ['signature.age > -1d', '-', /negative/],
    ['image.tag == "a" ; true', ';', /unexpected character ";"/],
  ])('%j: points at %j with a hint', (text, ch, hint) => {
    const d = expectOneError(text, 'expr-syntax', ch);
    expect(d.message).toMatch(hint);
  });

  it('names a non-ASCII character by code point, with its UTF-16 length', () => {
    const text = 'image.tag == "a" 😀';
    const d = expectOneError(text, 'expr-syntax', '😀');
    expect(d).toMatchObject({ length: 2, message: expect.stringContaining('U+1F600') });
  });

  it('reports the earliest of several lexical errors', () => {
    expectOneError('image.tag = "a\\n" = 5x', 'expr-syntax', { offset: 10, length: 1 });
    expectOneError('5x == "a\\n" = 1', 'expr-syntax', '5x');
  });
});

describe('strings', () => {
  it('reads \\" and \\\\ escapes', () => {
    const r = compileExpr('image.tag == "a\\"b\\\\c"', 'when');
    expect(r.expr).toMatchObject({ right: { kind: 'string', value: 'a"b\\c' } });
  });

  it('keeps non-ASCII text and tabs as written', () => {
    const r = compileExpr('owner == "ü\tß😀"', 'when');
    expect(r.expr).toMatchObject({ right: { value: 'ü\tß😀' } });
  });

  it.each(['\\n', '\\t', '\\u0041', "\\'", '\\x'])('rejects the escape %s at the backslash', (escape) => {
    const text = `owner == "ab${escape}"`;
    const d = expectOneError(text, 'expr-syntax', { offset: text.indexOf('\\'), length: 2 });
    expect(d.message).toMatch(/only \\" and \\\\ are allowed/);
  });

  it('rejects an unterminated string over its whole extent', () => {
    const d = expectOneError('owner == "abc', 'expr-syntax', '"abc');
    expect(d.message).toMatch(/not closed/);
    expectOneError('owner == "abc\\', 'expr-syntax', '"abc\\');
  });

  it('rejects a line break inside a string', () => {
    const d = expectOneError('owner == "ab\ncd"', 'expr-syntax', '"ab');
    expect(d.message).toMatch(/end on the line/);
  });
});

describe('numbers and durations', () => {
  it('reads numbers as float64', () => {
    expect(compileExpr('1.5 < 2', 'when').expr).toMatchObject({ left: { kind: 'number', value: 1.5 }, right: { value: 2 } });
  });

  it.each(['5dx', '1.2.3', '7y', '12.', '3d_', '10mo'])('rejects %s as one malformed token', (tok) => {
    const text = `signature.age < ${tok}`;
    const d = expectOneError(text, 'expr-syntax', tok);
    expect(d.message).toMatch(/not a number or a duration/);
  });

  it('rejects a number too large for float64', () => {
    const big = '9'.repeat(400);
    expectOneError(`${big} > 1`, 'expr-syntax', big);
  });

  it.each([
    ['0s', /zero/],
    ['0d0h', /zero/],
    ['1000000000w', /100 years/],
  ])('rejects the duration %s as invalid-duration', (tok, msg) => {
    const text = `signature.age < ${tok}`;
    expect(expectOneError(text, 'invalid-duration', tok).message).toMatch(msg);
  });

  it('accepts 100 years exactly', () => {
    expect(compileExpr('signature.age < 36525d', 'require').expr).toMatchObject({ right: { kind: 'duration', seconds: 3_155_760_000 } });
  });
});

describe('limits', () => {
  it(`rejects text longer than ${MAX_EXPR_LENGTH} characters`, () => {
    const text = `owner == "${'a'.repeat(MAX_EXPR_LENGTH)}"`;
    const d = expectOneError(text, 'expr-syntax', { offset: MAX_EXPR_LENGTH, length: text.length - MAX_EXPR_LENGTH });
    expect(d.message).toMatch(/at most 4096 characters/);
  });

  it(`accepts ${MAX_DEPTH} levels of nesting and rejects the next at its token`, () => {
    const ok = `${'('.repeat(MAX_DEPTH)}owner == "a"${')'.repeat(MAX_DEPTH)}`;
    expect(compileExpr(ok, 'when').diagnostics).toEqual([]);
    const deep = `${'('.repeat(MAX_DEPTH + 1)}owner == "a"${')'.repeat(MAX_DEPTH + 1)}`;
    expect(expectOneError(deep, 'expr-syntax', { offset: MAX_DEPTH, length: 1 }).message).toMatch(/nest at most 64/);
  });

  it('counts not and lists as nesting', () => {
    const nots = `${'not '.repeat(MAX_DEPTH + 1)}true`;
    expectOneError(nots, 'expr-syntax', { offset: 4 * MAX_DEPTH, length: 3 });
    const mixed = `${'not ('.repeat(40)}true${')'.repeat(40)}`;
    expectOneError(mixed, 'expr-syntax', spanOf(mixed, 'not', 'not ('.repeat(32).length));
  });

  it('never overflows the stack, however deep the input', () => {
    for (const open of ['(', '[', 'not ', 'not (', '[(']) {
      const text = open.repeat(4000).slice(0, MAX_EXPR_LENGTH);
      const r = compileExpr(text, 'when');
      expect(r.expr).toBeNull();
      expect(r.diagnostics[0]).toMatchObject({ rule: 'expr-syntax', message: expect.stringMatching(/nest at most/) });
    }
  });
});

describe('messages', () => {
  it('shows a string found out of place with its own quotes', () => {
    const d = expectOneError('owner "a"', 'expr-syntax', '"a"');
    expect(d.message).toMatch(/found the string "a" after/);
  });

  it('rejects a value that is not text (as YAML may deliver it)', () => {
    const r = compileExpr(42 as unknown as string, 'when');
    expect(r.expr).toBeNull();
    expect(r.diagnostics[0]).toMatchObject({ rule: 'expr-syntax', message: expect.stringMatching(/must be text, got number/) });
  });
});
