// Properties: printing is exact (print → compile gives the same tree), and no input
// whatsoever makes compileExpr throw or point outside the text.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpr, printExpr, type ExprContext, type ExprRule } from '../../src/expr/index.js';
import { formatNumber } from '../../src/expr/printer.js';
import { irExpr } from './arbitraries.js';

const RULES: ExprRule[] = ['expr-syntax', 'expr-type', 'signature-in-when', 'invalid-scope', 'invalid-duration'];

function expectWellFormedResult(text: string, context: ExprContext): void {
  const r = compileExpr(text, context);
  if (r.expr) {
    expect(r.diagnostics).toEqual([]);
    expect(r.expr.type).toBe('bool');
    // Whatever compiles prints back to text that compiles to the same tree.
    expect(compileExpr(printExpr(r.expr), context)).toEqual({ expr: r.expr, diagnostics: [] });
  } else {
    expect(r.diagnostics.length).toBeGreaterThan(0);
  }
  for (const d of r.diagnostics) {
    expect(RULES).toContain(d.rule);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.offset).toBeGreaterThanOrEqual(0);
    expect(d.length).toBeGreaterThanOrEqual(0);
    expect(d.offset + d.length).toBeLessThanOrEqual(text.length);
  }
}

describe('printExpr', () => {
  it.each(['require', 'when'] as const)('round-trips random well-typed trees (%s)', (context) => {
    fc.assert(
      fc.property(irExpr(context), (e) => {
        const text = printExpr(e);
        fc.pre(text.length <= 4096);
        expect(compileExpr(text, context)).toEqual({ expr: e, diagnostics: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('prints the canonical form', () => {
    const text = '(owner=="a"and(image.tag=="b"and true))or not(signature.age<=1d12h) or image.name matches "x/**"';
    const r = compileExpr(text, 'require');
    expect(printExpr(r.expr!)).toBe(
      'owner == "a" and (image.tag == "b" and true) or not signature.age <= 1d12h or image.name matches "x/**"',
    );
  });

  it('parenthesizes only where the grammar needs it', () => {
    const cases = [
      'not (owner == "a" or true)',
      '(owner == "a") == (owner == "b")',
      '(true or false) and true',
      '(true or false) or true',
      'true or false and true',
      'not not true',
      'image.tag in []',
      'owner == "say \\"hi\\" \\\\ bye"',
    ];
    for (const text of cases) expect(printExpr(compileExpr(text, 'when').expr!)).toBe(text);
  });

  it('writes numbers as plain decimals the lexer reads back exactly', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = formatNumber(v);
        expect(text).toMatch(/^\d+(\.\d+)?$/);
        expect(Number(text)).toBe(v + 0);
      }),
      { numRuns: 500 },
    );
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(1.5e-7)).toBe('0.00000015');
    expect(formatNumber(1.25e22)).toBe('12500000000000000000000');
  });
});

describe('robustness', () => {
  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.constantFrom<ExprContext>('when', 'require'), (text, context) =>
        expectWellFormedResult(text, context),
      ),
      { numRuns: 400 },
    );
  });

  it('never throws on random token soups', () => {
    const token = fc.oneof(
      fc.constantFrom(
        'and', 'or', 'not', 'in', 'matches', 'startsWith', 'endsWith', 'true', 'false',
        '==', '!=', '<', '<=', '>', '>=', '=', '!', '(', ')', '[', ']', ',', '.', '-', "'",
        'image.tag', 'image.name', 'owner', 'signature.did', 'signature.age', 'image', 'x', 'notary',
        '"a"', '"v*"', '"[x"', '""', '"\\q"', '"open', '"\\"', '1', '1.5', '0', '30d', '1d12h', '0s', '5dx', '1.', '99999999999w',
      ),
      fc.string({ unit: 'binary', maxLength: 3 }),
    );
    const sep = fc.constantFrom(' ', '', '\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(token, sep), { maxLength: 30 }), fc.constantFrom<ExprContext>('when', 'require'), (parts, context) =>
        expectWellFormedResult(parts.map(([t, s]) => t + s).join(''), context),
      ),
      { numRuns: 600 },
    );
  });

  it('never throws on well-typed text with one token damaged', () => {
    fc.assert(
      fc.property(irExpr('require'), fc.nat(), fc.string({ maxLength: 2 }), (e, pos, junk) => {
        const text = printExpr(e);
        const at = pos % (text.length + 1);
        expectWellFormedResult(text.slice(0, at) + junk + text.slice(at + 1), 'require');
      }),
      { numRuns: 300 },
    );
  });
});
