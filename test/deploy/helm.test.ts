// The Helm chart (deploy/helm/atcr-verify), rendered by the real helm v4 for several value
// sets: what a cluster would receive. Custom resources are validated against the CRD
// schemas by the real kubeconform; TLS wiring is checked with real X.509 verification.

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { toolPath } from '../support/tools.js';
import { ROOT } from '../cli/run.js';

const run = promisify(execFile);
const CHART = join(ROOT, 'deploy/helm/atcr-verify');
const CLI = join(ROOT, 'dist/src/cli/main.js');
const NS = 'atcr-system';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec?: any; data?: Record<string, string>; [k: string]: any };

let dir: string;
let gatekeeperManifests: string;
let kyvernoManifests: string;

/** Compiled artifacts of a shipped policy, joined as `helm --set-file` takes them. */
async function compile(target: 'gatekeeper' | 'kyverno'): Promise<string> {
  const out = join(dir, target);
  await run(process.execPath, [CLI, 'policy', 'compile', join(ROOT, 'policies/production.yaml'), '--target', target, '-o', out, '--service-url', 'https://compiled.example/x'], { cwd: ROOT });
  const { stdout } = await run('bash', ['-c', `awk 'FNR==1{print "---"}1' ${out}/*.yaml`]);
  const file = join(dir, `${target}.yaml`);
  writeFileSync(file, stdout);
  return file;
}

async function render(...args: string[]): Promise<Obj[]> {
  const { stdout } = await run(toolPath('helm'), ['template', 'av', CHART, '--namespace', NS, '--kube-version', '1.33.0', ...args], { maxBuffer: 32 << 20 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o && o.kind);
}

async function renderFails(...args: string[]): Promise<string> {
  try {
    await run(toolPath('helm'), ['template', 'av', CHART, '--namespace', NS, '--kube-version', '1.33.0', ...args]);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`helm template ${args.join(' ')} rendered, but should have failed`);
}

const one = (objs: Obj[], kind: string, name?: string): Obj => {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0]!;
};
const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atcr-helm-'));
  gatekeeperManifests = await compile('gatekeeper');
  kyvernoManifests = await compile('kyverno');
});

describe('helm chart: the service', () => {
  it('runs at least two non-root, read-only, seccomp-confined replicas spread over nodes, with probes and a PDB', async () => {
    const objs = await render();
    const deploy = one(objs, 'Deployment');
    expect(deploy.spec.replicas).toBeGreaterThanOrEqual(2);
    const pod = deploy.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', scheme: 'HTTPS' });
    expect(c.resources.limits.memory).toBeDefined();
    expect(one(objs, 'PodDisruptionBudget').spec.minAvailable).toBe(1);
    expect(one(objs, 'Service').spec.ports[0].port).toBe(443);
    expect(one(objs, 'NetworkPolicy').spec.policyTypes).toEqual(['Ingress']);
    const hard = one(await render('--set', 'podAntiAffinity=hard'), 'Deployment');
    expect(hard.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  it('generates one CA per release whose certificate covers the service host', async () => {
    const objs = await render();
    const secret = one(objs, 'Secret', 'av-atcr-verify-tls');
    const ca = new X509Certificate(b64(secret.data!['ca.crt']!));
    const cert = new X509Certificate(b64(secret.data!['tls.crt']!));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost(`av-atcr-verify.${NS}.svc`)).toBeDefined();
    expect(cert.checkHost(`av-atcr-verify.${NS}`)).toBeDefined();
  });

  it('puts the trust policy in a ConfigMap and passes it to serve', async () => {
    const objs = await render('--set-string', 'policy.inline=version: 1\nunmatched: deny\npolicies: []\n');
    expect(one(objs, 'ConfigMap').data!['policy.yaml']).toContain('unmatched: deny');
    const args: string[] = one(objs, 'Deployment').spec.template.spec.containers[0].args;
    expect(args.slice(args.indexOf('--policy'), args.indexOf('--policy') + 2)).toEqual(['--policy', '/etc/atcr-verify/policy/policy.yaml']);
  });

  it('with Redis: a deployed Redis, its URL and a generated HMAC key of 48 characters', async () => {
    const objs = await render('--set', 'redis.deploy=true');
    const args: string[] = one(objs, 'Deployment', 'av-atcr-verify').spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--redis') + 1]).toBe(`redis://av-atcr-verify-redis.${NS}.svc:6379`);
    expect(args[args.indexOf('--cache-key-file') + 1]).toBe('/etc/atcr-verify/cache-key/cache-key');
    expect(b64(one(objs, 'Secret', 'av-atcr-verify-cache-key').data!['cache-key']!)).toHaveLength(48);
    expect(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['av-atcr-verify', 'av-atcr-verify-redis']);
  });

  it('a ServiceMonitor scrapes /metrics over TLS with the release CA', async () => {
    const sm = one(await render('--set', 'serviceMonitor.enabled=true'), 'ServiceMonitor');
    expect(sm.spec.endpoints[0]).toMatchObject({ path: '/metrics', scheme: 'https', tlsConfig: { serverName: `av-atcr-verify.${NS}.svc` } });
  });

  it('cert-manager mode asks for a Certificate with the service names, and needs the CA for Gatekeeper', async () => {
    const ca = b64(one(await render(), 'Secret', 'av-atcr-verify-tls').data!['ca.crt']!);
    const objs = await render('--set', 'tls.mode=cert-manager', '--set', 'tls.certManager.issuerRef.name=ca', '--set-string', `tls.caBundle=${ca}`);
    expect(one(objs, 'Certificate').spec.dnsNames).toContain(`av-atcr-verify.${NS}.svc`);
    expect(objs.some((o) => o.kind === 'Secret' && o.metadata.name === 'av-atcr-verify-tls')).toBe(false);
    expect(await renderFails('--set', 'tls.mode=cert-manager', '--set', 'tls.certManager.issuerRef.name=ca', '--set', 'enforcement.engine=gatekeeper', '--set-file', `enforcement.gatekeeper.manifests=${gatekeeperManifests}`)).toContain('tls.caBundle (PEM) is required');
  });

  it('refuses values it cannot honour, saying which', async () => {
    expect(await renderFails('--set', 'tls.mode=bogus')).toContain('tls.mode must be helm, secret or cert-manager');
    expect(await renderFails('--set', 'enforcement.engine=gatekeeper')).toContain('enforcement.gatekeeper.manifests is required');
    expect(await renderFails('--set', 'tls.mode=secret')).toContain('tls.existingSecret is required');
  });
});

describe('helm chart: enforcement wiring', () => {
  it('Gatekeeper: the Provider calls this release over https with the release CA in base64; constraints skip its namespace', async () => {
    const objs = await render('--set', 'enforcement.engine=gatekeeper', '--set-file', `enforcement.gatekeeper.manifests=${gatekeeperManifests}`);
    const provider = one(objs, 'Provider');
    expect(provider.spec.url).toBe(`https://av-atcr-verify.${NS}.svc:443/gatekeeper/v1/provider`);
    expect(provider.spec.timeout).toBeGreaterThanOrEqual(1);
    const secret = one(objs, 'Secret', 'av-atcr-verify-tls');
    expect(b64(provider.spec.caBundle)).toBe(b64(secret.data!['ca.crt']!));
    one(objs, 'ConstraintTemplate');
    const constraints = objs.filter((o) => o.spec?.match);
    expect(constraints.length).toBeGreaterThan(0);
    for (const c of constraints) expect(c.spec.match.excludedNamespaces).toContain(NS);
  });

  it('Gatekeeper mTLS: serve requires Gatekeeper\'s client certificate by name', async () => {
    const objs = await render(
      '--set', 'enforcement.engine=gatekeeper', '--set-file', `enforcement.gatekeeper.manifests=${gatekeeperManifests}`,
      '--set', 'enforcement.gatekeeper.mtls.enabled=true', '--set', 'enforcement.gatekeeper.mtls.clientCaSecret=gk-ca',
    );
    const pod = one(objs, 'Deployment').spec.template.spec;
    const args: string[] = pod.containers[0].args;
    expect(args[args.indexOf('--client-name') + 1]).toBe('gatekeeper-webhook-service.gatekeeper-system.svc');
    expect(args[args.indexOf('--client-ca') + 1]).toBe('/etc/atcr-verify/client-ca/ca.crt');
    expect(pod.volumes.find((v: { name: string }) => v.name === 'client-ca').secret.secretName).toBe('gk-ca');
    // helm template has no cluster to copy Gatekeeper's CA from: it says so.
    expect(await renderFails('--set', 'enforcement.engine=gatekeeper', '--set-file', `enforcement.gatekeeper.manifests=${gatekeeperManifests}`, '--set', 'enforcement.gatekeeper.mtls.enabled=true', '--set', 'enforcement.gatekeeper.mtls.copyFromGatekeeper=true')).toContain('gatekeeper-webhook-server-cert not found');
  });

  it('Kyverno: every apiCall.service calls this release with the CA as raw PEM; rules skip its namespace', async () => {
    const objs = await render('--set', 'enforcement.engine=kyverno', '--set-file', `enforcement.kyverno.manifests=${kyvernoManifests}`);
    const policies = objs.filter((o) => o.kind === 'ClusterPolicy');
    expect(policies.length).toBeGreaterThan(0);
    const ca = b64(one(objs, 'Secret', 'av-atcr-verify-tls').data!['ca.crt']!);
    let calls = 0;
    for (const p of policies) {
      for (const rule of p.spec.rules) {
        expect(rule.exclude.any).toContainEqual({ resources: { namespaces: [NS] } });
        for (const ctx of rule.context ?? []) {
          if (!ctx.apiCall?.service) continue;
          calls++;
          expect(ctx.apiCall.service.url).toBe(`https://av-atcr-verify.${NS}.svc:443/kyverno/v1/facts`);
          expect(ctx.apiCall.service.caBundle).toBe(ca);
          expect(ctx.apiCall.service.caBundle).toMatch(/^-----BEGIN CERTIFICATE-----/);
        }
      }
    }
    expect(calls).toBeGreaterThan(0);
  });

  it('every custom resource is valid against its CRD schema (kubeconform)', async () => {
    for (const [engine, file] of [['gatekeeper', gatekeeperManifests], ['kyverno', kyvernoManifests]] as const) {
      const { stdout } = await run(toolPath('helm'), ['template', 'av', CHART, '--namespace', NS, '--kube-version', '1.33.0', '--set', `enforcement.engine=${engine}`, '--set-file', `enforcement.${engine}.manifests=${file}`], { maxBuffer: 32 << 20 });
      const rendered = join(dir, `rendered-${engine}.yaml`);
      writeFileSync(rendered, stdout);
      const schemas = join(ROOT, 'test/fixtures/k8s-crd-schemas');
      const result = await run(toolPath('kubeconform'), [
        '-strict', '-summary', '-verbose', '-output', 'json', '-ignore-missing-schemas',
        '-schema-location', `${schemas}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
        rendered,
      ]).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
      const report = JSON.parse(result.stdout);
      expect(report.resources?.filter((r: { status: string }) => r.status !== 'statusValid' && r.status !== 'statusSkipped') ?? [], JSON.stringify(report)).toEqual([]);
      const validKinds = (report.resources ?? []).filter((r: { status: string }) => r.status === 'statusValid').map((r: { kind: string }) => r.kind);
      expect(validKinds).toEqual(expect.arrayContaining(engine === 'gatekeeper' ? ['Provider', 'ConstraintTemplate'] : ['ClusterPolicy']));
    }
  });
});

describe('helm chart: the arguments it renders are accepted by atcr-verify serve', () => {
  /**
   * The pod's mounted Secrets and ConfigMaps written out as the kubelet would (each key a
   * file under its mountPath, below `root`), then `serve --check` run with the rendered
   * arguments, their /etc paths moved under `root`: every flag parsed, every file loaded.
   */
  async function serveCheck(objs: Obj[], name: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const root = mkdtempSync(join(dir, `${name}-`));
    const pod = one(objs, 'Deployment', 'av-atcr-verify').spec.template.spec;
    const container = pod.containers[0];
    const releaseCa = b64(one(objs, 'Secret', 'av-atcr-verify-tls').data?.['ca.crt'] ?? '');
    for (const mount of container.volumeMounts as { name: string; mountPath: string }[]) {
      const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
      const source = volume.secret
        ? objs.find((o) => o.kind === 'Secret' && o.metadata.name === volume.secret.secretName)
        : volume.configMap
          ? objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)
          : undefined;
      const files: Record<string, string> = source
        ? Object.fromEntries(Object.entries(source.data ?? {}).map(([k, v]) => [k, source.kind === 'Secret' ? b64(v) : v]))
        : // A Secret the chart only names (Gatekeeper's client CA): a CA of the same form.
          volume.secret ? { 'ca.crt': releaseCa } : {};
      mkdirSync(join(root, mount.mountPath), { recursive: true });
      for (const [key, text] of Object.entries(files)) writeFileSync(join(root, mount.mountPath, key), text);
    }
    const args = (container.args as string[]).map((a) => (a.startsWith('/etc/atcr-verify/') ? join(root, a) : a));
    expect(args[0]).toBe('serve');
    return run(process.execPath, [CLI, ...args, '--check'], { cwd: ROOT }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
  }

  const sets: [string, string[], RegExp][] = [
    ['defaults', [], /would listen on https:\/\/0\.0\.0\.0:8443; policy none; cache memory$/m],
    ['policy', ['--set-string', 'policy.inline=version: 1\nunmatched: deny\npolicies: []\n'], /policy \/.*\/etc\/atcr-verify\/policy\/policy\.yaml \(sha256 /],
    [
      'redis-and-network',
      [
        '--set', 'redis.deploy=true', '--set', 'serve.port=9443', '--set', 'serve.cacheTTL=2m', '--set', 'serve.deadline=1800ms',
        '--set', 'serve.allowedRegistries={atcr.io,ghcr.io}', '--set', 'serve.insecureRegistries={registry.local:5000}',
        '--set', 'serve.plcUrl=https://plc.example.com', '--set', 'serve.allowPrivateNetwork=true',
      ],
      /would listen on https:\/\/0\.0\.0\.0:9443; policy none; cache memory \+ Redis$/m,
    ],
    [
      'gatekeeper-mtls',
      ['--set', 'enforcement.engine=gatekeeper', '--set-file', 'enforcement.gatekeeper.manifests=GATEKEEPER', '--set', 'enforcement.gatekeeper.mtls.enabled=true', '--set', 'enforcement.gatekeeper.mtls.clientCaSecret=gk-ca'],
      /client certificates for gatekeeper-webhook-service\.gatekeeper-system\.svc/,
    ],
  ];
  for (const [name, values, said] of sets) {
    it(`value set "${name}"`, async () => {
      const objs = await render(...values.map((v) => v.replace('=GATEKEEPER', `=${gatekeeperManifests}`)));
      const r = await serveCheck(objs, name);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(said);
    });
  }

  it('a value serve would refuse fails the check, naming the flag', async () => {
    const bad = await serveCheck(await render('--set', 'serve.deadline=soon'), 'bad-deadline');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--deadline "soon" is not a duration');
    const unknown = await serveCheck(await render('--set', 'serve.extraArgs={--no-such-flag}'), 'bad-extra');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'");
  });
});
