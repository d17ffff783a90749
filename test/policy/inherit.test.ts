// Policy `extends` and the merge rules of trust-policy.md "Inheritance": trustedDIDs are a
// union over the chain and defaults; every other inherited field is the nearest definition;
// scope, name and description are never inherited; built-ins fill the rest.

import { describe, expect, it } from 'vitest';
import { explainPolicies } from '../../src/explain/explain.js';
import { at, brief, compile } from './helpers.js';

describe('policy extends errors', () => {
  it('an unknown parent is reported at the extends value, with a did-you-mean for a near name', () => {
    const t = 'version: 1\npolicies:\n  - name: base\n    scope: a/**\n  - name: prod\n    extends: bsae\n    scope: a/b\n';
    const c = compile(t);
    expect(c.ir).toBeNull();
    expect(brief(c.diagnostics)).toEqual([{ ...at(t, 'bsae'), rule: 'unknown-parent' }]);
    expect(c.diagnostics[0]!.message).toContain('did you mean "base"?');
  });

  it('no did-you-mean when no name is close', () => {
    const t = 'version: 1\npolicies:\n  - name: base\n    scope: a/**\n  - name: prod\n    extends: completely-different\n    scope: a/b\n';
    const ds = compile(t).diagnostics;
    expect(brief(ds)).toEqual([{ ...at(t, 'completely-different'), rule: 'unknown-parent' }]);
    expect(ds[0]!.message).not.toContain('did you mean');
  });

  it('a policy cannot suggest itself as its own missing parent', () => {
    const t = 'version: 1\npolicies:\n  - name: prod\n    extends: prd\n    scope: a/b\n';
    const ds = compile(t).diagnostics;
    expect(brief(ds)).toEqual([{ ...at(t, 'prd'), rule: 'unknown-parent' }]);
    expect(ds[0]!.message).not.toContain('did you mean');
  });

  it('a cycle is one inheritance-cycle at the extends of its first policy, naming the whole cycle', () => {
    const t =
      'version: 1\npolicies:\n  - name: a\n    extends: b\n    scope: a/*\n  - name: b\n    extends: c\n    scope: b/*\n  - name: c\n    extends: a\n    scope: c/*\n  - name: d\n    extends: a\n    scope: d/*\n';
    const c = compile(t);
    expect(c.ir).toBeNull();
    expect(brief(c.diagnostics)).toEqual([
      { ...at(t, 'extends: b', 0, 9), rule: 'inheritance-cycle' },
    ]);
    // d only leads into the cycle: no finding of its own.
    expect(c.diagnostics[0]!.message).toContain('a → b → c → a');
  });

  it('a policy that extends itself is a cycle', () => {
    const t = 'version: 1\npolicies:\n  - name: me\n    extends: me\n    scope: a/*\n';
    expect(brief(compile(t).diagnostics)).toEqual([{ ...at(t, 'extends: me', 0, 9), rule: 'inheritance-cycle' }]);
  });

  it('duplicate names in one document are reported at the second name', () => {
    const t = 'version: 1\npolicies:\n  - name: twin\n    scope: a/*\n  - name: twin\n    scope: b/*\n';
    const ds = compile(t).diagnostics;
    expect(brief(ds)).toEqual([{ ...at(t, 'twin', 1), rule: 'duplicate-policy-name' }]);
    expect(ds[0]!.message).toContain(`p.yaml:${at(t, 'twin').line}:${at(t, 'twin').column}`);
  });
});

const chainDoc = [
  'version: 1',
  'defaults:',
  '  action: enforce',
  '  when: image.registry == "atcr.io"',
  '  require:',
  '    trustedDIDs: [did:plc:global]',
  '    maxAge: 90d',
  'policies:',
  '  - name: grand',
  '    description: the root of the chain',
  '    scope: atcr.io/**',
  '    require:',
  '      trustedDIDs: [did:plc:grand, owner]',
  '      minSignatures: 2',
  '      expr: signature.pds != ""',
  '    action: audit',
  '  - name: parent',
  '    extends: grand',
  '    scope: atcr.io/acme/**',
  '    when: image.tag != "latest"',
  '    require:',
  '      trustedDIDs: [did:plc:parent, did:plc:global]',
  '      maxAge: 30d',
  '  - name: child',
  '    extends: parent',
  '    scope: atcr.io/acme/prod-*',
  '    require:',
  '      trustedDIDs: [did:plc:child]',
  '      signature: true',
  '',
].join('\n');

describe('merge rules along a chain', () => {
  const c = compile(chainDoc);
  const ir = c.ir!;
  const byName = (n: string) => ir.policies.find((p) => p.name === n)!;

  it('compiles without findings', () => {
    expect(c.diagnostics).toEqual([]);
  });

  it('trustedDIDs is the sorted union of the chain and defaults, with owner as a flag', () => {
    expect(byName('child').require.trustedDIDs).toEqual(['did:plc:child', 'did:plc:global', 'did:plc:grand', 'did:plc:parent']);
    expect(byName('child').require.trustOwner).toBe(true);
    expect(byName('parent').require.trustedDIDs).toEqual(['did:plc:global', 'did:plc:grand', 'did:plc:parent']);
    expect(byName('grand').require.trustedDIDs).toEqual(['did:plc:global', 'did:plc:grand']);
  });

  it('the nearest definition wins for maxAge, minSignatures, expr, when and action', () => {
    const child = byName('child');
    expect(child.require.maxAgeSeconds).toBe(30 * 86400); // parent's, nearer than defaults' 90d
    expect(child.require.minSignatures).toBe(2); // grand's
    expect(child.require.expr).not.toBeNull(); // grand's
    expect(child.when).not.toBeNull(); // parent's, nearer than defaults'
    expect(child.action).toBe('audit'); // grand's, nearer than defaults' enforce
    expect(byName('grand').require.maxAgeSeconds).toBe(90 * 86400); // defaults'
    expect(child.origins.maxAge).toEqual({ file: 'p.yaml', ...at(chainDoc, '30d') });
    expect(child.origins.minSignatures).toEqual({ file: 'p.yaml', ...at(chainDoc, '2\n', 0) });
    expect(child.origins.action).toEqual({ file: 'p.yaml', ...at(chainDoc, 'audit') });
    expect(child.origins.when).toEqual({ file: 'p.yaml', ...at(chainDoc, 'image.tag') });
  });

  it('defaults.when applies to a root policy that sets none', () => {
    expect(byName('grand').when).toEqual(compile('version: 1\npolicies:\n  - name: x\n    scope: y\n    when: image.registry == "atcr.io"\n').ir!.policies[0]!.when);
    expect(byName('grand').origins.when).toEqual({ file: 'p.yaml', ...at(chainDoc, 'image.registry') });
  });

  it('scope and description are never inherited; chain lists the names nearest first', () => {
    expect(byName('child').scopes.map((s) => s.glob)).toEqual(['atcr.io/acme/prod-*']);
    expect(byName('child').description).toBe('');
    expect(byName('grand').description).toBe('the root of the chain');
    expect(byName('child').chain).toEqual(['child', 'parent', 'grand', 'defaults']);
  });

  it('explain names where each value came from', () => {
    const ex = explainPolicies(c.resolved, ir).find((p) => p.name === 'child')!;
    expect(ex.maxAge).toMatchObject({ value: '30d', from: 'parent' });
    expect(ex.minSignatures).toMatchObject({ value: 2, from: 'grand' });
    expect(ex.signature).toMatchObject({ value: true, from: 'child' });
    expect(ex.action).toMatchObject({ value: 'audit', from: 'grand' });
    const from = Object.fromEntries(ex.trustedDIDs.map((d) => [d.value, d.from]));
    // A DID repeated by a child keeps the origin of its global definition.
    expect(from).toEqual({ 'did:plc:global': 'defaults', 'did:plc:grand': 'grand', owner: 'grand', 'did:plc:parent': 'parent', 'did:plc:child': 'child' });
  });

  it('nothing defined anywhere gives the built-in values', () => {
    const p = compile('version: 1\npolicies:\n  - name: bare\n    scope: x/y\n').ir!.policies[0]!;
    expect(p.require).toEqual({ signature: true, trustedDIDs: [], trustOwner: false, minSignatures: 1, maxAgeSeconds: null, expr: null });
    expect(p.action).toBe('enforce');
    expect(p.when).toBeNull();
    expect(p.origins).toEqual({ scope: { file: 'p.yaml', line: 4, column: 12 } });
    const ex = explainPolicies(compile('version: 1\npolicies:\n  - name: bare\n    scope: x/y\n').resolved, compile('version: 1\npolicies:\n  - name: bare\n    scope: x/y\n').ir!)[0]!;
    expect(ex.signature).toEqual({ value: true, from: 'built-in', at: null });
    expect(ex.action).toEqual({ value: 'enforce', from: 'built-in', at: null });
  });

  it('a child can turn the signature off and the nearest false wins', () => {
    const t = 'version: 1\ndefaults:\n  require: { signature: true }\npolicies:\n  - name: a\n    scope: a/**\n    require: { signature: false }\n  - name: b\n    extends: a\n    scope: a/b\n';
    const ir2 = compile(t).ir!;
    expect(ir2.policies.map((p) => p.require.signature)).toEqual([false, false]);
  });

  it('a parent may come later in the document', () => {
    const t = 'version: 1\npolicies:\n  - name: kid\n    extends: later\n    scope: a/b\n  - name: later\n    scope: a/**\n    require: { maxAge: 2d }\n';
    const ir2 = compile(t).ir!;
    expect(ir2.policies.map((p) => [p.name, p.index, p.require.maxAgeSeconds])).toEqual([
      ['kid', 0, 2 * 86400],
      ['later', 1, 2 * 86400],
    ]);
  });

  it('a child cannot remove a DID: the union keeps the parent list', () => {
    const t = 'version: 1\npolicies:\n  - name: a\n    scope: a/**\n    require: { trustedDIDs: [did:plc:a] }\n  - name: b\n    extends: a\n    scope: a/b\n    require: { trustedDIDs: [] }\n';
    expect(compile(t).ir!.policies[1]!.require.trustedDIDs).toEqual(['did:plc:a']);
  });
});
