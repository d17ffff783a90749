// The image owner offline, through the built CLI: an image on an owner registry whose
// first path segment is a handle (resolved through a loopback DNS server, as
// `_atproto.<handle>` TXT), a policy that trusts `owner`, and the same answer online and
// from a bundle. Tampered owner records are rejected; export fails closed when the PLC
// audit log or the owner cannot be read.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld, type ImageHandle, type Signer } from '../support/atproto-world.js';
import { txtServer } from '../support/dns-txt.js';
import { closedPort, parseOutput, runCli } from './cli.js';

let world: AtprotoWorld;
let dns: { server: string; close: () => void };
let plcProxy: http.Server;
let dir: string;
let owner: Signer;
let mallory: Signer;
let img: ImageHandle;
let policy: string;
let bundlePath: string;
let env: Record<string, string>;
let offlineEnv: Record<string, string>;
let deadPlc: string;
let proxyMode: 'no-audit' | 'lying' = 'no-audit';

type OwnerJson = { segment: string; did: string; method: string; didDocument?: string; plcAuditLog?: string };
type BundleJson = { owner?: OwnerJson; signatures: { did: string; didDocument: string; plcAuditLog: string }[] };
type Out = ReturnType<typeof parseOutput> & { owner: string; notes: string[] };

const b64 = (s: string) => Buffer.from(s, 'base64');
const read = (): BundleJson => JSON.parse(readFileSync(bundlePath, 'utf8')) as BundleJson;
function write(name: string, bundle: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(bundle));
  return p;
}
const online = () => runCli(['verify', img.ref, '--policy', policy, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json'], env);
const offline = (bundle: string) =>
  runCli(['verify', img.ref, '--offline', '--bundle', bundle, '--policy', policy, '--plc-url', deadPlc, '--output', 'json'], offlineEnv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atcr-owner-it-'));
  world = await AtprotoWorld.start();
  owner = await world.account();
  mallory = await world.account();
  dns = await txtServer(new Map([[`_atproto.${owner.handle}`, [`did=${owner.did}`]]]));
  img = await world.image(`${owner.handle}/svc`, '1.0');
  // On an owner registry the record names the repository without the owner segment.
  await world.sign(owner, img, { recordRepository: 'svc' });
  await world.sign(mallory, img, { recordRepository: 'svc' });
  policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `version: 1\nunmatched: deny\npolicies:\n  - name: owner-signed\n    scope: "${world.registryHost}/**"\n    require:\n      trustedDIDs: [owner]\n      minSignatures: 1\n`,
  );
  env = { ATCR_OWNER_REGISTRIES: world.registryHost, ATCR_DNS_SERVERS: dns.server };
  deadPlc = `http://127.0.0.1:${await closedPort()}`;
  // Offline, any lookup would fail: nothing listens at these addresses.
  offlineEnv = { ATCR_OWNER_REGISTRIES: world.registryHost, ATCR_DNS_SERVERS: `127.0.0.1:${await closedPort()}` };
  // The PLC directory as is, except that it has no audit logs, or (lying) serves documents
  // whose alsoKnownAs its logs do not hold.
  plcProxy = http.createServer((req, res) => {
    if (proxyMode === 'no-audit' && (req.url ?? '').endsWith('/log/audit')) return void res.writeHead(404).end('{"message":"not found"}');
    fetch(`${world.plcUrl}${req.url ?? '/'}`).then(
      async (r) => {
        let body = Buffer.from(await r.arrayBuffer());
        if (proxyMode === 'lying' && r.status === 200 && !(req.url ?? '').endsWith('/log/audit')) {
          const doc = JSON.parse(body.toString()) as { alsoKnownAs: string[] };
          doc.alsoKnownAs = [...doc.alsoKnownAs, 'at://extra.example.com'];
          body = Buffer.from(JSON.stringify(doc));
        }
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(body);
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((r) => plcProxy.listen(0, '127.0.0.1', r));
  bundlePath = join(dir, 'bundle.json');
  const run = await runCli(['export', img.ref, '-o', bundlePath, '--plc-url', world.plcUrl, '--allow-private-network'], env);
  expect(run.code, run.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  dns?.close();
  await new Promise((r) => plcProxy?.close(r));
  await world?.stop();
});

describe('a handle owner, online and offline', () => {
  it('is allowed online: the handle resolves through DNS to the owner', async () => {
    const run = await online();
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run) as Out;
    expect(out.owner).toBe(owner.did);
    expect(out.decision?.satisfiedBy).toEqual([owner.did]);
  });

  it('could not decide online (exit 3) while DNS cannot be asked, though every signature is valid', async () => {
    const run = await runCli(['verify', img.ref, '--policy', policy, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json'], offlineEnv);
    expect(run.code, run.stderr).toBe(3);
    const out = parseOutput(run) as Out;
    expect(out.owner).toBe('');
    expect(out.signatures.length).toBe(2);
    expect(out.signatures.every((s) => s.valid)).toBe(true);
    expect(out.decision?.allowed).toBe(false);
    expect((out as Out & { ownerUnavailable?: boolean }).ownerUnavailable).toBe(true);
    expect(out.notes.join('\n')).toContain(`owner ${owner.handle} not resolved: handle ${owner.handle}: DNS could not be asked (ECONNREFUSED)`);
  });

  it('denies online (exit 1) when DNS answers that the handle has no record', async () => {
    const empty = await txtServer(new Map());
    try {
      const run = await runCli(['verify', img.ref, '--policy', policy, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json'], { ...env, ATCR_DNS_SERVERS: empty.server });
      expect(run.code, run.stderr).toBe(1);
      const out = parseOutput(run) as Out;
      expect(out.owner).toBe('');
      expect('ownerUnavailable' in out).toBe(false);
      expect(out.notes.join('\n')).toContain(`owner ${owner.handle} not resolved: handle ${owner.handle} does not resolve to a DID`);
    } finally {
      empty.close();
    }
  });

  it('export records the resolution: segment, DID, method, document and operation log', () => {
    const rec = read().owner!;
    expect(rec).toMatchObject({ segment: owner.handle, did: owner.did, method: 'dns' });
    expect(JSON.parse(b64(rec.didDocument!).toString())).toMatchObject({ id: owner.did, alsoKnownAs: [`at://${owner.handle}`] });
    expect(JSON.parse(b64(rec.plcAuditLog!).toString()).length).toBeGreaterThan(0);
  });

  it('is allowed offline alike, with a note that the handle lookup was taken from the bundle', async () => {
    const run = await offline(bundlePath);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run) as Out;
    expect(out.offline).toBe(true);
    expect(out.owner).toBe(owner.did);
    expect(out.decision?.satisfiedBy).toEqual([owner.did]);
    expect(out.notes.join('\n')).toMatch(new RegExp(`owner handle ${owner.handle.replace(/\./g, '\\.')} → ${owner.did} \\(via DNS .*\\) taken from the bundle as is`));
  });

  it('denies offline when the recorded owner is swapped for another signer, document and log included', async () => {
    const b = read();
    const m = b.signatures.find((s) => s.did === mallory.did)!;
    b.owner = { ...b.owner!, did: mallory.did, didDocument: m.didDocument, plcAuditLog: m.plcAuditLog };
    const run = await offline(write('swapped-owner.json', b));
    expect(run.code).toBe(1);
    const out = parseOutput(run) as Out;
    expect(out.owner).toBe('');
    expect(out.notes.join('\n')).toContain(`${mallory.did} does not claim the handle ${owner.handle}`);
    // Mallory's own signature is still valid: only the owner claim is refused.
    expect(out.signatures.every((s) => s.valid)).toBe(true);
  });

  it('denies offline when the recorded document or its operation log is edited', async () => {
    const b = read();
    const doc = JSON.parse(b64(b.owner!.didDocument!).toString()) as { service: { serviceEndpoint: string }[] };
    doc.service[0]!.serviceEndpoint = 'https://evil.example.com';
    const editedDoc = { ...b, owner: { ...b.owner!, didDocument: Buffer.from(JSON.stringify(doc)).toString('base64') } };
    const run = await offline(write('edited-owner-doc.json', editedDoc));
    expect(run.code).toBe(1);
    expect((parseOutput(run) as Out).owner).toBe('');
    expect((parseOutput(run) as Out).notes.join('\n')).toContain('disagrees with its operation log');

    const log = JSON.parse(b64(b.owner!.plcAuditLog!).toString()) as { operation: { alsoKnownAs: string[] } }[];
    log[log.length - 1]!.operation.alsoKnownAs = ['at://someone.else.test'];
    const editedLog = { ...b, owner: { ...b.owner!, plcAuditLog: Buffer.from(JSON.stringify(log)).toString('base64') } };
    const out = parseOutput(await offline(write('edited-owner-log.json', editedLog))) as Out;
    expect(out.owner).toBe('');
    expect(out.decision?.allowed).toBe(false);
    const note = out.notes.find((n) => n.includes('PLC operation log'))!;
    expect(note).toMatch(/operation \d+ of \d+ (is not signed|does not hash)/);
    expect(note.length).toBeLessThan(200);
  });

  it('reads a bundle without an owner record (an older export): no owner, and a note says why', async () => {
    const b = read();
    delete b.owner;
    const run = await offline(write('no-owner.json', b));
    expect(run.code).toBe(1);
    const out = parseOutput(run) as Out;
    expect(out.owner).toBe('');
    expect(out.notes.join('\n')).toContain('the bundle does not record its resolution');
  });
});

describe('export fails closed', () => {
  it('exits 3 and writes nothing when the PLC directory has no audit log', async () => {
    const target = join(dir, 'no-audit.json');
    const proxy = `http://127.0.0.1:${(plcProxy.address() as AddressInfo).port}`;
    const run = await runCli(['export', img.ref, '-o', target, '--plc-url', proxy, '--allow-private-network'], env);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/^atcr-verify: no bundle written: missing /);
    expect(run.stderr).toContain(`the PLC audit log of ${owner.did}`);
    expect(run.stderr).toContain('answered 404');
    expect(existsSync(target)).toBe(false);
    // Online verification does not read audit logs: it still allows through the same directory.
    const verify = await runCli(['verify', img.ref, '--policy', policy, '--plc-url', proxy, '--allow-private-network'], env);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('exits 1 and writes nothing when the bundle would verify otherwise offline', async () => {
    proxyMode = 'lying';
    try {
      const target = join(dir, 'lying.json');
      const proxy = `http://127.0.0.1:${(plcProxy.address() as AddressInfo).port}`;
      const run = await runCli(['export', img.ref, '-o', target, '--plc-url', proxy, '--allow-private-network'], env);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/^atcr-verify: no bundle written: the signature of did:plc:\S+ would be invalid offline \(did-document-invalid: /);
      expect(run.stderr).toContain(`the owner would be "" offline, not ${owner.did} (owner ${owner.handle} not resolved from the bundle: `);
      expect(run.stderr).toContain('disagrees with its operation log');
      expect(existsSync(target)).toBe(false);
    } finally {
      proxyMode = 'no-audit';
    }
  });

  it('exits 3 and writes nothing when the owner handle cannot be resolved', async () => {
    const target = join(dir, 'unresolved-owner.json');
    const run = await runCli(['export', img.ref, '-o', target, '--plc-url', world.plcUrl, '--allow-private-network'], offlineEnv);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`missing the resolution of the owner ${owner.handle} (handle ${owner.handle}: DNS could not be asked (ECONNREFUSED)`);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses an ATCR_DNS_SERVERS entry that is not an address (exit 2)', async () => {
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl], { ...env, ATCR_DNS_SERVERS: 'dns.example.com' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ATCR_DNS_SERVERS');
  });
});
