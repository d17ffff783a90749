// Schema findings (trust-policy.md "Document": unknown fields are errors): each one is a
// `schema` error at the exact line and column of the offending key or value.

import { describe, expect, it } from 'vitest';
import { at, brief, compile, diagnostics } from './helpers.js';

const ok = (body: string) => `version: 1\n${body}`;

describe('schema errors point at the offending key or value', () => {
  it('an unknown top-level field is reported at its key, naming the allowed fields', () => {
    const t = ok('polices:\n  - name: a\n    scope: x\n');
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([{ ...at(t, 'polices'), rule: 'schema' }]);
    expect(ds[0]!.message).toContain('`polices`');
    expect(ds[0]!.message).toMatch(/allowed fields: .*policies/);
  });

  it('unknown fields inside a policy, its require and defaults are each reported at their key', () => {
    const t = ok(
      'defaults:\n  require:\n    trustedDID: [did:plc:a]\n  actions: audit\npolicies:\n  - name: a\n    scope: x\n    scopes: [y]\n    require:\n      maxage: 30d\n',
    );
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([
      { ...at(t, 'trustedDID'), rule: 'schema' },
      { ...at(t, 'actions'), rule: 'schema' },
      { ...at(t, 'scopes'), rule: 'schema' },
      { ...at(t, 'maxage'), rule: 'schema' },
    ]);
    expect(ds[0]!.message).toMatch(/unknown field `trustedDID` in `defaults.require`; allowed fields: .*trustedDIDs/);
    expect(ds[2]!.message).toMatch(/`policies\[0\]`; allowed fields: .*scope/);
    expect(ds[3]!.message).toMatch(/allowed fields: .*maxAge/);
  });

  it('a YAML merge key is explained', () => {
    const t = ok('policies:\n  - &p\n    name: a\n    scope: x\n  - name: b\n    <<: *p\n');
    const ds = diagnostics(t);
    // The merge did not happen, so b also lacks its scope.
    expect(brief(ds)).toEqual([
      { ...at(t, '- name: b', 0, 2), rule: 'schema' },
      { ...at(t, '<<'), rule: 'schema' },
    ]);
    expect(ds[1]!.message).toMatch(/unknown field `<<`.*merge keys are not part of YAML 1\.2/);
  });

  it('wrong types are reported at the value and say what was expected and what was found', () => {
    const t = ok(
      'unmatched: sometimes\npolicies:\n  - name: a\n    scope: 42\n    action: block\n    require:\n      signature: "yes"\n      trustedDIDs: did:plc:a\n      minSignatures: 1.5\n',
    );
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([
      { ...at(t, 'sometimes'), rule: 'schema' },
      { ...at(t, '42'), rule: 'schema' },
      { ...at(t, 'block'), rule: 'schema' },
      { ...at(t, '"yes"'), rule: 'schema' },
      { ...at(t, 'did:plc:a'), rule: 'schema' },
      { ...at(t, '1.5'), rule: 'schema' },
    ]);
    const msg = ds.map((d) => d.message);
    expect(msg[0]).toMatch(/`unmatched` must be one of "deny", "allow", "audit"/);
    expect(msg[1]).toMatch(/`policies\[0\]\.scope` must be a string or a non-empty list of strings, not number 42/);
    expect(msg[2]).toMatch(/"enforce", "audit", "warn"/);
    expect(msg[3]).toMatch(/must be true or false, not the string "yes"/);
    expect(msg[4]).toMatch(/`policies\[0\]\.require\.trustedDIDs` must be a list/);
    expect(msg[5]).toMatch(/must be an integer/);
  });

  it('a version other than the integer 1 is an error at the value', () => {
    for (const v of ['2', '"1"', '1.0e0x', 'one']) {
      const t = `version: ${v}\n`;
      expect(brief(diagnostics(t)), v).toEqual([{ line: 1, column: 10, rule: 'schema' }]);
    }
  });

  it('a missing version, name or scope is reported at the mapping that lacks it', () => {
    const t = 'policies:\n  - scope: x\n  - name: b\n';
    const ds = diagnostics(t);
    expect(ds.map((d) => [d.line, d.column, d.message])).toEqual([
      [1, 1, expect.stringMatching(/missing the required field `version`/)],
      [2, 5, expect.stringMatching(/`policies\[0\]` is missing the required field `name`/)],
      [3, 5, expect.stringMatching(/`policies\[1\]` is missing the required field `scope`/)],
    ]);
  });

  it('policy names must match ^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$', () => {
    const good = ['a', '0', 'prod-api', 'a1-b2-c3', 'x'.repeat(64), `a${'-'.repeat(62)}b`];
    const bad = ['Prod', '-a', 'a-', 'a_b', 'a.b', 'x'.repeat(65), 'ünï', 'a b', ''];
    for (const name of good) {
      const c = compile(ok(`policies:\n  - name: "${name}"\n    scope: x\n`));
      expect(c.diagnostics.filter((d) => d.rule === 'schema'), name).toEqual([]);
      expect(c.ir!.policies[0]!.name).toBe(name);
    }
    for (const name of bad) {
      const t = ok(`policies:\n  - name: "${name}"\n    scope: x\n`);
      const ds = diagnostics(t);
      expect(brief(ds), name).toEqual([{ ...at(t, `"${name}"`), rule: 'schema' }]);
      expect(ds[0]!.message).toContain('lower-case letters, digits and inner hyphens');
    }
  });

  it('minSignatures below 1, an empty scope list and an empty expression are rejected', () => {
    const t = ok('policies:\n  - name: a\n    scope: []\n    when: ""\n    require: { minSignatures: 0 }\n');
    const ds = diagnostics(t);
    expect(brief(ds)).toEqual([
      { ...at(t, '[]'), rule: 'schema' },
      { ...at(t, '""'), rule: 'schema' },
      { ...at(t, '0 }'), rule: 'schema' },
    ]);
    expect(ds[0]!.message).toContain('must not be an empty list');
    expect(ds[2]!.message).toContain('>= 1');
  });

  it('every schema error of a document is reported, sorted by position', () => {
    const t = ok('policies:\n  - name: B\n    scope: 1\n  - name: c\n    scope: y\n    extra: 1\n');
    const ds = diagnostics(t);
    expect(ds.length).toBe(3);
    const keys = ds.map((d) => d.line * 1000 + d.column);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });

  it('a document that is not a mapping is one error at 1:1', () => {
    for (const t of ['', '# only a comment\n', '- a\n- b\n', 'just text\n', '42\n', 'null\n']) {
      const ds = diagnostics(t);
      expect(brief(ds), JSON.stringify(t)).toEqual([{ line: 1, column: 1, rule: 'schema' }]);
    }
  });

  it('a schema-valid document with every field compiles without findings', () => {
    const t = ok(
      [
        'extends: []',
        'defaults:',
        '  action: audit',
        '  when: image.registry == "atcr.io"',
        '  require: { signature: true, trustedDIDs: [did:plc:a], minSignatures: 1, maxAge: 90d, expr: signature.did != "" }',
        'unmatched: audit',
        'policies:',
        '  - name: a',
        '    description: text',
        '    scope: [atcr.io/x/*, "atcr.io/y/*:v*"]',
        '    when: image.tag != "latest"',
        '    require: { signature: false }',
        '    action: warn',
        '  - name: b',
        '    extends: a',
        '    scope: atcr.io/z/**',
        '',
      ].join('\n'),
    );
    const c = compile(t);
    expect(c.diagnostics).toEqual([]);
    expect(c.ir!.unmatched).toBe('audit');
  });
});
