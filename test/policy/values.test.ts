// Value checks (trust-policy.md): scopes, durations, DIDs (ATProto DID syntax, checked
// against the atproto interop vectors) and expressions, each reported at the exact place in
// the YAML, for expressions at the offending token whatever the scalar style.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isValidDid } from '../../src/policy/check.js';
import { at, brief, compile, diagnostics } from './helpers.js';

const vectors = (name: string): string[] =>
  readFileSync(new URL(`../fixtures/atproto-interop/syntax/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));

const withDids = (dids: readonly string[]) =>
  `version: 1\npolicies:\n  - name: a\n    scope: x/y\n    require:\n      trustedDIDs:\n${dids.map((d) => `        - ${JSON.stringify(d)}\n`).join('')}`;

describe('DIDs', () => {
  it('accepts every valid DID of the atproto interop vectors', () => {
    const valid = vectors('did_syntax_valid.txt');
    expect(valid.length).toBeGreaterThan(20);
    for (const d of valid) expect(isValidDid(d), d).toBe(true);
    expect(compile(withDids(valid)).diagnostics).toEqual([]);
  });

  it('rejects every invalid DID of the atproto interop vectors, each at its own line', () => {
    const invalid = vectors('did_syntax_invalid.txt');
    expect(invalid.length).toBeGreaterThan(10);
    for (const d of invalid) expect(isValidDid(d), d).toBe(false);
    const t = withDids(invalid);
    const ds = diagnostics(t);
    expect(ds.map((d) => d.rule)).toEqual(invalid.map(() => 'invalid-did'));
    // Item k sits on line 7 + k, after "        - ".
    expect(ds.map((d) => [d.line, d.column])).toEqual(invalid.map((_, k) => [7 + k, 11]));
  });

  it('a handle is rejected with a message that says it is a handle and why', () => {
    const handles = vectors('handle_syntax_valid.txt').filter((h) => !h.startsWith('did:'));
    const ds = diagnostics(withDids(handles));
    expect(ds).toHaveLength(handles.length);
    for (const d of ds) {
      expect(d.rule).toBe('invalid-did');
      expect(d.message).toMatch(/is a handle, not a DID; handles change hands/);
    }
  });

  it('a string that is neither DID nor handle gets the general message', () => {
    const t = withDids(['not a did', 'did:plc']);
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([
      { ...at(t, '"not a did"'), rule: 'invalid-did' },
      { ...at(t, '"did:plc"'), rule: 'invalid-did' },
    ]);
    for (const d of ds) expect(d.message).toMatch(/is not a valid DID .*or the word owner/);
  });

  it('owner is accepted as a word, and DIDs in defaults are checked too', () => {
    const t = 'version: 1\ndefaults:\n  require:\n    trustedDIDs: [owner, alice.example.com]\n';
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, 'alice.example.com'), rule: 'invalid-did' }]);
  });
});

describe('scopes and durations', () => {
  it('a rejected character in a scope is invalid-scope at that character', () => {
    for (const [glob, bad] of [
      ['atcr.io/[a]/*', '['],
      ['atcr.io/{a,b}', '{'],
      ['atcr.io/a\\\\b', '\\'],
      ['atcr.io/a b', ' '],
      ['atcr.io/a]', ']'],
    ] as const) {
      const t = `version: 1\npolicies:\n  - name: a\n    scope: "${glob}"\n`;
      const ds = diagnostics(t);
      expect(brief(ds), glob).toEqual([{ ...at(t, glob, 0, glob.indexOf(bad)), rule: 'invalid-scope' }]);
    }
  });

  it('a bad scope in a list is reported at that item only', () => {
    const t = 'version: 1\npolicies:\n  - name: a\n    scope:\n      - atcr.io/ok/*\n      - "atcr.io/}"\n';
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, '}'), rule: 'invalid-scope' }]);
  });

  it('zero, malformed and unit-less durations are invalid-duration at the value', () => {
    for (const v of ['0d', '0s', '0w0d', '30', '30x', 'd', '1.5d', '-1d', '1d 2h', '30D', '99999w', '9'.repeat(30) + 's']) {
      const t = `version: 1\ndefaults:\n  require:\n    maxAge: "${v}"\n`;
      const ds = diagnostics(t);
      expect(brief(ds), v).toEqual([{ ...at(t, `"${v}"`), rule: 'invalid-duration' }]);
      expect(ds[0]!.message.startsWith('maxAge: ')).toBe(true);
    }
  });

  it('valid durations lower to whole seconds', () => {
    for (const [v, s] of [
      ['30d', 30 * 86400],
      ['1d12h', 36 * 3600],
      ['90m', 5400],
      ['2w', 14 * 86400],
      ['1w1d1h1m1s', 7 * 86400 + 86400 + 3600 + 61],
      ['45s', 45],
    ] as const) {
      const c = compile(`version: 1\npolicies:\n  - name: a\n    scope: x\n    require: { maxAge: ${v} }\n`);
      expect(c.diagnostics, v).toEqual([]);
      expect(c.ir!.policies[0]!.require.maxAgeSeconds, v).toBe(s);
    }
  });
});

describe('expression errors point at the offending token inside the YAML scalar', () => {
  const doc = (field: string) => `version: 1\npolicies:\n  - name: a\n    scope: x/y\n${field}`;
  // Each case writes the bad operand `3` once (the only 3 in the document); the error must point at it.
  const cases: [string, string][] = [
    ['plain', '    when: image.tag == "x" and image.tag == 3\n'],
    ['single-quoted', `    when: 'image.tag == "it''s" and image.tag == 3'\n`],
    ['double-quoted', '    when: "image.tag == \\"x\\" and image.tag == 3"\n'],
    ['double-quoted with escapes', '    when: "image.tag == \\"\\u00e9\\\\\\\\\\" and image.tag == 3"\n'],
    ['literal block', '    when: |\n      image.tag == "x"\n        and image.tag == 3\n'],
    ['literal block, keep', '    when: |+\n      image.tag == "x" and\n      image.tag == 3\n\n'],
    ['folded block', '    when: >\n      image.tag == "x"\n      and image.tag == 3\n'],
    ['folded block, strip', '    when: >-\n      image.tag == "x" and\n      image.tag ==\n      3\n'],
    ['multi-line plain', '    when: image.tag == "x"\n      and   image.tag == 3\n'],
    ['require.expr in flow mapping', '    require: { expr: "signature.did == 3" }\n'],
  ];
  for (const [style, field] of cases) {
    it(style, () => {
      const t = doc(field);
      const ds = diagnostics(t);
      expect(brief(ds)).toEqual([{ ...at(t, '3'), rule: 'expr-type' }]);
    });
    it(`${style}, CRLF line breaks`, () => {
      const t = doc(field).replace(/\n/g, '\r\n');
      expect(brief(diagnostics(t))).toEqual([{ ...at(t, '3'), rule: 'expr-type' }]);
    });
  }

  it('a syntax error points at the unexpected token', () => {
    const t = doc("    when: 'image.tag == \"x\" and and'\n");
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([{ ...at(t, 'and', 1), rule: 'expr-syntax' }]);
  });

  it('signature fields in when are signature-in-when at the name', () => {
    const t = doc('    when: image.tag != "latest" and signature.did == "did:plc:x"\n');
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, 'signature.did'), rule: 'signature-in-when' }]);
  });

  it('signature fields are fine in require.expr, and defaults.when is checked like when', () => {
    expect(diagnostics(doc('    require:\n      expr: signature.age < 30d and signature.algorithm in ["ES256K", "ES256"]\n'))).toEqual([]);
    const t = 'version: 1\ndefaults:\n  when: signature.pds == ""\n';
    expect(brief(diagnostics(t))).toEqual([{ ...at(t, 'signature.pds'), rule: 'signature-in-when' }]);
  });

  it('every bad expression of a document is reported', () => {
    const t = 'version: 1\npolicies:\n  - name: a\n    scope: x/y\n    when: image.tag == 1\n  - name: b\n    scope: x/z\n    require: { expr: signature.age > "x" }\n';
    expect(diagnostics(t).map((d) => [d.line, d.rule])).toEqual([
      [5, 'expr-type'],
      [8, 'expr-type'],
    ]);
  });
});
