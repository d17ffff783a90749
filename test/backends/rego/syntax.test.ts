// Every generated module parses as Rego v1; the checker rejects malformed Rego, so a
// passing parse means something.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regoModule } from '../../../src/backends/rego/index.js';
import { RegoSyntaxError } from '../../support/rego/lexer.js';
import { parseModule } from '../../support/rego/parser.js';
import { checkModule } from '../../support/rego/check.js';
import { irDocument } from './arbitraries.js';
import { emptyDoc, expressionsDoc, productionDoc } from './fixtures.js';

describe('generated modules are valid Rego v1', () => {
  it('parses the fixture modules, with package atcr.trust and rule decision', () => {
    for (const ir of [productionDoc, expressionsDoc, emptyDoc]) {
      const m = parseModule(regoModule(ir));
      expect(m.package).toBe('atcr.trust');
      expect(m.imports).toEqual(['rego.v1']);
      expect(m.rules.some((r) => r.name === 'decision')).toBe(true);
    }
  });

  it('parses the module of any random IR document, with every name bound and known', () => {
    fc.assert(
      fc.property(irDocument, (ir) => {
        expect(checkModule(parseModule(regoModule(ir)))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('has every name bound and known in the fixture modules', () => {
    for (const ir of [productionDoc, expressionsDoc, emptyDoc]) expect(checkModule(parseModule(regoModule(ir)))).toEqual([]);
  });

  it('never calls http.send or reads the clock', () => {
    const text = regoModule(productionDoc);
    expect(text).not.toMatch(/http\.send|time\.now_ns|opa\.runtime/u);
  });
});

/** Each source is malformed in one way; `rejects` says how the checker must notice. */
const MALFORMED: [string, string, 'syntax' | 'names'][] = [
  ['an unsafe variable', 'package p\n\nx if {\n\ty == 1\n\ty := 2\n}\n', 'names'],
  ['an undefined rule', 'package p\n\nx := nope\n', 'names'],
  ['an unknown function', 'package p\n\nx := nope(1)\n', 'names'],
  ['a head variable the body does not bind', 'package p\n\nx := y if true\n', 'names'],
  ['reading `_`', 'package p\n\nx := _\n', 'names'],
  ['assigning a variable twice', 'package p\n\nf(a) := b if {\n\ta := 1\n\tb := a\n}\n', 'names'],
  ['missing package', 'import rego.v1\nx := 1\n', 'syntax'],
  ['v0 body without if', 'package p\nallow { true }\n', 'syntax'],
  ['unterminated string', 'package p\nx := "abc\n', 'syntax'],
  ['double not', 'package p\nx if {\n\tnot not true\n}\n', 'syntax'],
  ['unbalanced brackets', 'package p\nx := [1, 2\n', 'syntax'],
  ['two expressions on a line', 'package p\nx if {\n\ttrue true\n}\n', 'syntax'],
  ['empty body', 'package p\nx if {\n}\n', 'syntax'],
  ['keyword as a name', 'package p\nnot := 1\n', 'syntax'],
  ['else on a multi-value rule', 'package p\nx contains 1 if true else := 2\n', 'syntax'],
];

describe('the checker rejects malformed Rego', () => {
  for (const [what, source, rejects] of MALFORMED) {
    it(what, () => {
      if (rejects === 'syntax') expect(() => parseModule(source)).toThrow(RegoSyntaxError);
      else expect(checkModule(parseModule(source))).not.toEqual([]);
    });
  }
});
