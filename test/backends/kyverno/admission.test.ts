// What a cluster user sees: which objects are checked, what the service is asked, and the
// messages and warnings an admission returns.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileKyverno } from '../../../src/backends/kyverno/index.js';
import { fakeService, podRequest } from './fake-service.js';
import { type AdmissionRequest, admit } from './kyverno-sim.js';
import { clusterPolicies, irFromYaml } from './harness.js';

const NOW = '2026-11-25T12:00:00Z';
const POLICY = `
version: 1
unmatched: deny
policies:
  - name: production
    scope: "atcr.io/prod/**"
    require:
      trustedDIDs: [did:plc:devops, did:plc:ops2]
      minSignatures: 2
  - name: staging
    scope: "atcr.io/staging/**"
    require:
      trustedDIDs: [did:plc:devops]
    action: warn
  - name: labs
    scope: "atcr.io/labs/**"
    action: audit
`;
const ir = irFromYaml(POLICY);
const policies = clusterPolicies(ir);
const good = (did: string) => ({ valid: true, did, signedAt: '2026-11-24T00:00:00Z' });
const table = {
  'atcr.io/prod/api:1': { signatures: [good('did:plc:devops'), good('did:plc:devops')] },
  'atcr.io/prod/web:1': { signatures: [good('did:plc:devops'), good('did:plc:ops2')] },
  'atcr.io/staging/api:1': { signatures: [] },
  'atcr.io/staging/web:1': { signatures: [good('did:plc:devops')] },
  'atcr.io/labs/x:1': { signatures: [] },
};

function workload(kind: string, spec: Record<string, unknown>): AdmissionRequest {
  const template = { metadata: {}, spec };
  const bodies: Record<string, unknown> = {
    Deployment: { template },
    CronJob: { schedule: '* * * * *', jobTemplate: { spec: { template } } },
    ReplicationController: { replicas: 1, template },
  };
  return { operation: 'CREATE', kind, object: { kind, metadata: { name: 'w' }, spec: bodies[kind] } };
}

describe('kyverno admission', () => {
  it('checks every container, init container and ephemeral container, asking the service once per rule', () => {
    const calls: { body: { images: string[] } }[] = [];
    const request = podRequest(['atcr.io/prod/api:1', 'atcr.io/labs/x:1']);
    (request.object as any).spec.ephemeralContainers = [{ name: 'debug', image: 'atcr.io/prod/web:1' }];
    const a = admit(policies, request, fakeService(table, calls), NOW);
    // One call per rule, also for the warn rule, which applies to no container here and so gives no result.
    const rules = (policies as { spec: { rules: unknown[] } }[]).reduce((n, p) => n + p.spec.rules.length, 0);
    expect([calls.length, a.results.length]).toEqual([rules, rules - 1]);
    for (const c of calls) expect([...c.body.images].sort()).toEqual(['atcr.io/labs/x:1', 'atcr.io/prod/api:1', 'atcr.io/prod/web:1']);
    expect(a.allowed).toBe(false);
    const failed = a.results.filter((r) => r.status === 'fail');
    expect(failed.map((r) => r.rule).sort()).toEqual(['policies-audit', 'policies-enforce']);
    const prod = failed.find((r) => r.rule === 'policies-enforce')!;
    expect(prod.messages).toHaveLength(1);
    expect(prod.messages[0]).toContain('image atcr.io/prod/api:1');
    expect(prod.messages[0]).toContain('trust policy production (enforce)');
    expect(prod.messages[0]).toContain('policy production needs 2 distinct signers, has 1');
  });

  it('checks the pod templates of workloads, including CronJobs', () => {
    for (const kind of ['Deployment', 'CronJob', 'ReplicationController']) {
      const denied = admit(policies, workload(kind, { containers: [{ name: 'a', image: 'quay.io/x/y:1' }] }), fakeService(table), NOW);
      expect(denied.allowed).toBe(false);
      expect(denied.results.find((r) => r.rule === 'unmatched')!.messages).toEqual(['validation failure: no trust policy applies to image quay.io/x/y:1']);
      const allowed = admit(policies, workload(kind, { initContainers: [{ name: 'a', image: 'atcr.io/prod/web:1' }] }), fakeService(table), NOW);
      expect(allowed.allowed).toBe(true);
    }
  });

  it('leaves kube-system and kyverno alone by default, or the namespaces given', () => {
    const inNamespace = (namespace: string) => ({ ...podRequest(['quay.io/x/y:1']), namespace });
    expect(admit(policies, inNamespace('default'), fakeService(table), NOW).allowed).toBe(false);
    for (const ns of ['kube-system', 'kyverno']) {
      const a = admit(policies, inNamespace(ns), fakeService(table), NOW);
      expect([a.allowed, a.results]).toEqual([true, []]);
    }
    const custom = parseAllDocuments(compileKyverno(ir, { excludedNamespaces: ['infra'] })[0]!.content as string).map((d) => d.toJS());
    expect(admit(custom, inNamespace('infra'), fakeService(table), NOW).results).toEqual([]);
    expect(admit(custom, inNamespace('kube-system'), fakeService(table), NOW).allowed).toBe(false);
    const none = parseAllDocuments(compileKyverno(ir, { excludedNamespaces: [] })[0]!.content as string).map((d) => d.toJS());
    expect(admit(none, inNamespace('kube-system'), fakeService(table), NOW).allowed).toBe(false);
  });

  it('ignores deletions', () => {
    const a = admit(policies, podRequest(['quay.io/x/y:1'], 'DELETE'), fakeService(table), NOW);
    expect(a).toEqual({ allowed: true, warnings: [], results: [] });
  });

  it('admits warn policies with a warning, and audit policies silently but reported', () => {
    const warned = admit(policies, podRequest(['atcr.io/staging/api:1']), fakeService(table), NOW);
    expect(warned.allowed).toBe(true);
    // Kyverno's warning: "policy <name>.<rule>: " and the rule's message (pkg/webhooks/utils/warning.go).
    expect(warned.warnings).toEqual([
      'policy atcr-verify-warn.policies-warn: validation failure: image atcr.io/staging/api:1 does not satisfy trust policy staging (warn): policy staging requires a signature and the image has none',
    ]);
    // A satisfied warn policy gives no "rule passed" warning: its rule does not apply.
    const satisfied = admit(policies, podRequest(['atcr.io/staging/web:1']), fakeService(table), NOW);
    expect([satisfied.allowed, satisfied.warnings, satisfied.results.filter((r) => r.policy === 'atcr-verify-warn')]).toEqual([true, [], []]);
    const audited = admit(policies, podRequest(['atcr.io/labs/x:1']), fakeService(table), NOW);
    expect(audited.allowed).toBe(true);
    expect(audited.warnings).toEqual([]);
    expect(audited.results.find((r) => r.rule === 'policies-audit')!.status).toBe('fail');
  });

  it('fails closed: an unparseable image, an image without facts, a service that errors', () => {
    const bad = admit(policies, podRequest(['Bad:Ref']), fakeService(table), NOW);
    expect(bad.allowed).toBe(false);
    expect(bad.results.find((r) => r.rule === 'invalid-image')!.messages[0]).toContain('does not parse');
    const silent = admit(policies, podRequest(['atcr.io/prod/api:1']), () => ({ results: {} }), NOW);
    expect(silent.allowed).toBe(false);
    expect(silent.results.find((r) => r.rule === 'invalid-image')!.messages).toEqual([
      'validation failure: image atcr.io/prod/api:1 is denied: no facts from the atcr-verify service for this image (the call failed, or its answer does not list the image)',
    ]);
    const down = admit(policies, podRequest(['atcr.io/prod/api:1']), () => {
      throw new Error('connection refused');
    }, NOW);
    // Kyverno loads the call lazily: the failure reaches the facts variable, whose default
    // ("no facts") the invalid-image rule denies; the other rules apply to nothing.
    expect(down.allowed).toBe(false);
    expect(down.results.map((r) => [r.rule, r.status])).toEqual([['invalid-image', 'fail']]);
  });

  it('keeps rule names within 63 characters and unique', () => {
    const long = 'a'.repeat(60);
    const doc = irFromYaml(`version: 1\npolicies:\n  - name: ${long}1\n    scope: "a/**"\n  - name: ${long}2\n    scope: "b/**"\n`);
    const [artifact] = compileKyverno(doc);
    const names = parseAllDocuments(artifact!.content as string)[0]!.toJS().spec.rules.map((r: { name: string }) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(63);
  });
});
