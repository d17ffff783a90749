// The compiled ClusterPolicy, evaluated by a model of Kyverno with Kyverno's JMESPath
// functions, decides like the native engine on hand-written cases covering each step of
// docs/ir.md "The decision".

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { type KyvernoInput, irFromYaml, outcomeOf, runKyverno, unreported } from './harness.js';

const NOW = '2026-11-25T12:00:00Z';

const POLICY = `
version: 1
defaults:
  require:
    trustedDIDs: [did:plc:security]
unmatched: deny
policies:
  - name: production
    scope: "atcr.io/*/prod-*"
    require:
      trustedDIDs: [did:plc:devops, owner]
      maxAge: 30d
  - name: pinned
    scope: "atcr.io/alice/prod-api:v*"
    when: 'image.digest != ""'
    require:
      minSignatures: 2
    action: audit
  - name: labs
    scope: "atcr.io/labs/**"
    require:
      expr: 'signature.pds startsWith "https://pds.labs.example" and signature.age < 7d'
    action: warn
  - name: public
    scope: "docker.io/library/*"
    require:
      signature: false
`;

const sig = (did: string, signedAt: string, extra: Record<string, unknown> = {}) => ({
  valid: true,
  did,
  signedAt,
  handle: `${did.slice(8)}.example`,
  pds: 'https://pds.example.com',
  algorithm: 'ES256K',
  ...extra,
});

function expectParity(ir: IRDocument, input: KyvernoInput) {
  const native = evaluate(ir, input);
  const kyverno = outcomeOf(ir, runKyverno(ir, input));
  expect(kyverno.effect).toBe(native.effect);
  expect(kyverno.allowed).toBe(native.allowed);
  if (kyverno.policy !== undefined) expect(kyverno.policy).toBe(native.policy);
  else expect(native.effect === 'allow' && (native.policy === null || unreported(ir, native))).toBe(true);
  if (kyverno.satisfiedBy) expect(kyverno.satisfiedBy).toEqual(native.satisfiedBy);
  return { native, kyverno };
}

describe('kyverno: decisions match the native engine', () => {
  const ir = irFromYaml(POLICY);

  it('allows a fresh signature from a trusted DID', () => {
    const r = expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', now: NOW, signatures: [sig('did:plc:devops', '2026-11-20T08:00:00Z')] });
    expect(r.native.effect).toBe('allow');
    expect(r.kyverno.policy).toBe('production');
  });

  it('trusts the owner, and a DID inherited from defaults', () => {
    expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', owner: 'did:plc:bob', now: NOW, signatures: [sig('did:plc:bob', '2026-11-20T08:00:00Z')] });
    expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', now: NOW, signatures: [sig('did:plc:security', '2026-11-20T08:00:00Z')] });
  });

  it('denies an untrusted, an expired, a future and an invalid signature', () => {
    for (const s of [
      sig('did:plc:mallory', '2026-11-20T08:00:00Z'),
      sig('did:plc:devops', '2026-10-26T11:59:59.999999999Z'),
      sig('did:plc:devops', '2026-11-25T12:05:00.000000001Z'),
      { valid: false, did: 'did:plc:devops', error: { code: 'record-digest-mismatch', message: 'x' } },
      sig('did:plc:devops', '2026-02-29T00:00:00Z'),
    ]) {
      const r = expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', now: NOW, signatures: [s] });
      expect(r.native.effect).toBe('deny');
    }
  });

  it('is exact at the maxAge and skew boundaries', () => {
    for (const signedAt of ['2026-10-26T12:00:00Z', '2026-10-26T12:00:00.000000001Z', '2026-10-26T11:59:59.999999999Z', '2026-11-25T12:05:00Z', '2026-11-25T12:05:00.000000001Z', '2026-11-25T17:05:00+05:00']) {
      expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', now: NOW, signatures: [sig('did:plc:devops', signedAt)] });
    }
  });

  it('picks the more specific policy only when its `when` holds, and counts distinct signers', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    const two = [sig('did:plc:security', '2026-11-20T08:00:00Z'), sig('did:plc:security', '2026-11-21T08:00:00Z')];
    const r1 = expectParity(ir, { image: `atcr.io/alice/prod-api:v2@${digest}`, now: NOW, signatures: two });
    expect(r1.native).toMatchObject({ effect: 'audit', policy: 'pinned' });
    const r2 = expectParity(ir, { image: 'atcr.io/alice/prod-api:v2', now: NOW, signatures: two });
    expect(r2.native.policy).toBe('production');
    expectParity(ir, {
      image: `atcr.io/alice/prod-api:v2@${digest}`,
      now: NOW,
      signatures: [...two, sig('did:plc:devops', '2026-11-22T08:00:00Z')],
    });
  });

  it('evaluates require.expr per signature, with signature.age', () => {
    const labs = (pds: string, signedAt: string) => ({ image: 'atcr.io/labs/x/y:1', now: NOW, signatures: [sig('did:plc:security', signedAt, { pds })] });
    expect(expectParity(ir, labs('https://pds.labs.example/a', '2026-11-20T00:00:00Z')).native.effect).toBe('allow');
    expect(expectParity(ir, labs('https://pds.example.com', '2026-11-20T00:00:00Z')).native.effect).toBe('warn');
    expect(expectParity(ir, labs('https://pds.labs.example', '2026-11-18T12:00:00Z')).native.effect).toBe('warn');
    expectParity(ir, labs('https://pds.labs.example', '2026-11-18T12:00:00.000000001Z'));
  });

  it('compares signature.age exactly with every operator, on both sides', () => {
    for (const op of ['<', '<=', '>', '>=', '==', '!=']) {
      for (const expr of [`signature.age ${op} 1d`, `1d ${op} signature.age`]) {
        const one = irFromYaml(`version: 1\npolicies:\n  - name: aged\n    scope: "**"\n    require:\n      expr: '${expr}'\n`);
        for (const signedAt of ['2026-11-24T11:59:59.999999999Z', '2026-11-24T12:00:00Z', '2026-11-24T12:00:00.000000001Z']) {
          expectParity(one, { image: 'atcr.io/a/b', now: NOW, signatures: [sig('did:plc:a', signedAt)] });
        }
      }
    }
  });

  it('allows a policy without signatures, denies the unmatched and the unparseable', () => {
    expect(expectParity(ir, { image: 'nginx', now: NOW, signatures: [] }).native.effect).toBe('allow');
    expect(expectParity(ir, { image: 'quay.io/x/y', now: NOW, signatures: [] }).native.effect).toBe('deny');
    expect(expectParity(ir, { image: 'Not A Reference', now: NOW, signatures: [] }).native.effect).toBe('deny');
  });

  it('reports no signatures and insufficient signers', () => {
    expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', now: NOW, signatures: [] });
    expectParity(ir, { image: 'atcr.io/bob/prod-web:1.0', now: NOW, signatures: [null, 'x', { valid: 'true', did: 'did:plc:devops' }] });
  });
});
