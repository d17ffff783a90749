// Type checking: typed trees for good expressions, and every type error, each at the
// operand or name it is about.

import { describe, expect, it } from 'vitest';
import { compileExpr } from '../../src/expr/index.js';
import { PATH_TYPES, type PathName } from '../../src/ir/types.js';
import { errorsOf, expectOneError, spanOf } from './helpers.js';

describe('typed trees', () => {
  it('builds the IR of a comparison', () => {
    expect(compileExpr('image.tag != "latest"', 'when')).toEqual({
      expr: {
        kind: 'compare',
        type: 'bool',
        op: '!=',
        operandType: 'string',
        left: { kind: 'path', type: 'string', path: 'image.tag' },
        right: { kind: 'string', type: 'string', value: 'latest' },
      },
      diagnostics: [],
    });
  });

  it('types every known name as PATH_TYPES says', () => {
    for (const [path, type] of Object.entries(PATH_TYPES) as [PathName, string][]) {
      const other = type === 'duration' ? '1d' : '"x"';
      const r = compileExpr(`${path} == ${other}`, 'require');
      expect(r.expr).toMatchObject({ operandType: type, left: { kind: 'path', path, type } });
    }
  });

  it('compares durations and numbers by order', () => {
    expect(compileExpr('signature.age <= 30d', 'require').expr).toMatchObject({
      kind: 'compare',
      op: '<=',
      operandType: 'duration',
      right: { kind: 'duration', type: 'duration', seconds: 2_592_000 },
    });
    expect(compileExpr('2.5 > 1', 'when').expr).toMatchObject({ operandType: 'number' });
  });

  it('compares lists elementwise and bools by value', () => {
    expect(compileExpr('["a", owner] == [image.tag, "b"]', 'when').expr).toMatchObject({ operandType: 'list' });
    expect(compileExpr('[] != ["a"]', 'when').expr).toMatchObject({ operandType: 'list', left: { items: [] } });
    expect(compileExpr('(owner == "a") == false', 'when').expr).toMatchObject({ operandType: 'bool' });
  });

  it('builds in, startsWith, endsWith', () => {
    expect(compileExpr('image.tag in ["1.0", image.namespace]', 'when').expr).toEqual({
      kind: 'in',
      type: 'bool',
      left: { kind: 'path', type: 'string', path: 'image.tag' },
      right: {
        kind: 'list',
        type: 'list',
        items: [
          { kind: 'string', type: 'string', value: '1.0' },
          { kind: 'path', type: 'string', path: 'image.namespace' },
        ],
      },
    });
    expect(compileExpr('signature.pds startsWith "https://"', 'require').expr).toMatchObject({ kind: 'startsWith' });
    expect(compileExpr('signature.handle endsWith ".example.com"', 'require').expr).toMatchObject({ kind: 'endsWith' });
  });

  it('compiles a matches glob like a scope glob', () => {
    expect(compileExpr('image.name matches "atcr.io/**/prod-?"', 'when').expr).toEqual({
      kind: 'matches',
      type: 'bool',
      left: { kind: 'path', type: 'string', path: 'image.name' },
      glob: 'atcr.io/**/prod-?',
      regex: '^atcr\\.io\\/[\\s\\S]*\\/prod-[^/]$',
    });
  });

  it('flattens a written chain into one n-ary node, keeping parenthesized groups nested', () => {
    const flat = compileExpr('owner == "a" and owner == "b" and owner == "c"', 'when').expr;
    expect(flat).toMatchObject({ kind: 'and', args: [{}, {}, {}] });
    const nested = compileExpr('(owner == "a" and owner == "b") and owner == "c"', 'when').expr;
    expect(nested).toMatchObject({ kind: 'and', args: [{ kind: 'and', args: [{}, {}] }, { kind: 'compare' }] });
  });

  it('drops parentheses around a single operand', () => {
    expect(compileExpr('((owner)) == ("a")', 'when').expr).toEqual(compileExpr('owner == "a"', 'when').expr);
  });

  it('accepts bool literals as whole expressions', () => {
    expect(compileExpr('true', 'when').expr).toEqual({ kind: 'bool', type: 'bool', value: true });
    expect(compileExpr('not false or true', 'when').expr).toMatchObject({ kind: 'or', args: [{ kind: 'not' }, { kind: 'bool' }] });
  });
});

describe('type errors', () => {
  it.each([
    ['image.tag == 1', '1', /same type: the left side is a string, this is a number/],
    ['signature.age != "1d"', '"1d"', /left side is a duration, this is a string/],
    ['["a"] == "a"', '"a"', /left side is a list/],
  ])('%j: == and != need equal types', (text, at, msg) => {
    expect(expectOneError(text, 'expr-type', spanOf(text, at, text.indexOf('=')), 'require').message).toMatch(msg);
  });

  it.each([
    ['image.tag < "b"', 'image.tag', /needs two numbers or two durations, but this is a string/],
    ['true >= false', 'true', /this is a condition/],
    ['signature.age > 30', '30', /write a duration such as 30d/],
    ['1 <= 1d', '1d', /the left side is a number, this is a duration/],
  ])('%j: ordering needs two numbers or two durations', (text, at, msg) => {
    expect(expectOneError(text, 'expr-type', at, 'require').message).toMatch(msg);
  });

  it('checks both sides of in', () => {
    const text = '["a"] in image.tag';
    const d = errorsOf(text, 'when');
    expect(d).toEqual([
      expect.objectContaining({ rule: 'expr-type', ...spanOf(text, '["a"]'), message: expect.stringMatching(/left side of "in" must be a string/) }),
      expect.objectContaining({ rule: 'expr-type', ...spanOf(text, 'image.tag'), message: expect.stringMatching(/right side of "in" must be a list/) }),
    ]);
  });

  it('requires string list items', () => {
    const text = 'image.tag in ["a", 1, signature.age, ["b"], true]';
    expect(errorsOf(text, 'require').map((d) => [d.rule, d.offset, d.length])).toEqual([
      ['expr-type', ...Object.values(spanOf(text, '1'))],
      ['expr-type', ...Object.values(spanOf(text, 'signature.age'))],
      ['expr-type', ...Object.values(spanOf(text, '["b"]'))],
      ['expr-type', ...Object.values(spanOf(text, 'true'))],
    ]);
  });

  it('checks startsWith and endsWith operands', () => {
    expectOneError('signature.age startsWith "1"', 'expr-type', 'signature.age');
    expectOneError('owner endsWith 5', 'expr-type', '5');
  });

  it('requires a string on the left of matches', () => {
    expectOneError('signature.age matches "1*"', 'expr-type', 'signature.age');
  });

  it('requires a string literal glob on the right of matches', () => {
    const d = expectOneError('image.name matches owner', 'expr-type', 'owner', 'when');
    expect(d.message).toMatch(/string literal/);
    expectOneError('image.name matches ["a"]', 'expr-type', '["a"]', 'when');
  });

  it('accepts a parenthesized glob literal', () => {
    expect(compileExpr('image.tag matches ("v*")', 'when').expr).toMatchObject({ glob: 'v*' });
  });

  it('reports an invalid glob as invalid-scope at the offending character', () => {
    const text = 'image.name matches "atcr.io/{a,b}"';
    const d = expectOneError(text, 'invalid-scope', '{', 'when');
    expect(d.message).toMatch(/'\{' is not allowed/);
    expectOneError('image.name matches "a b"', 'invalid-scope', { offset: 21, length: 1 }, 'when');
  });

  it('maps the glob error position through escapes', () => {
    const text = 'image.name matches "a\\"\\\\"';
    // The glob is a"\ ; the backslash (value offset 2) is written as \\ in the text.
    expectOneError(text, 'invalid-scope', { offset: text.indexOf('\\\\'), length: 2 }, 'when');
  });

  it('reports an empty glob at the whole string', () => {
    expectOneError('image.tag matches ""', 'invalid-scope', '""', 'when');
  });

  it('requires conditions around and, or, not', () => {
    const text = 'image.tag and owner == "a" or 5';
    expect(errorsOf(text, 'when').map((d) => [d.rule, d.offset, d.length])).toEqual([
      ['expr-type', ...Object.values(spanOf(text, 'image.tag'))],
      ['expr-type', ...Object.values(spanOf(text, '5'))],
    ]);
    expectOneError('not owner', 'expr-type', 'owner', 'when');
  });

  it('requires the whole expression to be a condition', () => {
    const d = expectOneError('image.tag', 'expr-type', 'image.tag', 'when');
    expect(d.message).toMatch(/must be a condition/);
    expectOneError('(signature.age)', 'expr-type', '(signature.age)');
  });

  it('reports every type error, in text order', () => {
    const text = 'image.tga == "a" and owner < "b" or signature.age > 1';
    const d = errorsOf(text, 'require');
    expect(d.map((x) => x.offset)).toEqual([0, text.indexOf('owner'), text.indexOf('1', text.indexOf('>'))]);
  });

  it('does not cascade: a bad operand gives one error, not one per enclosing node', () => {
    expect(errorsOf('not (image.tga == "a" and true)', 'when')).toHaveLength(1);
  });
});

describe('names', () => {
  it('suggests the nearest known name', () => {
    expect(expectOneError('image.tga == "x"', 'expr-type', 'image.tga', 'when').message).toMatch(/unknown name "image.tga"; did you mean "image.tag"\?/);
    expect(expectOneError('onwer == "x"', 'expr-type', 'onwer', 'when').message).toMatch(/did you mean "owner"/);
    expect(expectOneError('signature.dd == "x"', 'expr-type', 'signature.dd').message).toMatch(/did you mean "signature.did"/);
  });

  it('gives no suggestion when nothing is close', () => {
    expect(expectOneError('xyz == "x"', 'expr-type', 'xyz', 'when').message).not.toMatch(/did you mean/);
    expect(expectOneError('cluster.region == "x"', 'expr-type', 'cluster.region', 'when').message).not.toMatch(/did you mean/);
  });

  it('explains that image and signature are not values themselves', () => {
    expect(expectOneError('image == "x"', 'expr-type', 'image', 'when').message).toMatch(/image.registry/);
    expect(expectOneError('signature == "x"', 'expr-type', 'signature').message).toMatch(/signature.did/);
  });

  it('does not suggest a signature name inside when', () => {
    expect(expectOneError('signatur.did == "x"', 'expr-type', 'signatur.did', 'when').message).not.toMatch(/signature/);
  });

  it('reports every signature.* name inside when as signature-in-when', () => {
    const text = 'signature.did == "a" or image.tag == signature.handle or signature.nope == "x"';
    const d = errorsOf(text, 'when');
    expect(d.map((x) => [x.rule, x.offset, x.length])).toEqual([
      ['signature-in-when', ...Object.values(spanOf(text, 'signature.did'))],
      ['signature-in-when', ...Object.values(spanOf(text, 'signature.handle'))],
      ['signature-in-when', ...Object.values(spanOf(text, 'signature.nope'))],
    ]);
    expect(d[0]!.message).toMatch(/require\.expr/);
  });

  it('allows signature.* names in require.expr', () => {
    expect(compileExpr('signature.did == owner and signature.age < 1h', 'require').diagnostics).toEqual([]);
  });

  it('reads a path with spaces around the dots as the same name', () => {
    expect(compileExpr('image . tag == "a"', 'when').expr).toMatchObject({ left: { path: 'image.tag' } });
  });
});
