// The warning rules of trust-policy.md "Lint rules", each with cases that must and must
// not warn, and the rule that warnings only come on an error-free program.

import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { lintCompilation } from '../../src/lint/index.js';
import { compileText } from '../../src/lower/pipeline.js';
import { at } from '../policy/helpers.js';

function lint(text: string): Diagnostic[] {
  return lintCompilation(compileText('p.yaml', text));
}
const rules = (text: string) => lint(text).map((d) => d.rule);
const of = (text: string, rule: string) => lint(text).filter((d) => d.rule === rule);
const doc = (...lines: string[]) => ['version: 1', ...lines, ''].join('\n');
const TRUST = '    require: { trustedDIDs: [did:plc:a] }';

describe('trusts-any-did', () => {
  it('warns at the name of a policy that requires a signature and trusts anyone', () => {
    const t = doc('policies:', '  - name: open', '    scope: a/*');
    const ds = of(t, 'trusts-any-did');
    expect(ds.map((d) => [d.line, d.column, d.severity])).toEqual([[at(t, 'open').line, at(t, 'open').column, 'warning']]);
  });
  it('is quiet when defaults, a parent or owner give a list, or no signature is required', () => {
    expect(rules(doc('defaults:', '  require: { trustedDIDs: [did:plc:a] }', 'policies:', '  - name: p', '    scope: a/*'))).toEqual([]);
    expect(rules(doc('policies:', '  - name: base', '    scope: a/**', TRUST, '  - name: p', '    extends: base', '    scope: a/b'))).toEqual([]);
    expect(rules(doc('policies:', '  - name: p', '    scope: a/*', '    require: { trustedDIDs: [owner] }'))).toEqual([]);
    expect(rules(doc('policies:', '  - name: p', '    scope: a/*', '    require: { signature: false }'))).toEqual([]);
  });
});

describe('weakens-parent', () => {
  const base = ['policies:', '  - name: base', '    scope: a/**', '    require: { trustedDIDs: [did:plc:a, did:plc:b], maxAge: 7d, minSignatures: 2 }'];
  it('warns at each weakened field of a child', () => {
    const t = doc(...base, '  - name: kid', '    extends: base', '    scope: a/b', '    action: warn', '    require: { maxAge: 30d, minSignatures: 1, signature: false }');
    const ds = of(t, 'weakens-parent');
    expect(ds.map((d) => [d.line, d.column])).toEqual([
      [at(t, 'warn').line, at(t, 'warn').column],
      [at(t, '30d').line, at(t, '30d').column],
      [at(t, 'minSignatures: 1').line, at(t, 'minSignatures: 1', 0, 15).column],
      [at(t, 'signature: false').line, at(t, 'signature: false', 0, 11).column],
    ].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(ds.map((d) => d.message).join('\n')).toMatch(/lengthens maxAge to 30d, beyond the 7d of its parent base/);
  });
  it('compares a root policy with what defaults set', () => {
    const t = doc('defaults:', '  action: enforce', '  require: { trustedDIDs: [did:plc:a], maxAge: 7d }', 'policies:', '  - name: p', '    scope: a/*', '    action: audit', '    require: { maxAge: 8d }');
    expect(of(t, 'weakens-parent')).toHaveLength(2);
    // Without defaults there is nothing to weaken.
    expect(rules(doc('policies:', '  - name: p', '    scope: a/*', '    action: audit', '    require: { maxAge: 8d, trustedDIDs: [did:plc:a] }'))).toEqual([]);
  });
  it('a child of a parent that sets nothing still weakens its built-in signature and enforce', () => {
    const t = doc('policies:', '  - name: base', '    scope: a/**', TRUST, '  - name: kid', '    extends: base', '    scope: a/b', '    action: audit', '    require: { signature: false }');
    expect(of(t, 'weakens-parent')).toHaveLength(2);
  });
  it('is quiet when the child is as strict or stricter', () => {
    const t = doc(...base, '  - name: kid', '    extends: base', '    scope: a/b', '    action: enforce', '    require: { maxAge: 7d, minSignatures: 3, signature: true, trustedDIDs: [did:plc:c] }');
    expect(of(t, 'weakens-parent')).toEqual([]);
    const shorter = doc(...base, '  - name: kid', '    extends: base', '    scope: a/b', '    require: { maxAge: 1d }');
    expect(of(shorter, 'weakens-parent')).toEqual([]);
  });
});

describe('overlapping-scopes', () => {
  it('warns when two equally specific scopes share a reference', () => {
    const t = doc('policies:', '  - name: one', '    scope: "atcr.io/*/svc"', TRUST, '  - name: two', '    scope: "atcr.io/web/*"', TRUST);
    const ds = of(t, 'overlapping-scopes');
    expect(ds.map((d) => [d.line, d.column])).toEqual([[at(t, '"atcr.io/web/*"').line, at(t, '"atcr.io/web/*"').column]]);
    expect(ds[0]!.message).toContain('atcr.io/web/svc');
  });
  it('is quiet when equal specificity cannot meet (a real intersection check, not a string compare)', () => {
    // Same shape and rank, disjoint languages.
    expect(of(doc('policies:', '  - name: one', '    scope: "atcr.io/*/svc"', TRUST, '  - name: two', '    scope: "atcr.io/*/web"', TRUST), 'overlapping-scopes')).toEqual([]);
    // Different ranks never overlap in the sense of the rule.
    expect(of(doc('policies:', '  - name: one', '    scope: "atcr.io/**"', TRUST, '  - name: two', '    scope: "atcr.io/a/*"', TRUST), 'overlapping-scopes')).toEqual([]);
  });
  it('name and name:tag scopes of equal rank that can match one image', () => {
    const t = doc('policies:', '  - name: one', '    scope: "atcr.io/x/ab*"', TRUST, '  - name: two', '    scope: "atcr.io/x/*:v"', TRUST);
    // "atcr.io/x/ab*" and "atcr.io/x/*:v" (12 literals and 1 star each) both take atcr.io/x/ab:v.
    expect(of(t, 'overlapping-scopes')).toHaveLength(1);
    // With a tag no name-only image can have, they never meet.
    const apart = doc('policies:', '  - name: one', '    scope: "atcr.io/x/a/*"', TRUST, '  - name: two', '    scope: "atcr.io/x/*:v"', TRUST);
    expect(of(apart, 'overlapping-scopes')).toEqual([]);
  });
  const pair = ['policies:', '  - name: one', '    scope: "atcr.io/*/svc"', TRUST, '  - name: two', '    scope: "atcr.io/web/*"', TRUST];
  it('is quiet when a more specific policy decides every image both match', () => {
    // Their only common image is atcr.io/web/svc, and the third policy decides it.
    const t = doc(...pair, '  - name: three', '    scope: "atcr.io/web/svc"', TRUST);
    expect(of(t, 'overlapping-scopes')).toEqual([]);
    expect(rules(t)).toEqual([]);
  });
  it('still warns for what the more specific policy leaves, or when its `when` may not hold', () => {
    // "atcr.io/**/svc" and "atcr.io/web/**" also share atcr.io/web/x/svc, which "atcr.io/web/svc" does not take.
    const left = doc('policies:', '  - name: one', '    scope: "atcr.io/**/svc"', TRUST, '  - name: two', '    scope: "atcr.io/web/**"', TRUST, '  - name: three', '    scope: "atcr.io/web/svc"', TRUST);
    const ds = of(left, 'overlapping-scopes');
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).not.toMatch(/e\.g\. atcr\.io\/web\/svc;/);
    const when = doc(...pair, '  - name: three', '    scope: "atcr.io/web/svc"', '    when: owner != ""', TRUST);
    expect(of(when, 'overlapping-scopes').map((d) => d.message)).toEqual([expect.stringContaining('atcr.io/web/svc')]);
  });
});

describe('analysis-budget', () => {
  // Every scope meets every other, all equally specific: the hostile shape of issue 12.
  const hostile = (n: number) =>
    doc('policies:', ...Array.from({ length: n }, (_, i) => [`  - name: p${i}`, `    scope: "**${String(i).padStart(4, '0')}**"`, TRUST]).flat());
  it('a document whose analysis exceeds the budget ends with a finding naming the check and the policies', () => {
    const ds = lint(hostile(100));
    const cut = ds.filter((d) => d.rule === 'analysis-budget');
    expect(cut.length).toBeGreaterThan(0);
    for (const d of cut) {
      expect(d.severity).toBe('warning');
      expect(d.message).toMatch(/^(overlapping-scopes|unreachable-policy) stopped after its work budget of \d+ automaton states: .* for p\d+/);
    }
  });
  it('the cut is counted in work, not time: the same document gives the same findings', () => {
    const c = compileText('p.yaml', hostile(40));
    const a = lintCompilation(c, { budget: 20_000 });
    expect(a.some((d) => d.rule === 'analysis-budget')).toBe(true);
    expect(lintCompilation(c, { budget: 20_000 })).toEqual(a);
  });
  it('an ordinary document stays within the budget', () => {
    const t = doc('policies:', ...Array.from({ length: 2000 }, (_, i) => [`  - name: team${i}`, `    scope: "atcr.io/team${i}/*"`, TRUST]).flat());
    expect(rules(t)).toEqual([]);
  });
});

describe('unreachable-policy', () => {
  it('warns when a more specific policy takes every reference', () => {
    const t = doc('policies:', '  - name: app', '    scope: "atcr.io/legacy/app"', TRUST, '  - name: app-tags', '    scope: "atcr.io/legacy/app:*"', TRUST);
    const ds = of(t, 'unreachable-policy');
    expect(ds.map((d) => [d.line, d.column])).toEqual([[at(t, 'app').line, at(t, 'app').column]]);
    expect(ds[0]!.message).toContain('app-tags');
  });
  it('an identical later scope is unreachable (the earlier one wins ties)', () => {
    const t = doc('policies:', '  - name: first', '    scope: "atcr.io/a/*"', TRUST, '  - name: second', '    scope: "atcr.io/a/*"', TRUST);
    expect(of(t, 'unreachable-policy').map((d) => d.message)).toEqual([expect.stringContaining('policy second never applies')]);
  });
  it('is quiet when part of the scope is left, or the taker has a `when`', () => {
    expect(of(doc('policies:', '  - name: app', '    scope: "atcr.io/legacy/*"', TRUST, '  - name: some', '    scope: "atcr.io/legacy/app:*"', TRUST), 'unreachable-policy')).toEqual([]);
    expect(of(doc('policies:', '  - name: app', '    scope: "atcr.io/legacy/app"', TRUST, '  - name: tags', '    scope: "atcr.io/legacy/app:*"', '    when: owner != ""', TRUST), 'unreachable-policy')).toEqual([]);
  });
});

describe('min-signatures-unreachable', () => {
  it('is an error (the policy can never be satisfied) when minSignatures exceeds the trusted DIDs, at its own value or else the policy name', () => {
    const t = doc('defaults:', '  require: { minSignatures: 3 }', 'policies:', '  - name: own', '    scope: a/*', '    require: { trustedDIDs: [did:plc:a, did:plc:b], minSignatures: 3 }', '  - name: inherited', '    scope: b/*', TRUST);
    const ds = of(t, 'min-signatures-unreachable');
    expect(ds.every((d) => d.severity === 'error')).toBe(true);
    expect(ds.map((d) => [d.line, d.column])).toEqual([
      [at(t, 'minSignatures: 3 }', 1).line, at(t, 'minSignatures: 3 }', 1, 15).column],
      [at(t, 'inherited').line, at(t, 'inherited').column],
    ]);
  });
  it('is quiet with owner in the list, an empty list, or enough DIDs', () => {
    expect(of(doc('policies:', '  - name: p', '    scope: a/*', '    require: { trustedDIDs: [did:plc:a, owner], minSignatures: 2 }'), 'min-signatures-unreachable')).toEqual([]);
    expect(of(doc('policies:', '  - name: p', '    scope: a/*', '    require: { minSignatures: 2 }'), 'min-signatures-unreachable')).toEqual([]);
    expect(of(doc('policies:', '  - name: p', '    scope: a/*', '    require: { trustedDIDs: [did:plc:a, did:plc:b], minSignatures: 2 }'), 'min-signatures-unreachable')).toEqual([]);
  });
});

describe('lint output as a whole', () => {
  it('warnings come only for an error-free program; errors alone are reported otherwise', () => {
    const ds = lint(doc('policies:', '  - name: open', '    scope: a/*', '  - name: bad', '    scope: "a/[x]"'));
    expect(ds.map((d) => [d.rule, d.severity])).toEqual([['invalid-scope', 'error']]);
  });
  it('every finding is sorted by position and has a 1-based location', () => {
    const ds = lint(doc('defaults:', '  require: { maxAge: 7d, minSignatures: 2 }', 'policies:', '  - name: a', '    scope: a/*', '    require: { maxAge: 8d }', '  - name: b', '    scope: b/*', '    require: { trustedDIDs: [did:plc:x] }'));
    expect(ds.length).toBeGreaterThanOrEqual(3);
    const keys = ds.map((d) => d.line * 1000 + d.column);
    expect(keys).toEqual([...keys].sort((x, y) => x - y));
  });
});
