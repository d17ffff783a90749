// Gatekeeper for real, end to end: Gatekeeper's constraint framework and mutation system
// (tools/gatekeeper-harness) run what `policy compile --target gatekeeper --pin-digests`
// writes, and external_data is answered over real HTTPS — TLS 1.3, the Provider's
// caBundle, mTLS with Gatekeeper's client certificate, its name checked — by a real
// `atcr-verify serve` process on the loopback world (dev-env PDS and PLC, Debian's
// docker-registry, the in-process referrers registry). Every kernel scenario must be
// decided as `atcr-verify verify --policy` decides it.

import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, parseOutput, runCli, type VerifyJson } from '../integration/cli.js';
import { GATEKEEPER_NAME, issue, makeCa, serverCert, type Issued, type Pki } from '../serve/support/certs.js';
import { call, type ClientTls, providerRequest } from '../serve/support/client.js';
import { sample, startServe, type ServeProcess } from '../serve/support/process.js';
import { SCENARIOS, type Scenario, type ScenarioName, type ScenarioWorld, startScenarioWorld } from '../serve/support/scenarios.js';
import { type GatekeeperViolation, GatekeeperHarness, type HarnessSetup, type ReviewResult, workload } from './gatekeeper-harness.js';

const KINDS = ['Pod', 'Deployment', 'CronJob'] as const;
/** Scenarios the service cannot answer definitely now (an outage): a systemError, denied and never cached. */
const TRANSIENT: ReadonlySet<ScenarioName> = new Set(['PDS down', 'PLC down', 'registry down']);

let w: ScenarioWorld;
let pki: Pki;
let gatekeeperCert: Issued;
let service: ServeProcess;
let plcDownService: ServeProcess;
let harness: GatekeeperHarness;
let artifacts: CompiledArtifacts;
let plcDownArtifacts: CompiledArtifacts;
const cli = new Map<ScenarioName, { code: number; json: VerifyJson }>();
const running: ServeProcess[] = [];

interface CompiledArtifacts extends Required<Pick<HarnessSetup, 'templates' | 'constraints' | 'providers'>> {
  mutators: string[];
}

/** The service as operators run it: TLS 1.3 with a certificate for 127.0.0.1, Gatekeeper's client CA and name. */
async function serve(plcUrl: string): Promise<ServeProcess> {
  const cert = serverCert(pki);
  const p = await startServe([
    '--listen', '127.0.0.1:0',
    '--tls-cert', cert.cert,
    '--tls-key', cert.key,
    '--client-ca', pki.caCert,
    '--client-name', GATEKEEPER_NAME,
    '--policy', w.policyFile,
    '--plc-url', plcUrl,
    '--allow-private-network',
    // A cold verification on this shared 2-core machine can outlast the Provider's 2 s
    // timeout (the service then answers "retry"); facts are warmed once and kept.
    '--cache-ttl', '10m', '--negative-ttl', '10m', '--tag-ttl', '10m',
  ]);
  running.push(p);
  return p;
}

/** What `policy compile --target gatekeeper --pin-digests` writes for a service at `url`. */
async function compile(url: string, out: string): Promise<CompiledArtifacts> {
  const run = await runCli(['policy', 'compile', w.policyFile, '--target', 'gatekeeper', '-o', out, '--service-url', url, '--ca-bundle', pki.caCert, '--pin-digests']);
  expect(run.code, run.stderr).toBe(0);
  const text = (f: string) => readFileSync(join(out, f), 'utf8');
  return { templates: [text('constraint-template.yaml')], constraints: [text('constraints.yaml')], providers: [text('provider.yaml')], mutators: [text('mutation.yaml')] };
}

const tls = (): ClientTls => ({ ca: pki.ca, client: gatekeeperCert });
const clientCert = () => ({ certFile: gatekeeperCert.cert, keyFile: gatekeeperCert.key });

/** Requests the service counted on an endpoint, whatever their status. */
async function requests(p: ServeProcess, endpoint: string): Promise<number> {
  const m = await call(p.url, 'GET', '/metrics', undefined, tls());
  let n = 0;
  for (const line of m.text.split('\n')) {
    const match = /^atcr_verify_requests_total\{([^}]*)\} (\S+)$/u.exec(line);
    if (match && match[1]!.includes(`endpoint="${endpoint}"`)) n += Number(match[2]);
  }
  return n;
}

const tlsRefused = async (p: ServeProcess) => sample((await call(p.url, 'GET', '/metrics', undefined, tls())).text, 'atcr_verify_tls_clients_refused_total');

const denials = (r: ReviewResult) => (r.violations ?? []).filter((v: GatekeeperViolation) => v.enforcementAction === 'deny');
const codes = (vs: { code: string; did?: string }[] | undefined) => (vs ?? []).map((v) => `${v.code}${v.did ? ` ${v.did}` : ''}`).sort();

/** The harness's decision for `name` equals the CLI's: admitted ⇔ exit 0, the same decision and violation codes. */
function expectSameDecision(r: ReviewResult, name: ScenarioName, what: string): void {
  const c = cli.get(name)!;
  expect(r.error, what).toBeUndefined();
  const denied = denials(r);
  expect(denied.length === 0, `${what}: ${denied.map((v) => v.msg).join('\n')}`).toBe(c.code === 0);
  const decided = (r.violations ?? []).filter((v) => v.details?.decision);
  if (c.code === 0) {
    expect(r.violations, what).toEqual([]);
  } else if (TRANSIENT.has(name)) {
    // The service cannot decide now, so it says so for the whole request and Gatekeeper denies.
    expect(denied.map((v) => v.msg), what).toEqual([expect.stringMatching(/: provider error: could not verify 1 of 1 images now \(.+\); retry$/u)]);
  } else {
    expect(decided.map((v) => v.details.decision), what).toEqual([c.json.decision]);
    expect(codes(decided[0]!.details.decision.violations), what).toEqual(codes(c.json.decision!.violations));
  }
}

/** `atcr-verify verify --policy` on the loopback world: its exit code and JSON. */
async function verify(image: string, plcUrl = w.world.plcUrl): Promise<{ code: number; json: VerifyJson }> {
  const run = await runCli(['verify', image, '--policy', w.policyFile, '--plc-url', plcUrl, '--allow-private-network', '--output', 'json']);
  return { code: run.code, json: parseOutput(run) };
}

function scenario(name: ScenarioName): Scenario {
  return w.scenarios.get(name)!;
}

beforeAll(async () => {
  w = await startScenarioWorld();
  pki = makeCa();
  gatekeeperCert = issue(pki, 'gatekeeper', GATEKEEPER_NAME, 'clientAuth');
  const deadPlc = `http://127.0.0.1:${await closedPort()}`;
  [service, plcDownService] = await Promise.all([serve(w.world.plcUrl), serve(deadPlc)]);
  artifacts = await compile(service.url, join(w.dir, 'gatekeeper'));
  plcDownArtifacts = await compile(plcDownService.url, join(w.dir, 'gatekeeper-plc-down'));
  for (const name of SCENARIOS) {
    const s = scenario(name);
    const run = await verify(s.image, s.plcDown ? deadPlc : w.world.plcUrl);
    cli.set(name, run);
    expect(run.code === 0, `verify ${name} exited ${run.code}`).toBe(s.allowed);
    // Warm the service's cache (see serve()): what it verified is what Gatekeeper then reads.
    await call((s.plcDown ? plcDownService : service).url, 'POST', '/gatekeeper/v1/provider', providerRequest([s.image]), tls());
  }
  harness = new GatekeeperHarness();
}, 240_000);

afterAll(async () => {
  await harness?.close();
  await Promise.all(running.map((p) => p.stop()));
  await w?.world.stop();
});

/** Reviews one object per scenario (the PLC-down one against the service whose PLC is down). */
async function reviewAll(kind: (typeof KINDS)[number], ttl: number): Promise<Map<ScenarioName, ReviewResult>> {
  const out = new Map<ScenarioName, ReviewResult>();
  const names = SCENARIOS.filter((n) => !scenario(n).plcDown);
  await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: ttl });
  const results = await harness.review(names.map((n) => ({ object: workload(kind, [scenario(n).image]) })));
  names.forEach((n, i) => out.set(n, results[i]!));
  await harness.setup({ ...plcDownArtifacts, clientCert: clientCert(), responseCacheTTLSeconds: ttl });
  const [plc] = await harness.review([{ object: workload(kind, [scenario('PLC down').image]) }]);
  out.set('PLC down', plc!);
  return out;
}

describe('Gatekeeper on atcr-verify serve decides every kernel scenario as verify --policy', () => {
  for (const kind of KINDS) {
    it(`${kind}s`, async () => {
      const before = await requests(service, 'gatekeeper-provider');
      const results = await reviewAll(kind, 0);
      for (const name of SCENARIOS) expectSameDecision(results.get(name)!, name, `${kind} ${name}`);
      // One real request per object: nothing came from Gatekeeper's cache (TTL 0).
      expect(await requests(service, 'gatekeeper-provider')).toBe(before + SCENARIOS.length - 1);
    }, 60_000);
  }
});

describe('one object with many images', () => {
  it('asks once for all of them and decides each as verify decides it; an image not in the registry is denied by its own error', async () => {
    const definite = SCENARIOS.filter((n) => !TRANSIENT.has(n));
    const missing = `${w.world.registryHost}/alice/nothing:1`;
    const missingCli = await verify(missing);
    expect(missingCli.code).not.toBe(0);
    await call(service.url, 'POST', '/gatekeeper/v1/provider', providerRequest([missing]), tls()); // warm, as in beforeAll
    await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: 0 });
    for (const kind of KINDS) {
      const before = await requests(service, 'gatekeeper-provider');
      const [r] = await harness.review([{ object: workload(kind, [...definite.map((n) => scenario(n).image), missing]) }]);
      expect(await requests(service, 'gatekeeper-provider')).toBe(before + 1);
      expect(r!.error).toBeUndefined();
      const byImage = new Map<string, GatekeeperViolation[]>();
      for (const v of denials(r!)) byImage.set(v.details.image, [...(byImage.get(v.details.image) ?? []), v]);
      for (const n of definite) {
        const c = cli.get(n)!;
        const vs = byImage.get(scenario(n).image) ?? [];
        expect(vs.map((v) => v.details.decision), `${kind} ${n}`).toEqual(c.code === 0 ? [] : [c.json.decision]);
      }
      expect(byImage.get(missing)!.map((v) => v.details.error), kind).toEqual([expect.stringMatching(/^provider error: not-found: /u)]);
      expect(byImage.size).toBe(definite.filter((n) => cli.get(n)!.code !== 0).length + 1);
    }
  }, 60_000);
});

describe('excluded namespaces', () => {
  it('neither validates nor pins objects in kube-system and gatekeeper-system, and asks the service nothing', async () => {
    await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: 0 });
    const unsigned = scenario('unsigned').image;
    const before = await requests(service, 'gatekeeper-provider') + (await requests(service, 'gatekeeper-mutate'));
    for (const namespace of ['kube-system', 'gatekeeper-system']) {
      const results = await harness.review(KINDS.map((kind) => ({ object: workload(kind, [unsigned]), namespace })));
      for (const r of results) expect(r, namespace).toEqual({ violations: [] });
      const [m] = await harness.mutate([{ object: workload('Pod', [unsigned]), namespace }]);
      expect(m!.mutated, namespace).toBe(false);
      expect(m!.object.spec.containers[0].image).toBe(unsigned);
    }
    expect(await requests(service, 'gatekeeper-provider') + (await requests(service, 'gatekeeper-mutate'))).toBe(before);
    // The same objects elsewhere are judged.
    const [judged] = await harness.review([{ object: workload('Pod', [unsigned]), namespace: 'apps' }]);
    expect(denials(judged!)).toHaveLength(1);
  });
});

describe('mTLS between Gatekeeper and the service', () => {
  it('refuses a Gatekeeper whose certificate names another service (another namespace): every image denied', async () => {
    // A process of its own: the framework keeps its HTTP client per provider process-wide.
    const other = new GatekeeperHarness();
    try {
      const wrong = issue(pki, 'gatekeeper-other-ns', 'gatekeeper-webhook-service.other.svc', 'clientAuth');
      await other.setup({ ...artifacts, clientCert: { certFile: wrong.cert, keyFile: wrong.key }, responseCacheTTLSeconds: 0 });
      const refused = await tlsRefused(service);
      const [r] = await other.review([{ object: workload('Pod', [scenario('signed').image]) }]);
      // The service ends the connection after the handshake (in TLS 1.3 the client's
      // certificate is checked after the client has finished its side): Gatekeeper's client
      // reads EOF or a reset, depending on timing; the metric says why.
      expect(denials(r!).map((v) => v.msg)).toEqual([expect.stringMatching(/: provider error: failed to send external data request: Post "https:\/\/127\.0\.0\.1:\d+\/gatekeeper\/v1\/provider": (EOF|read tcp .*: connection reset by peer)$/u)]);
      expect(await tlsRefused(service)).toBeGreaterThan(refused);
    } finally {
      await other.close();
    }
  });
});

describe("Gatekeeper's response cache in front of the service", () => {
  it('decides a second admission inside the TTL without a request to the service; an outage is asked again', async () => {
    const definite = SCENARIOS.filter((n) => !TRANSIENT.has(n));
    const notYet = `${w.world.registryHost}/alice/not-yet:1`;
    await call(service.url, 'POST', '/gatekeeper/v1/provider', providerRequest([notYet]), tls()); // warm, as in beforeAll
    await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: 180 });
    const pods = await harness.review(definite.map((n) => ({ object: workload('Pod', [scenario(n).image]) })));
    const asked = await requests(service, 'gatekeeper-provider');
    // Another admission of the same images (a Deployment, then its CronJob): all from the cache.
    for (const kind of ['Deployment', 'CronJob'] as const) {
      const again = await harness.review(definite.map((n) => ({ object: workload(kind, [scenario(n).image]) })));
      definite.forEach((n, i) => {
        expectSameDecision(again[i]!, n, `${kind} ${n} from the cache`);
        expect(denials(again[i]!)).toEqual(denials(pods[i]!));
      });
    }
    expect(await requests(service, 'gatekeeper-provider')).toBe(asked);
    // A systemError is never cached: each admission of an image behind an outage asks again.
    const pdsDown = { object: workload('Pod', [scenario('PDS down').image]) };
    for (let i = 1; i <= 2; i++) {
      const [r] = await harness.review([pdsDown]);
      expectSameDecision(r!, 'PDS down', `PDS down, admission ${i}`);
      expect(await requests(service, 'gatekeeper-provider')).toBe(asked + i);
    }
    // A per-key error is cached like a fact: an image not (yet) in the registry stays denied
    // for the TTL without asking again (serve.md).
    const missing = { object: workload('Pod', [notYet]) };
    for (let i = 1; i <= 2; i++) {
      const [r] = await harness.review([missing]);
      expect(denials(r!).map((v) => v.details.error), `not yet pushed, admission ${i}`).toEqual([expect.stringMatching(/^provider error: not-found: /u)]);
      expect(await requests(service, 'gatekeeper-provider')).toBe(asked + 3);
    }
  }, 60_000);
});

describe('a registry that never answers', () => {
  it("is answered by the service's deadline, inside the Provider's timeout: denied as an outage, not a Gatekeeper timeout", async () => {
    const sockets: Socket[] = [];
    const hang = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const image = `127.0.0.1:${(hang.address() as AddressInfo).port}/alice/app:1.0`;
      await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: 180 });
      // serve's default --deadline (1500ms) is below the compiled Provider's timeout (2 s).
      const [r] = await harness.review([{ object: workload('Pod', [image]) }]);
      expect(denials(r!).map((v) => v.msg)).toEqual([expect.stringMatching(/: provider error: could not verify 1 of 1 images now \(.*deadline.*\); retry$/u)]);
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => hang.close(r));
    }
  }, 30_000);
});

describe('the service stopped', () => {
  it('denies every object, and no Pod is mutated', async () => {
    const doomed = await serve(w.world.plcUrl);
    const arts = await compile(doomed.url, join(w.dir, 'gatekeeper-stopped'));
    await harness.setup({ ...arts, clientCert: clientCert(), responseCacheTTLSeconds: 180 });
    const signed = scenario('signed').image;
    const [before] = await harness.review([{ object: workload('Pod', [signed]) }]);
    expect(before!.violations).toEqual([]);
    await doomed.stop();
    // A fresh response cache (Gatekeeper restarted): nothing to answer from.
    await harness.setup({ ...arts, clientCert: clientCert(), responseCacheTTLSeconds: 180 });
    const objects = KINDS.flatMap((kind) => SCENARIOS.map((n) => ({ object: workload(kind, [scenario(n).image]) })));
    const results = await harness.review(objects);
    results.forEach((r, i) => {
      expect(r.error).toBeUndefined();
      expect(denials(r).map((v) => v.msg), `object ${i}`).toEqual([expect.stringMatching(/^atcr-verify denies images .*: provider error: .*connection refused/u)]);
    });
    const [pinned] = await harness.mutate([{ object: workload('Pod', [signed]) }]);
    expect(pinned!.error).toMatch(/atcr-verify-mutate.*connection refused/u);
  }, 60_000);
});

describe('--pin-digests with Gatekeeper\'s mutation system', () => {
  const pinnedOf = (image: string, digest: string) => `${image}@${digest}`;

  it('pins Pod images to the digest verified, and validation then decides the pinned Pod as verify decides the image', async () => {
    await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: 0 });
    const cases = [scenario('signed'), scenario('two signers'), scenario('unsigned'), scenario('revoked'), w.latest];
    for (const s of cases) {
      const byTag = await verify(s.image);
      expect(byTag.code === 0, s.image).toBe(s.allowed);
      const pod = workload('Pod', [s.image, scenario('signed').image]);
      const [m] = await harness.mutate([{ object: pod }]);
      expect(m!.error, s.image).toBeUndefined();
      expect(m!.mutated).toBe(true);
      const pinned = pinnedOf(s.image, byTag.json.digest);
      expect(m!.object.spec.containers[0].image).toBe(pinned);
      expect(m!.object.spec.initContainers[0].image).toBe(pinnedOf(scenario('signed').image, cli.get('signed')!.json.digest));
      // Idempotent: a pinned Pod stays as it is.
      const [again] = await harness.mutate([{ object: m!.object }]);
      expect(again!.object.spec).toEqual(m!.object.spec);
      // The pinned reference is decided as the image was: the same policy, the same codes.
      const byDigest = await verify(pinned);
      expect(byDigest.json.decision, pinned).toEqual(byTag.json.decision);
      const [r] = await harness.review([{ object: m!.object }]);
      expect(denials(r!).length === 0, `${pinned}: ${denials(r!).map((v) => v.msg).join('\n')}`).toBe(s.allowed);
      if (!s.allowed) {
        const decided = r!.violations!.filter((v) => v.details?.decision);
        expect(decided.map((v) => [v.details.image, v.details.decision]), pinned).toEqual([[pinned, byTag.json.decision]]);
      }
    }
  }, 120_000);

  it('rejects a Pod whose image cannot be pinned; leaves workloads to their Pods', async () => {
    await harness.setup({ ...artifacts, clientCert: clientCert(), responseCacheTTLSeconds: 0 });
    const missing = `${w.world.registryHost}/alice/nothing:1`;
    const [down, notFound, deployment] = await harness.mutate([
      { object: workload('Pod', [scenario('registry down').image]) },
      { object: workload('Pod', [missing]) },
      { object: workload('Deployment', [scenario('signed').image]) },
    ]);
    expect(down!.error).toMatch(/atcr-verify-mutate: non-empty system error: could not verify 1 of 1 images now/u);
    expect(notFound!.error).toMatch(/failed to retrieve external data item from provider atcr-verify-mutate: not-found: /u);
    expect(deployment!.error).toBeUndefined();
    expect(deployment!.mutated).toBe(false);
    expect(deployment!.object.spec.template.spec.containers[0].image).toBe(scenario('signed').image);
  }, 60_000);
});
