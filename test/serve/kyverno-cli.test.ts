// The real Kyverno CLI against the real service: `atcr-verify serve` (the built CLI, a
// process) answers /kyverno/v1/facts over HTTPS on the loopback world, and `kyverno apply
// --resource` evaluates the ClusterPolicy that `atcr-verify policy compile --target kyverno`
// wrote (service URL and caBundle as an operator passes them), making real apiCall.service
// requests. Every scenario of the kernel's integration suite, as a Pod, a Deployment and a
// CronJob, is admitted exactly when `atcr-verify verify --policy` allows the image.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { closedPort, runCli } from '../integration/cli.js';
import { AtprotoWorld } from '../support/atproto-world.js';
import { workload } from '../conformance/gatekeeper-harness.js';
import { type ApplyOutcome, kyvernoApply, rejects } from '../backends/kyverno/kyverno-cli.js';
import { makeCa, serverCert, type Pki } from './support/certs.js';
import { call } from './support/client.js';
import { sample, startServe, type ServeProcess } from './support/process.js';
import { makeScenarios, SCENARIO_NAMES, type ScenarioName, type Scenarios } from './support/scenarios.js';

const KINDS = ['Pod', 'Deployment', 'CronJob'] as const;

/**
 * The rule that denies each scenario and what its message says. A transient failure (PDS,
 * PLC or registry down) is a 503 from the service; Kyverno loads the call lazily, so the
 * facts variable takes its default and `invalid-image` denies (fail closed).
 */
const DENIED_BY: Record<ScenarioName, { rule: string; why: string } | undefined> = {
  signed: undefined,
  'two signers': undefined,
  'one of two signers': { rule: 'policies-enforce', why: 'policy team needs 2 distinct signers, has 1' },
  unsigned: { rule: 'policies-enforce', why: 'requires a signature and the image has none' },
  revoked: { rule: 'policies-enforce', why: 'is invalid: record-deleted' },
  'record for another digest': { rule: 'policies-enforce', why: 'is invalid: record-digest-mismatch' },
  'key changed': { rule: 'policies-enforce', why: 'is invalid: commit-signature-invalid' },
  'PDS down': { rule: 'invalid-image', why: 'no facts from the atcr-verify service' },
  'PLC down': { rule: 'invalid-image', why: 'no facts from the atcr-verify service' },
  'registry down': { rule: 'invalid-image', why: 'no facts from the atcr-verify service' },
};

let world: AtprotoWorld;
let pki: Pki;
let dir: string;
let scenarios: Scenarios;
const running: ServeProcess[] = [];
/** Per service (normal, PLC down): the compiled policies and Kyverno's results. */
const runs = new Map<'normal' | 'plc-down', { serve: ServeProcess; policies: any[]; policyText: string; outcome: ApplyOutcome }>();

const resourceName = (scenario: string, kind: string) => `${scenario.replace(/[^a-z0-9]+/giu, '-').toLowerCase()}-${kind.toLowerCase()}`;

async function serveAndApply(which: 'normal' | 'plc-down', names: readonly ScenarioName[]): Promise<void> {
  const server = serverCert(pki);
  const plc = which === 'normal' ? world.plcUrl : `http://127.0.0.1:${await closedPort()}`;
  // No --client-ca: Kyverno's apiCall presents no client certificate (docs/serve.md).
  const serve = await startServe(['--listen', '127.0.0.1:0', '--tls-cert', server.cert, '--tls-key', server.key, '--policy', scenarios.policyFile, '--plc-url', plc, '--allow-private-network', '--deadline', '8s']);
  running.push(serve);
  const out = join(dir, which);
  const compiled = await runCli(['policy', 'compile', scenarios.policyFile, '--target', 'kyverno', '--service-url', serve.url, '--ca-bundle', pki.caCert, '-o', out]);
  expect(compiled.code, compiled.stderr).toBe(0);
  const policyText = readFileSync(join(out, 'clusterpolicy.yaml'), 'utf8');
  const policies = parseAllDocuments(policyText).map((d) => d.toJS());
  const resources = names.flatMap((n) => KINDS.map((k) => workload(k, [scenarios.expected.get(n)!.image], resourceName(n, k))));
  const outcome = await kyvernoApply(policyText, resources, { timeoutMs: 120_000 });
  runs.set(which, { serve, policies, policyText, outcome });
}

beforeAll(async () => {
  world = await AtprotoWorld.start();
  pki = makeCa();
  dir = mkdtempSync(join(tmpdir(), 'atcr-kyverno-cli-'));
  scenarios = await makeScenarios(world, dir);
  const plcDown = SCENARIO_NAMES.filter((n) => scenarios.expected.get(n)!.plcDown);
  await serveAndApply('normal', SCENARIO_NAMES.filter((n) => !plcDown.includes(n)));
  await serveAndApply('plc-down', plcDown);
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await world?.stop();
});

/** What the CLI decides: exit 0 is the only "admit". */
async function cliAllows(image: string, plcDown: boolean): Promise<{ allowed: boolean; code: number }> {
  const plc = plcDown ? `http://127.0.0.1:${await closedPort()}` : world.plcUrl;
  const run = await runCli(['verify', image, '--policy', scenarios.policyFile, '--plc-url', plc, '--allow-private-network', '--output', 'json']);
  return { allowed: run.code === 0, code: run.code };
}

describe('kyverno apply with the service answering decides as verify --policy', () => {
  it('Kyverno accepts the compiled ClusterPolicy and asks the service over HTTPS with the caBundle', async () => {
    const { outcome, policies, serve, policyText } = runs.get('normal')!;
    expect(outcome.refused, outcome.stdout).toEqual([]);
    expect(policyText).toContain(`url: ${serve.url}/kyverno/v1/facts`);
    expect(policies[0].spec.rules[0].context[0].apiCall.service.caBundle).toBe(pki.ca);
    // Every rule reached a result: none was dropped as "disabled loading of APICall context entry".
    const names = new Set(outcome.results.map((r) => r.name));
    expect(names.size).toBe((SCENARIO_NAMES.length - 1) * KINDS.length);
    const metrics = await fetchMetrics(serve);
    expect(sample(metrics, 'atcr_verify_requests_total', { endpoint: 'kyverno-facts', status: '200' })).toBeGreaterThan(0);
  });

  for (const name of SCENARIO_NAMES) {
    it(name, async () => {
      const s = scenarios.expected.get(name)!;
      const run = runs.get(s.plcDown ? 'plc-down' : 'normal')!;
      const cli = await cliAllows(s.image, s.plcDown === true);
      expect(cli.allowed, `verify exited ${cli.code}`).toBe(s.allowed);
      for (const kind of KINDS) {
        const results = run.outcome.results.filter((r) => r.kind === kind && r.name === resourceName(name, kind));
        expect(results.length, `${kind}: no results in ${run.outcome.stdout.slice(0, 2000)}`).toBeGreaterThan(0);
        const show = results.map((r) => `${r.policy}/${r.rule}: ${r.result}: ${r.message}`).join('\n');
        expect(!rejects(results, run.policies), `${kind}\n${show}`).toBe(cli.allowed);
        const failed = results.filter((r) => r.result !== 'pass');
        expect(failed.map((r) => r.rule), show).toEqual(DENIED_BY[name] ? [DENIED_BY[name]!.rule] : []);
        if (DENIED_BY[name]) expect(failed[0]!.message, show).toContain(`image ${s.image} `);
        if (DENIED_BY[name]) expect(failed[0]!.message, show).toContain(DENIED_BY[name]!.why);
      }
    }, 60_000);
  }
});

async function fetchMetrics(serve: ServeProcess): Promise<string> {
  const reply = await call(serve.url, 'GET', '/metrics', undefined, { ca: pki.ca });
  return reply.text;
}
