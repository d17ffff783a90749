// Offline bundles through the built CLI: export while the world is up, then verify with
// every service gone; tampered bundles are rejected.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld, type ImageHandle, type Signer } from '../support/atproto-world.js';
import { closedPort, parseOutput, runCli } from './cli.js';

let world: AtprotoWorld | undefined;
let dir: string;
let bundlePath: string;
let img: ImageHandle;
let alice: Signer;
let deadPlc: string;

type BundleJson = {
  image: { reference: string; digest: string };
  signatures: { did: string; didDocument: string; plcAuditLog: string; proof: string; payload: string }[];
};

const b64 = (s: string) => Buffer.from(s, 'base64');
const read = (): BundleJson => JSON.parse(readFileSync(bundlePath, 'utf8')) as BundleJson;
function write(name: string, bundle: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
  return p;
}
function verifyOffline(bundle: string, ref = img.ref) {
  // Any network use would fail: the PLC URL is closed and the world is stopped.
  return runCli(['verify', ref, '--offline', '--bundle', bundle, '--plc-url', deadPlc, '--output', 'json']);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atcr-offline-it-'));
  world = await AtprotoWorld.start();
  alice = await world.account();
  const bob = await world.account();
  img = await world.image('alice/offline', '3.1');
  await world.sign(alice, img);
  await world.sign(bob, img);
  // A history of more than one operation, so the log check has links to verify.
  await world.movePds(bob, world.pdsUrl);
  bundlePath = join(dir, 'bundle.json');
  const run = await runCli(['export', img.ref, '-o', bundlePath, '--plc-url', world.plcUrl, '--allow-private-network']);
  expect(run.code, run.stderr).toBe(0);
  await world.stop();
  world = undefined;
  deadPlc = `http://127.0.0.1:${await closedPort()}`;
}, 120_000);
afterAll(async () => {
  await world?.stop();
});

describe('offline bundles', () => {
  it('holds what verification reads: image, artifacts, payloads, proofs, documents, op logs', () => {
    const b = read();
    expect(b.image.digest).toBe(img.pushed.digest);
    expect(b.signatures).toHaveLength(2);
    for (const s of b.signatures) {
      expect(s.did).toMatch(/^did:plc:/);
      expect(JSON.parse(b64(s.plcAuditLog).toString()).length).toBeGreaterThan(0);
      expect(b64(s.proof).length).toBeGreaterThan(0);
    }
  });

  it('verifies with every network address unreachable', async () => {
    const run = await verifyOffline(bundlePath);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run);
    expect(out.offline).toBe(true);
    expect(out.verified).toBe(true);
    expect(out.signatures.every((s) => s.valid)).toBe(true);
    expect(out.signatures.map((s) => s.did)).toContain(alice.did);
  });

  it('also verifies by digest', async () => {
    const run = await verifyOffline(bundlePath, `${img.ref.split(':').slice(0, -1).join(':')}@${img.pushed.digest}`);
    expect(run.code, run.stderr).toBe(0);
  });

  it('rejects an edited DID document', async () => {
    const b = read();
    const doc = JSON.parse(b64(b.signatures[0]!.didDocument).toString()) as { service: { serviceEndpoint: string }[] };
    doc.service[0]!.serviceEndpoint = 'https://evil.example.com';
    b.signatures[0]!.didDocument = Buffer.from(JSON.stringify(doc)).toString('base64');
    const run = await verifyOffline(write('edited-doc.json', b));
    const out = parseOutput(run);
    expect(out.signatures[0]).toMatchObject({ valid: false, error: { code: 'did-document-invalid' } });
    expect(out.signatures[1]!.valid).toBe(true);
  });

  it('rejects an edited operation log', async () => {
    const b = read();
    const idx = b.signatures.findIndex((s) => JSON.parse(b64(s.plcAuditLog).toString()).length > 1);
    const log = JSON.parse(b64(b.signatures[idx]!.plcAuditLog).toString()) as { operation: { services: { atproto_pds: { endpoint: string } } } }[];
    log[log.length - 1]!.operation.services.atproto_pds.endpoint = 'https://evil.example.com';
    b.signatures[idx]!.plcAuditLog = Buffer.from(JSON.stringify(log)).toString('base64');
    const run = await verifyOffline(write('edited-log.json', b));
    expect(run.code).toBe(0); // the other signature still verifies
    expect(parseOutput(run).signatures[idx]).toMatchObject({ valid: false, error: { code: 'did-document-invalid' } });

    // A log whose genesis is not the DID's.
    const c = read();
    c.signatures[0]!.plcAuditLog = c.signatures[1]!.plcAuditLog;
    const swapped = parseOutput(await verifyOffline(write('swapped-log.json', c)));
    expect(swapped.signatures[0]).toMatchObject({ valid: false, error: { code: 'did-document-invalid' } });
  });

  it('rejects an edited record proof', async () => {
    const b = read();
    for (const s of b.signatures) {
      const car = b64(s.proof);
      car[car.length - 5] = car[car.length - 5]! ^ 0x01;
      s.proof = car.toString('base64');
    }
    const run = await verifyOffline(write('edited-car.json', b));
    expect(run.code).toBe(1);
    for (const s of parseOutput(run).signatures) expect(['proof-invalid', 'commit-signature-invalid']).toContain(s.error?.code);
  });

  it('rejects an edited payload', async () => {
    const b = read();
    const p = JSON.parse(b64(b.signatures[0]!.payload).toString()) as { subject: { digest: string } };
    p.subject.digest = `sha256:${'2'.repeat(64)}`;
    b.signatures[0]!.payload = Buffer.from(JSON.stringify(p)).toString('base64');
    const out = parseOutput(await verifyOffline(write('edited-payload.json', b)));
    expect(out.signatures[0]).toMatchObject({ valid: false, error: { code: 'payload-invalid' } });
  });

  it('exits 2 for a malformed bundle or one for another image', async () => {
    expect((await verifyOffline(write('garbage.json', '{"version": 1'))).code).toBe(2);
    expect((await verifyOffline(write('unknown-field.json', { ...read(), extra: true }))).code).toBe(2);
    expect((await verifyOffline(join(dir, 'nope.json'))).code).toBe(2);
    expect((await verifyOffline(bundlePath, img.ref.replace(':3.1', ':9.9'))).code).toBe(2);
  });
});
