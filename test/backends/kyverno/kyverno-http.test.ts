// What Kyverno's apiCall really sends to the service (v1.19.0, pkg/engine/apicall): one POST
// per rule to the URL with the object's variables substituted, the body `{"images": [...]}`
// with every container's image, no Content-Type, and `Authorization: Bearer <token>` only
// when Kyverno's scoped service-account token file exists (KYVERNO_SCOPED_TOKEN_PATH);
// `caBundle` must be the raw PEM.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileKyverno } from '../../../src/backends/kyverno/index.js';
import { startKyvernoFacts, type KyvernoFactsServer } from '../../conformance/kyverno-facts.js';
import { TEST_CA_PEM } from '../../conformance/provider.js';
import { workload } from '../../conformance/gatekeeper-harness.js';
import { closedPort } from '../../integration/cli.js';
import { irFromYaml } from './harness.js';
import { kyvernoApply } from './kyverno-cli.js';

const POLICY = 'version: 1\npolicies:\n  - name: prod\n    scope: "atcr.io/prod/**"\n    require:\n      trustedDIDs: [did:plc:devops]\n';
const IMAGES = ['atcr.io/prod/api:1', 'atcr.io/prod/init:2'];

let facts: KyvernoFactsServer;
beforeAll(async () => {
  facts = await startKyvernoFacts();
  facts.table.set('default/app', Object.fromEntries(IMAGES.map((i) => [i, { signatures: [] }])));
});
afterAll(() => facts?.close());

async function admitOnce(env: Record<string, string> = {}, serviceUrl = facts.serviceUrl, caBundle = TEST_CA_PEM) {
  facts.requests.length = 0;
  const [artifact] = compileKyverno(irFromYaml(POLICY), { serviceUrl, caBundle });
  return kyvernoApply(artifact!.content as string, [workload('Deployment', IMAGES, 'app')], { env });
}

describe('the apiCall Kyverno makes', () => {
  it('posts every image once per rule, without a Content-Type, to the substituted URL', async () => {
    const outcome = await admitOnce();
    expect(outcome.results.map((r) => [r.rule, r.result])).toContainEqual(['policies-enforce', 'fail']);
    expect(facts.requests.length).toBe(3);
    for (const r of facts.requests) {
      expect(r).toEqual({ path: '/default/app/kyverno/v1/facts', contentType: undefined, authorization: undefined, images: expect.any(Array) });
      expect([...(r.images as string[])].sort()).toEqual(IMAGES);
    }
  }, 60_000);

  it('adds the scoped service-account token as a Bearer token when its file exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atcr-kyverno-token-'));
    writeFileSync(join(dir, 'token'), 'projected-token-value\n');
    await admitOnce({ KYVERNO_SCOPED_TOKEN_PATH: join(dir, 'token') }).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(facts.requests.length).toBeGreaterThan(0);
    for (const r of facts.requests) expect(r.authorization).toBe('Bearer projected-token-value');
  }, 60_000);

  it('denies through invalid-image when the service cannot be reached: the call is loaded lazily, the facts take their default', async () => {
    const outcome = await admitOnce({}, `https://localhost:${await closedPort()}`);
    expect(outcome.results.map((r) => [r.rule, r.result])).toEqual([['invalid-image', 'fail']]);
    // The first failing container ends the rule; init containers come before containers.
    expect(outcome.results[0]!.message).toBe(`validation failure: image ${IMAGES[1]} is denied: no facts from the atcr-verify service for this image (the call failed, or its answer does not list the image)`);
  }, 60_000);

  it('wants caBundle as raw PEM: the base64 form Gatekeeper takes reaches no service, and the image is denied', async () => {
    const outcome = await admitOnce({}, facts.serviceUrl, Buffer.from(TEST_CA_PEM).toString('base64'));
    expect(facts.requests).toEqual([]);
    expect(outcome.results.map((r) => [r.rule, r.result])).toEqual([['invalid-image', 'fail']]);
  }, 60_000);
});
