// Gatekeeper for real: the compiled ConstraintTemplate, Constraints and Provider in
// Gatekeeper's own constraint framework (tools/gatekeeper-harness), external_data answered
// over real HTTPS with TLS 1.3, the Provider's caBundle and a client certificate (mTLS), by a
// provider on loopback answering the kernel's facts for each scenario. Also: the provider
// down, slow, answering junk or errors (every image denied), a second admission inside
// Gatekeeper's response-cache TTL, and what status_code a fully cached answer carries.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileGatekeeper } from '../../src/backends/gatekeeper/index.js';
import type { IRDocument } from '../../src/ir/types.js';
import { compilePolicyFile } from '../../src/lower/load.js';
import { scenarioInputs } from './corpus.js';
import { type GatekeeperViolation, GatekeeperHarness, workload } from './gatekeeper-harness.js';
import { type FactsProvider, startProvider, TEST_CA_PEM } from './provider.js';

const GATEKEEPER_CN = 'gatekeeper-webhook-service.gatekeeper-system.svc';
const NOW = '2026-11-25T12:00:00Z';

/** A CA and the client certificate Gatekeeper presents (serverAuth + clientAuth, as cert-controller issues it). */
function clientCertificate(): { ca: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'atcr-gk-mtls-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=gatekeeper-ca/O=gatekeeper']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', `/CN=${GATEKEEPER_CN}`]);
  execFileSync('sh', ['-c', `printf 'extendedKeyUsage=serverAuth,clientAuth\\nsubjectAltName=DNS:${GATEKEEPER_CN}\\n' > ext.cnf`], { cwd: dir });
  run(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2', '-extfile', 'ext.cnf']);
  return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key') };
}

function artifacts(ir: IRDocument, provider: FactsProvider) {
  const arts = compileGatekeeper(ir, { serviceUrl: provider.url.replace(/\/gatekeeper\/v1\/provider$/u, '') });
  const text = (p: string) => arts.find((a) => a.path === p)!.content as string;
  return {
    templates: [text('constraint-template.yaml')],
    constraints: [text('constraints.yaml')],
    providers: [text('provider.yaml').replace('REPLACE-WITH-BASE64-PEM-CA-BUNDLE', Buffer.from(TEST_CA_PEM).toString('base64'))],
  };
}

const denials = (vs: GatekeeperViolation[] | undefined) => (vs ?? []).filter((v) => v.enforcementAction === 'deny');

describe('Gatekeeper (constraint framework) on the compiled template', () => {
  let ir: IRDocument;
  let provider: FactsProvider;
  let harness: GatekeeperHarness;
  let cert: ReturnType<typeof clientCertificate>;
  const scenarios = scenarioInputs();
  const imageOf = (i: number) => `atcr.io/acme/prod-s${i}:1.4`;

  beforeAll(async () => {
    ir = (await compilePolicyFile('policies/production.yaml')).ir!;
    cert = clientCertificate();
    provider = await startProvider({ clientCA: cert.ca, slowMs: 3000 });
    // One image per scenario, answered with that scenario's facts (as the service would).
    scenarios.forEach((s, i) => {
      const input = s.input as { owner?: string; signatures: unknown[] };
      provider.table.set(imageOf(i), { value: { image: imageOf(i), digest: 'sha256:' + 'a'.repeat(64), owner: input.owner ?? '', signatures: input.signatures } });
    });
    harness = new GatekeeperHarness();
  });

  afterAll(async () => {
    await harness?.close();
    await provider?.close();
  });

  it('decides Pods, Deployments and CronJobs like the native engine, over mTLS', async () => {
    const { evaluate } = await import('../../src/engine/evaluate.js');
    await harness.setup({ ...artifacts(ir, provider), clientCert: { certFile: cert.certFile, keyFile: cert.keyFile }, responseCacheTTLSeconds: 0 });
    for (const kind of ['Pod', 'Deployment', 'CronJob'] as const) {
      const before = provider.requests.length;
      const results = await harness.review(scenarios.map((_, i) => ({ object: workload(kind, [imageOf(i)]), now: NOW })));
      results.forEach((r, i) => {
        const native = evaluate(ir, { ...(scenarios[i]!.input as object), image: imageOf(i) });
        expect(r.error, `${kind} ${scenarios[i]!.id}`).toBeUndefined();
        const reported = r.violations!.filter((v) => v.details?.decision);
        if (native.effect === 'allow') expect(r.violations, `${kind} ${scenarios[i]!.id}`).toEqual([]);
        else expect(reported.map((v) => v.details.decision), `${kind} ${scenarios[i]!.id}`).toEqual([JSON.parse(JSON.stringify(native))]);
      });
      // Real requests, with Gatekeeper's client certificate and a JSON content type.
      const made = provider.requests.slice(before);
      expect(made.length).toBe(scenarios.length);
      expect(new Set(made.map((m) => m.clientCN))).toEqual(new Set([GATEKEEPER_CN]));
      expect(new Set(made.map((m) => m.contentType))).toEqual(new Set(['application/json']));
    }
    const allowed = scenarios.filter((s) => evaluate(ir, { ...(s.input as object), image: 'atcr.io/acme/prod-x:1.4' }).allowed).length;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(scenarios.length);
  });

  it('denies when Gatekeeper presents no client certificate to a provider that requires one', async () => {
    // A process of its own: the framework keeps HTTP clients per provider process-wide, so
    // one that earlier had a certificate would keep it.
    const bare = new GatekeeperHarness();
    try {
      await bare.setup({ ...artifacts(ir, provider), responseCacheTTLSeconds: 0 });
      const [r] = await bare.review([{ object: workload('Pod', [imageOf(0)]), now: NOW }]);
      expect(denials(r!.violations).map((v) => v.msg)).toEqual([expect.stringMatching(/^atcr-verify denies images atcr\.io\/acme\/prod-s0:1\.4: provider error: .*certificate required/u)]);
    } finally {
      await bare.close();
    }
  });

  it('denies every image when the provider answers junk, an error, HTTP 500, too slowly, or not at all', async () => {
    await harness.setup({ ...artifacts(ir, provider), clientCert: { certFile: cert.certFile, keyFile: cert.keyFile }, responseCacheTTLSeconds: 0 });
    const signed = imageOf(0); // allowed when the provider answers
    const [ok] = await harness.review([{ object: workload('Deployment', [signed]), now: NOW }]);
    expect(ok!.violations).toEqual([]);
    const expected: Record<string, RegExp> = {
      junk: /provider error: .*invalid character/u,
      'system-error': /provider error: verification backend unavailable/u,
      'http-500': /provider answered HTTP 500/u,
      slow: /provider error: .*(deadline|Timeout|timeout)/u,
    };
    for (const [mode, msg] of Object.entries(expected)) {
      provider.mode = mode as FactsProvider['mode'];
      const [r] = await harness.review([{ object: workload('Deployment', [signed]), now: NOW }]);
      expect(denials(r!.violations).map((v) => v.msg), mode).toEqual([expect.stringMatching(msg)]);
    }
    provider.mode = 'answer';
    const down = await startProvider();
    const url = down.url;
    await down.close();
    const arts = artifacts(ir, provider);
    await harness.setup({ ...arts, providers: arts.providers.map((p) => p.replace(provider.url, url)), responseCacheTTLSeconds: 0 });
    const [r] = await harness.review([{ object: workload('CronJob', [signed]), now: NOW }]);
    expect(denials(r!.violations).map((v) => v.msg)).toEqual([expect.stringMatching(/provider error: .*connection refused/u)]);
  }, 30_000);

  it('admits again from the response cache inside its TTL, without asking the provider', async () => {
    await harness.setup({ ...artifacts(ir, provider), clientCert: { certFile: cert.certFile, keyFile: cert.keyFile }, responseCacheTTLSeconds: 180 });
    const images = [imageOf(0), imageOf(3)]; // signed, unsigned
    const first = await harness.review([{ object: workload('Pod', images), now: NOW }]);
    const asked = provider.requests.length;
    const second = await harness.review([{ object: workload('Deployment', images), now: NOW }]);
    expect(provider.requests.length).toBe(asked);
    const decisions = (r: typeof first) => denials(r[0]!.violations).map((v) => [v.details.image, v.details.decision?.violations?.map((x: { code: string }) => x.code)]);
    expect(decisions(second)).toEqual(decisions(first));
    expect(decisions(second)).toEqual([[imageOf(3), ['no-signatures']]]);
  });

  it('hands Rego status_code 0 when every key comes from the response cache (the real framework)', async () => {
    // A probe template reporting what external_data returned, next to no other policy.
    const probe = stringify({
      apiVersion: 'templates.gatekeeper.sh/v1',
      kind: 'ConstraintTemplate',
      metadata: { name: 'statusprobe' },
      spec: {
        crd: { spec: { names: { kind: 'StatusProbe' } } },
        targets: [
          {
            target: 'admission.k8s.gatekeeper.sh',
            code: [{ engine: 'Rego', source: { version: 'v1', rego: 'package statusprobe\n\nviolation contains {"msg": sprintf("status_code %v", [r.status_code])} if {\n\tr := external_data({"provider": "atcr-verify", "keys": [input.review.object.spec.containers[0].image]})\n}\n' } }],
          },
        ],
      },
    });
    const constraint = stringify({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'StatusProbe', metadata: { name: 'probe' }, spec: { match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] } } });
    await harness.setup({ ...artifacts(ir, provider), templates: [probe], constraints: [constraint], clientCert: { certFile: cert.certFile, keyFile: cert.keyFile }, responseCacheTTLSeconds: 180 });
    const pod = { object: workload('Pod', [imageOf(1)]), now: NOW };
    const [first] = await harness.review([pod]);
    const [second] = await harness.review([pod]);
    expect(first!.violations!.map((v) => v.msg)).toEqual(['status_code 200']);
    expect(second!.violations!.map((v) => v.msg)).toEqual(['status_code 0']);
  });
});
