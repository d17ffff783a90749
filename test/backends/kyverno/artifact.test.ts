// The artifact itself: valid against Kyverno's ClusterPolicy CRD schema, deterministic,
// headed by its source, and a CompileError (policy + expression) for what Kyverno's
// language cannot hold.

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CompileError } from '../../../src/backends/artifact.js';
import { compileKyverno } from '../../../src/backends/kyverno/index.js';
import type { IRDocument, IRExpr } from '../../../src/ir/types.js';
import { irFromYaml } from './harness.js';

const SCHEMA = JSON.parse(
  readFileSync(new URL('../../fixtures/k8s-crd-schemas/kyverno.io/clusterpolicy_v1.json', import.meta.url), 'utf8'),
);

const POLICY = `
version: 1
defaults:
  require:
    trustedDIDs: [did:plc:security]
    maxAge: 90d
unmatched: audit
policies:
  - name: production
    scope: ["atcr.io/*/prod-*", "ghcr.io/acme/**"]
    when: 'image.tag != "latest" and not (image.namespace in ["sandbox", owner])'
    require:
      trustedDIDs: [did:plc:devops, owner]
      minSignatures: 2
      expr: 'signature.algorithm == "ES256K" or signature.age <= 1d'
  - name: staging
    scope: "atcr.io/*/staging-*:v?.*"
    action: warn
  - name: experiments
    scope: "atcr.io/**"
    action: audit
  - name: public
    scope: "docker.io/library/*"
    require:
      signature: false
`;

function documents(ir: IRDocument): Record<string, any>[] {
  const [artifact] = compileKyverno(ir);
  return parseAllDocuments(artifact!.content as string).map((d) => d.toJS());
}

describe('kyverno artifact', () => {
  const ir = irFromYaml(POLICY);

  it('names the minimum Kyverno version in its header', () => {
    expect(String(compileKyverno(ir)[0]!.content).split('\n').slice(0, 3)).toContain(
      '# Requires Kyverno 1.13 or later (rule failureAction, spec.webhookConfiguration).',
    );
  });

  it('sets failure policy and timeout through spec.webhookConfiguration, not the deprecated fields', () => {
    for (const doc of documents(ir)) {
      expect(doc.spec.webhookConfiguration).toEqual({ failurePolicy: 'Fail', timeoutSeconds: 15 });
      expect(doc.spec).not.toHaveProperty('failurePolicy');
      expect(doc.spec).not.toHaveProperty('webhookTimeoutSeconds');
    }
  });

  it('passes a CA bundle as raw PEM to every apiCall, and none by default', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const services = (docs: Record<string, any>[]) =>
      docs.flatMap((d) => d.spec.rules.flatMap((r: any) => r.context.filter((c: any) => c.apiCall).map((c: any) => c.apiCall.service)));
    const withCa = services(parseAllDocuments(compileKyverno(ir, { caBundle: pem })[0]!.content as string).map((d) => d.toJS()));
    expect(withCa.length).toBeGreaterThan(0);
    for (const s of withCa) expect(s.caBundle).toBe(pem);
    for (const s of services(documents(ir))) expect(s).not.toHaveProperty('caBundle');
  });

  it('validates against the kyverno.io/v1 ClusterPolicy CRD schema', () => {
    // The CRD schema is OpenAPI v3 with x-kubernetes-* annotations: not strict JSON Schema.
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false }).compile(SCHEMA);
    const docs = documents(ir);
    expect(docs.map((d) => d.metadata.name)).toEqual(['atcr-verify', 'atcr-verify-warn']);
    for (const doc of docs) {
      const ok = validate(doc);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    // The schema does bite: a failure action Kyverno does not know is refused.
    const broken = structuredClone(docs[0]!);
    broken.spec.rules[0].validate.failureAction = 'Deny';
    expect(validate(broken)).toBe(false);
  });

  it('has one rule per action used by policies that require signatures, plus invalid-image and unmatched', () => {
    const [main, warn] = documents(ir);
    expect(main!.spec.rules.map((r: any) => [r.name, r.validate.failureAction])).toEqual([
      ['invalid-image', 'Enforce'],
      ['policies-enforce', 'Enforce'],
      ['policies-audit', 'Audit'],
      ['unmatched', 'Audit'],
    ]);
    expect(warn!.spec.emitWarning).toBe(true);
    expect(warn!.spec.rules.map((r: any) => [r.name, r.validate.failureAction])).toEqual([['policies-warn', 'Audit']]);
  });

  it('grows linearly with the number of policies (each policy compiled once, not once per rule)', () => {
    const doc = (n: number) =>
      'version: 1\ndefaults:\n  require:\n    trustedDIDs: [did:plc:sec]\npolicies:\n' +
      Array.from({ length: n }, (_, i) => `  - name: p${i}\n    scope: "atcr.io/team-${i}/*"\n    require:\n      maxAge: ${i + 1}d\n`).join('');
    const size = (n: number) => (compileKyverno(irFromYaml(doc(n)))[0]!.content as string).length;
    const [s50, s200] = [size(50), size(200)];
    // 4× the policies: about 4× the text (quadratic growth would be about 16×).
    expect(s200 / s50).toBeLessThan(5);
  });

  it('is deterministic and names its source', () => {
    const a = compileKyverno(ir);
    const b = compileKyverno(irFromYaml(POLICY));
    expect(b).toEqual(a);
    expect(a.map((x) => x.path)).toEqual(['clusterpolicy.yaml']);
    const text = a[0]!.content as string;
    expect(text.startsWith(`# Generated by atcr-verify from ${ir.source.file} (sha256 ${ir.source.sha256}).`)).toBe(true);
  });

  it('calls the service URL given in the options', () => {
    const [artifact] = compileKyverno(ir, { serviceUrl: 'https://verify.example:8443/' });
    const doc = parseAllDocuments(artifact!.content as string)[0]!.toJS();
    expect(doc.spec.rules[0].context[0].apiCall.service.url).toBe('https://verify.example:8443/kyverno/v1/facts');
  });

  it('leaves out the warn policy and the unmatched rule when nothing needs them', () => {
    const docs = documents(irFromYaml('version: 1\nunmatched: allow\npolicies:\n  - name: a\n    scope: "atcr.io/**"\n'));
    expect(docs).toHaveLength(1);
    expect(docs[0]!.spec.rules.map((r: any) => r.name)).toEqual(['invalid-image', 'policies-enforce']);
  });
});

describe('kyverno CompileError', () => {
  const withExpr = (field: 'when' | 'expr', e: IRExpr): IRDocument => {
    const ir = structuredClone(irFromYaml(POLICY));
    const p = ir.policies[0]!;
    if (field === 'when') p.when = e;
    else p.require.expr = e;
    return ir;
  };
  const equals = (path: 'image.tag' | 'signature.did', value: string): IRExpr => ({
    kind: 'compare',
    type: 'bool',
    op: '==',
    operandType: 'string',
    left: { kind: 'path', type: 'string', path },
    right: { kind: 'string', type: 'string', value },
  });
  // A lone surrogate has no UTF-8 form: Kyverno (Go) cannot hold the string at all.
  const lone = equals('image.tag', 'v\uD800');

  it('names the policy and the expression that cannot be compiled', () => {
    for (const field of ['when', 'expr'] as const) {
      let err: unknown;
      try {
        compileKyverno(withExpr(field, lone));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CompileError);
      expect((err as CompileError).policy).toBe('production');
      expect((err as CompileError).message).toContain('production');
      expect((err as CompileError).message).toContain('image.tag == ');
    }
  });

  it('refuses signature fields in `when` rather than dropping the condition', () => {
    const e = equals('signature.did', 'did:plc:a');
    expect(() => compileKyverno(withExpr('when', e))).toThrow(CompileError);
    expect(() => compileKyverno(withExpr('when', e))).toThrow(/signature\.did == "did:plc:a"/);
  });
});
