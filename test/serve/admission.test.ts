// End to end on loopback: the real PDS, PLC directory and registry, the service over
// mTLS, and the compiled artifacts evaluated on its real answers — the Gatekeeper
// ConstraintTemplate's Rego by the tests' Rego interpreter, the Kyverno ClusterPolicy by
// the tests' Kyverno model. Every scenario of the kernel's integration suite is decided
// exactly as `atcr-verify verify --policy` decides it.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constraintTemplate } from '../../src/backends/gatekeeper/index.js';
import type { IRDocument } from '../../src/ir/types.js';
import { type RunningServer, startServer } from '../../src/serve/server.js';
import { clusterPolicies, irFromYaml } from '../backends/kyverno/harness.js';
import { podRequest, SERVICE_URL } from '../backends/kyverno/fake-service.js';
import { admit } from '../backends/kyverno/kyverno-sim.js';
import { closedPort, runCli } from '../integration/cli.js';
import { AtprotoWorld } from '../support/atproto-world.js';
import { RegoProgram } from '../support/rego/interpreter.js';
import { parseRfc3339Ns } from '../support/rego/builtins.js';
import { fromJSON, toJSON, type Value } from '../support/rego/values.js';
import { GATEKEEPER_NAME, issue, makeCa, serverCert, type Pki } from './support/certs.js';
import { call, type ClientTls, providerRequest } from './support/client.js';
import { silentLogger } from './support/log.js';
import { makeScenarios, SCENARIO_NAMES, type Scenarios } from './support/scenarios.js';

let world: AtprotoWorld;
let pki: Pki;
let tls: ClientTls;
let service: RunningServer;
let plcDownService: RunningServer;
let policyFile: string;
let ir: IRDocument;
let expected: Scenarios['expected'];

beforeAll(async () => {
  world = await AtprotoWorld.start();
  pki = makeCa();
  const server = serverCert(pki);
  tls = { ca: pki.ca, client: issue(pki, 'gatekeeper', GATEKEEPER_NAME, 'clientAuth') };
  const dir = mkdtempSync(join(tmpdir(), 'atcr-serve-adm-'));

  const made = await makeScenarios(world, dir);
  policyFile = made.policyFile;
  ir = irFromYaml(made.policyText);
  expected = made.expected;

  const common = {
    host: '127.0.0.1',
    port: 0,
    tls: { cert: server.cert, key: server.key, clientCa: pki.caCert },
    policyFile,
    deadlineMs: 8000,
    logger: silentLogger(),
  };
  service = await startServer({ ...common, settings: { plcUrl: world.plcUrl, allowPrivateNetwork: true } });
  plcDownService = await startServer({ ...common, settings: { plcUrl: `http://127.0.0.1:${await closedPort()}`, allowPrivateNetwork: true } });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await plcDownService?.close();
  await world?.stop();
});

/** What the CLI decides: exit 0 is the only "admit". */
async function cliAllows(image: string, plcDown: boolean): Promise<{ allowed: boolean; code: number }> {
  const plc = plcDown ? `http://127.0.0.1:${await closedPort()}` : world.plcUrl;
  const run = await runCli(['verify', image, '--policy', policyFile, '--plc-url', plc, '--allow-private-network', '--output', 'json']);
  return { allowed: run.code === 0, code: run.code };
}

/** Gatekeeper: the provider's real answer through external_data, the template's deny violations. */
async function gatekeeperAllows(target: RunningServer, image: string): Promise<{ allowed: boolean; messages: string[] }> {
  const reply = await call(target.url, 'POST', '/gatekeeper/v1/provider', providerRequest([image]), tls);
  expect(reply.headers['x-atcr-policy-sha256']).toMatch(/^[0-9a-f]{64}$/);
  const items = reply.json.response.items as { key: string; value?: unknown; error?: string }[];
  // As frameworks' NewRegoResponse builds it from the HTTP answer.
  const regoResponse = {
    responses: items.filter((i) => !i.error).map((i) => [i.key, i.value]),
    errors: items.filter((i) => i.error).map((i) => [i.key, i.error]),
    status_code: reply.status,
    system_error: reply.json.response.systemError ?? '',
  };
  const { source } = (constraintTemplate(ir) as any).spec.targets[0].code[0];
  const program = new RegoProgram([source.rego, ...source.libs]);
  const nowNs = parseRfc3339Ns(new Date().toISOString())!;
  const builtins = {
    'time.now_ns': () => nowNs,
    external_data: ([request]: Value[]) => {
      expect((toJSON(request!) as { keys: string[] }).keys).toEqual([image]);
      return fromJSON(regoResponse);
    },
  };
  const review = { kind: { kind: 'Pod' }, object: { spec: { containers: [{ name: 'c', image }] } } };
  const violations = program.evaluate('data.atcr.gatekeeper.violation', { review, parameters: { effect: 'deny' } }, { builtins }) as { msg: string }[];
  return { allowed: violations.length === 0, messages: violations.map((v) => v.msg) };
}

/** Kyverno: the facts endpoint's real answer through apiCall, the ClusterPolicy in the model. */
async function kyvernoAllows(target: RunningServer, image: string): Promise<boolean> {
  const reply = await call(target.url, 'POST', '/kyverno/v1/facts', JSON.stringify({ images: [image] }), tls);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const admission = admit(
    clusterPolicies(ir),
    podRequest([image]),
    (url, body) => {
      expect(url).toBe(`${SERVICE_URL}/kyverno/v1/facts`);
      expect(body.images).toEqual([image]);
      // Kyverno: a non-2xx answer is an error of the rule.
      if (reply.status < 200 || reply.status > 299) throw new Error(`HTTP ${reply.status}: ${reply.text}`);
      return reply.json;
    },
    now,
  );
  return admission.allowed;
}

describe('admission through the service decides as verify --policy', () => {
  for (const name of SCENARIO_NAMES) {
    it(name, async () => {
      const s = expected.get(name)!;
      const target = s.plcDown ? plcDownService : service;
      const cli = await cliAllows(s.image, s.plcDown === true);
      const gk = await gatekeeperAllows(target, s.image);
      const ky = await kyvernoAllows(target, s.image);
      expect(cli.allowed, `verify exited ${cli.code}`).toBe(s.allowed);
      expect(gk.allowed, gk.messages.join('\n')).toBe(cli.allowed);
      expect(ky).toBe(cli.allowed);
    }, 60_000);
  }

  it('answers an outage with a systemError (never cached by Gatekeeper), a missing image with a per-key error', async () => {
    const down = await call(service.url, 'POST', '/gatekeeper/v1/provider', providerRequest([expected.get('PDS down')!.image]), tls);
    expect(down.json.response.items).toEqual([]);
    expect(down.json.response.systemError).toMatch(/could not verify/);
    const missing = `${world.registryHost}/alice/nothing:1`;
    const nf = await call(service.url, 'POST', '/gatekeeper/v1/provider', providerRequest([missing]), tls);
    expect(nf.json.response.systemError).toBe('');
    expect(nf.json.response.items).toEqual([{ key: missing, error: expect.stringMatching(/^not-found: /) }]);
  });

  it('the mutation provider pins each key to the digest it verified', async () => {
    const img = expected.get('signed')!.image;
    const reply = await call(service.url, 'POST', '/gatekeeper/v1/mutate', providerRequest([img]), tls);
    const facts = await call(service.url, 'POST', '/gatekeeper/v1/provider', providerRequest([img]), tls);
    const digest = facts.json.response.items[0].value.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(reply.json.response).toEqual({ idempotent: true, items: [{ key: img, value: `${world.registryHost}/alice/app@${digest}`, error: '' }], systemError: '' });
  });

  it('/v1/verify gives the JSON of verify --output json, with the decision of the service policy', async () => {
    const img = expected.get('two signers')!.image;
    const run = await runCli(['verify', img, '--policy', policyFile, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json']);
    const cli = JSON.parse(run.stdout);
    const get = await call(service.url, 'GET', `/v1/verify?image=${encodeURIComponent(img)}`, undefined, tls);
    expect(get.status).toBe(200);
    const strip = (o: any) => ({ ...o, durationMs: 0 });
    expect(strip(get.json)).toEqual(strip(cli));
    const post = await call(service.url, 'POST', '/v1/verify', { images: [img, 'Not A Ref'] }, tls);
    expect(post.json.results).toHaveLength(2);
    expect(strip(post.json.results[0])).toEqual(strip(cli));
    expect(post.json.results[1]).toMatchObject({ image: 'Not A Ref', verified: false, error: { kind: 'usage' } });
  });
});
