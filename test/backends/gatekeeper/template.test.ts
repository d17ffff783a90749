// The ConstraintTemplate's Rego, run by the test interpreter with a stub provider: which
// images it finds, what each constraint reports, and that failures deny.

import { describe, expect, it } from 'vitest';
import { constraintTemplate } from '../../../src/backends/gatekeeper/index.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { parseRfc3339Ns } from '../../support/rego/builtins.js';
import { RegoProgram } from '../../support/rego/interpreter.js';
import { fromJSON, toJSON, type Value } from '../../support/rego/values.js';
import { productionDoc } from '../rego/fixtures.js';

const NOW = '2026-11-25T12:00:00Z';
const GOOD_SIG = { valid: true, did: 'did:plc:devops-team', signedAt: '2026-11-20T00:00:00Z', pds: 'https://pds.example.com' };

interface ProviderStub {
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  systemError?: string;
  fail?: boolean;
  /** Gatekeeper passes the provider's HTTP status through; 0 when every key came from its cache. */
  statusCode?: number;
}

function run(ir: IRDocument, review: unknown, effect: string, stub: ProviderStub) {
  const target = (constraintTemplate(ir) as any).spec.targets[0].code[0].source;
  const program = new RegoProgram([target.rego, ...target.libs]);
  const calls: unknown[] = [];
  const result = program.evaluate(
    'data.atcr.gatekeeper.violation',
    { review, parameters: { effect } },
    {
      builtins: {
        'time.now_ns': () => parseRfc3339Ns(NOW)!,
        external_data: ([request]) => {
          const req = toJSON(request as Value) as { provider: string; keys: string[] };
          calls.push(req);
          if (stub.fail) return undefined;
          const keys = req.keys.filter((k) => !(k in (stub.errors ?? {})) && stub.values && k in stub.values);
          return fromJSON({
            responses: keys.map((k) => [k, stub.values![k]]),
            errors: Object.entries(stub.errors ?? {}).map(([k, e]) => [k, e]),
            system_error: stub.systemError ?? '',
            status_code: stub.statusCode ?? 200,
          });
        },
      },
    },
  ) as { msg: string; details: any }[];
  return { violations: result, calls };
}

const pod = (images: { containers?: string[]; initContainers?: string[]; ephemeralContainers?: string[] }) => ({
  kind: { group: '', version: 'v1', kind: 'Pod' },
  object: {
    kind: 'Pod',
    spec: Object.fromEntries(Object.entries(images).map(([field, list]) => [field, list.map((image, i) => ({ name: `c${i}`, image }))])),
  },
});

const answer = (image: string, signatures: unknown[]) => ({ image, digest: `sha256:${'a'.repeat(64)}`, owner: 'did:plc:acme', signatures });

describe('the Gatekeeper template Rego', () => {
  it('finds every container image of a Pod and calls the provider once, sorted and distinct', () => {
    const review = pod({
      containers: ['atcr.io/acme/prod-api:1.4', 'nginx:1.25'],
      initContainers: ['atcr.io/acme/init:1'],
      ephemeralContainers: ['nginx:1.25'],
    });
    const { calls } = run(productionDoc, review, 'deny', { values: {} });
    expect(calls).toEqual([{ provider: 'atcr-verify', keys: ['atcr.io/acme/init:1', 'atcr.io/acme/prod-api:1.4', 'nginx:1.25'] }]);
  });

  it('reads pod templates of Deployments and CronJobs', () => {
    const template = { spec: { containers: [{ name: 'a', image: 'atcr.io/acme/prod-api:1.4' }] } };
    const deployment = { kind: { kind: 'Deployment' }, object: { spec: { template } } };
    const cronJob = { kind: { kind: 'CronJob' }, object: { spec: { jobTemplate: { spec: { template } } } } };
    for (const review of [deployment, cronJob]) {
      expect(run(productionDoc, review, 'deny', { values: {} }).calls).toEqual([{ provider: 'atcr-verify', keys: ['atcr.io/acme/prod-api:1.4'] }]);
    }
    expect(run(productionDoc, { kind: { kind: 'ConfigMap' }, object: {} }, 'deny', {}).calls).toEqual([]);
  });

  it('reports nothing for an image the policy allows', () => {
    const image = 'atcr.io/acme/prod-api:1.4';
    const { violations } = run(productionDoc, pod({ containers: [image] }), 'deny', { values: { [image]: answer(image, [GOOD_SIG]) } });
    expect(violations).toEqual([]);
  });

  it('denies an untrusted signature through the deny constraint, naming image, policy and reason', () => {
    const image = 'atcr.io/acme/prod-api:1.4';
    const stub = { values: { [image]: answer(image, [{ ...GOOD_SIG, did: 'did:plc:mallory' }]) } };
    const { violations } = run(productionDoc, pod({ containers: [image] }), 'deny', stub);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.msg).toContain(image);
    expect(violations[0]!.msg).toContain('production');
    expect(violations[0]!.msg).toContain('did:plc:mallory is not trusted');
    expect(violations[0]!.details.decision.effect).toBe('deny');
    expect(run(productionDoc, pod({ containers: [image] }), 'audit', stub).violations).toEqual([]);
  });

  it('routes an audit decision to the audit constraint only', () => {
    const image = 'atcr.io/acme/staging-api:2';
    const stub = { values: { [image]: answer(image, []) } };
    expect(run(productionDoc, pod({ containers: [image] }), 'deny', stub).violations).toEqual([]);
    const audit = run(productionDoc, pod({ containers: [image] }), 'audit', stub).violations;
    expect(audit.map((v) => v.details.decision.violations.map((x: { code: string }) => x.code))).toEqual([['no-signatures']]);
  });

  it('denies unmatched and unparseable images from the provider answer', () => {
    const images = ['quay.io/x/y:1', 'Bad:Ref:x'];
    const stub = { values: Object.fromEntries(images.map((i) => [i, answer(i, [])])) };
    const { violations } = run(productionDoc, pod({ containers: images }), 'deny', stub);
    expect(violations.map((v) => v.details.decision.violations[0].code).sort()).toEqual(['invalid-image', 'no-matching-policy']);
  });

  it('fails closed on a provider system error, only through the deny constraint', () => {
    const review = pod({ containers: ['atcr.io/acme/prod-api:1.4'] });
    const stub = { values: {}, systemError: 'connection refused' };
    const { violations } = run(productionDoc, review, 'deny', stub);
    expect(violations).toHaveLength(1);
    expect(violations[0]!.msg).toContain('connection refused');
    expect(run(productionDoc, review, 'audit', stub).violations).toEqual([]);
  });

  it('decides images answered entirely from Gatekeeper\'s response cache (status_code 0)', () => {
    const image = 'atcr.io/acme/prod-api:1.4';
    const review = pod({ containers: [image] });
    const allowed = { values: { [image]: answer(image, [GOOD_SIG]) }, statusCode: 0 };
    expect(run(productionDoc, review, 'deny', allowed).violations).toEqual([]);
    const denied = { values: { [image]: answer(image, [{ ...GOOD_SIG, did: 'did:plc:mallory' }]) }, statusCode: 0 };
    const { violations } = run(productionDoc, review, 'deny', denied);
    expect(violations.map((v) => v.details.decision?.violations.map((x: { code: string }) => x.code))).toEqual([['untrusted-did']]);
  });

  it('fails closed on any other HTTP status of the provider', () => {
    const image = 'atcr.io/acme/prod-api:1.4';
    for (const statusCode of [500, 404, 204]) {
      const stub = { values: { [image]: answer(image, [GOOD_SIG]) }, statusCode };
      const { violations } = run(productionDoc, pod({ containers: [image] }), 'deny', stub);
      expect(violations.map((v) => v.msg)).toEqual([`atcr-verify denies images ${image}: provider answered HTTP ${statusCode}`]);
    }
  });

  it('fails closed when the external data call itself fails', () => {
    const { violations } = run(productionDoc, pod({ containers: ['atcr.io/acme/prod-api:1.4'] }), 'deny', { fail: true });
    expect(violations).toHaveLength(1);
    expect(violations[0]!.msg).toContain('external data call failed');
  });

  it('denies an image with a per-key error or no answer, and decides the others', () => {
    const ok = 'atcr.io/acme/prod-api:1.4';
    const review = pod({ containers: [ok, 'atcr.io/acme/prod-b:1', 'atcr.io/acme/prod-c:1'] });
    const stub = {
      values: { [ok]: answer(ok, [GOOD_SIG]) },
      errors: { 'atcr.io/acme/prod-b:1': 'registry unavailable' },
    };
    const { violations } = run(productionDoc, review, 'deny', stub);
    expect(violations.map((v) => [v.details.image, v.details.error]).sort()).toEqual([
      ['atcr.io/acme/prod-b:1', 'provider error: registry unavailable'],
      ['atcr.io/acme/prod-c:1', 'the provider returned no answer for it'],
    ]);
  });

  it('takes the first answer when the provider repeats a key', () => {
    const image = 'atcr.io/acme/prod-api:1.4';
    const target = (constraintTemplate(productionDoc) as any).spec.targets[0].code[0].source;
    const program = new RegoProgram([target.rego, ...target.libs]);
    const good = answer(image, [GOOD_SIG]);
    const bad = answer(image, []);
    const violations = program.evaluate('data.atcr.gatekeeper.violation', { review: pod({ containers: [image] }), parameters: { effect: 'deny' } }, {
      builtins: {
        'time.now_ns': () => parseRfc3339Ns(NOW)!,
        external_data: () => fromJSON({ responses: [[image, good], [image, bad]], errors: [], system_error: '', status_code: 200 }),
      },
    });
    expect(violations).toEqual([]);
  });

  it('uses the provider owner for trustedDIDs: owner', () => {
    const image = 'atcr.io/acme/prod-api:1.4';
    const signature = { ...GOOD_SIG, did: 'did:plc:acme' };
    const { violations } = run(productionDoc, pod({ containers: [image] }), 'deny', { values: { [image]: answer(image, [signature]) } });
    expect(violations).toEqual([]);
  });
});
