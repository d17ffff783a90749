// Verification scenarios through the built CLI against a real PDS, PLC directory and
// registry: each of the nine checks fails for real, and outages exit 3.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { pushSignatureArtifact } from '../support/registry/push.js';
import { closedPort, parseOutput, runCli } from './cli.js';

let world: AtprotoWorld;
let dir: string;

beforeAll(async () => {
  world = await AtprotoWorld.start();
  dir = mkdtempSync(join(tmpdir(), 'atcr-verify-it-'));
});
afterAll(async () => {
  await world?.stop();
});

function verify(ref: string, ...extra: string[]) {
  return runCli(['verify', ref, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json', ...extra]);
}

describe('verify (online)', () => {
  it('accepts a valid signature and reports its facts', async () => {
    const alice = await world.account();
    const img = await world.image('alice/app', '1.0');
    const signed = await world.sign(alice, img);
    const run = await verify(img.ref);
    expect(run.code).toBe(0);
    const out = parseOutput(run);
    expect(out.verified).toBe(true);
    expect(out.offline).toBe(false);
    expect(out.digest).toBe(img.pushed.digest);
    expect(out.decision).toBeNull();
    expect(out.signatures).toHaveLength(1);
    const [sig] = out.signatures;
    expect(sig).toMatchObject({
      valid: true,
      did: alice.did,
      handle: alice.handle,
      pds: world.pdsUrl,
      algorithm: 'ES256K',
      keyId: `${alice.did}#atproto`,
      digest: img.pushed.digest,
      recordUri: signed.recordUri,
    });
    expect(sig!.commitCid).toMatch(/^bafy/);
    expect(sig!.recordCid).toMatch(/^bafy/);
    expect(Date.parse(sig!.signedAt!)).not.toBeNaN();
  });

  it('prints a readable summary and per-step timings with --verbose (shorthand form)', async () => {
    const alice = await world.account();
    const img = await world.image('alice/text', '1');
    await world.sign(alice, img);
    // `atcr-verify IMAGE` is short for `atcr-verify verify IMAGE`.
    const run = await runCli([img.ref, '--plc-url', world.plcUrl, '--allow-private-network', '--verbose']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`✓ ${alice.did} (${alice.handle})`);
    expect(run.stdout).toContain('VERIFIED');
    for (const step of ['artifact', 'payload', 'subject', 'did-document', 'proof-fetch', 'commit-signature', 'record-proof', 'record-digest', 'repository']) {
      expect(run.stderr).toContain(step);
    }
  });

  it('--quiet prints nothing and keeps the exit code', async () => {
    const img = await world.image('alice/quiet', '1');
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--allow-private-network', '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
  });

  it('reports two signers, and a policy needing both allows the image', async () => {
    const a = await world.account();
    const b = await world.account();
    const img = await world.image('team/api', '2.0');
    await world.sign(a, img);
    await world.sign(b, img);
    const policy = join(dir, 'two.yaml');
    writeFileSync(
      policy,
      [
        'version: 1',
        'policies:',
        '  - name: two-signers',
        `    scope: "${world.registryHost}/team/*"`,
        '    require:',
        `      trustedDIDs: [${a.did}, ${b.did}]`,
        '      minSignatures: 2',
        '',
      ].join('\n'),
    );
    const run = await verify(img.ref, '--policy', policy);
    const out = parseOutput(run);
    expect(out.signatures.filter((s) => s.valid).map((s) => s.did).sort()).toEqual([a.did, b.did].sort());
    expect(out.decision).toMatchObject({ allowed: true, effect: 'allow', policy: 'two-signers' });
    expect(out.decision!.satisfiedBy).toEqual([a.did, b.did].sort());
    expect(run.code).toBe(0);

    // The same policy denies an image only one of them signed: exit 1.
    const single = await world.image('team/api', '2.1');
    await world.sign(a, single);
    const denied = await verify(single.ref, '--policy', policy);
    expect(denied.code).toBe(1);
    expect(parseOutput(denied).decision).toMatchObject({ allowed: false, effect: 'deny' });
  });

  it('rejects a record that binds another digest', async () => {
    const alice = await world.account();
    const img = await world.image('alice/bind', '1');
    await world.sign(alice, img, { recordDigest: `sha256:${'0'.repeat(64)}` });
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]).toMatchObject({ valid: false, did: alice.did, error: { code: 'record-digest-mismatch' } });
  });

  it('treats a record deleted after signing as revoked', async () => {
    const alice = await world.account();
    const img = await world.image('alice/revoked', '1');
    const signed = await world.sign(alice, img);
    expect((await verify(img.ref)).code).toBe(0);
    await world.revoke(alice, signed);
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]).toMatchObject({ valid: false, error: { code: 'record-deleted' } });
  });

  it('rejects a record for another repository', async () => {
    const alice = await world.account();
    const img = await world.image('alice/one', '1');
    await world.sign(alice, img, { recordRepository: 'alice/other' });
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]!.error!.code).toBe('repository-mismatch');
  });

  it('rejects a payload about another image', async () => {
    const alice = await world.account();
    const img = await world.image('alice/subject', '1');
    await world.sign(alice, img, { payloadDigest: `sha256:${'1'.repeat(64)}` });
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]!.error!.code).toBe('subject-mismatch');
  });

  it('rejects artifact bytes that do not match their digest', async () => {
    const alice = await world.account();
    const img = await world.image('alice/bytes', '1');
    await world.sign(alice, img, { corruptPayloadBlob: true });
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]).toMatchObject({ valid: false, did: alice.did, error: { code: 'payload-invalid' } });
  });

  it('rejects a record URI in another DID’s repository', async () => {
    const alice = await world.account();
    const mallory = await world.account();
    const img = await world.image('alice/uri', '1');
    const real = await world.sign(alice, img);
    // Mallory's payload points at Alice's record.
    await world.sign(mallory, img, { recordUri: real.recordUri });
    const out = parseOutput(await verify(img.ref));
    const bad = out.signatures.find((s) => s.did === mallory.did)!;
    expect(bad.error!.code).toBe('proof-unavailable');
  });

  it('escapes control characters that came from the network', async () => {
    const img = await world.image('alice/escape', '1');
    await pushSignatureArtifact(world.registryHost, img.repo, img.pushed, { hello: '\u001b[2J' }, {
      annotations: { 'io.atcr.signature.did': 'did:plc:\u001b[31mred\u202e' },
    });
    const text = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--allow-private-network']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('\\u001b[31mred\\u202e');
    expect(text.stdout).not.toMatch(/[\u001b\u202e]/);
    const json = await verify(img.ref);
    expect(json.stdout).not.toMatch(/[\u001b\u202e]/);
    expect(parseOutput(json).signatures[0]).toMatchObject({ did: 'did:plc:\u001b[31mred\u202e', error: { code: 'payload-invalid' } });
  });

  it('finds nothing on an unsigned image: exit 1', async () => {
    const img = await world.image('alice/unsigned', '1');
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    const out = parseOutput(run);
    expect(out.verified).toBe(false);
    expect(out.signatures).toEqual([]);
    // An image the registry does not have is a definite negative too.
    const missing = await verify(img.ref.replace(':1', ':no-such-tag'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
  });

  it("rejects a signature once the signer's DID document names another key", async () => {
    const alice = await world.account();
    const img = await world.image('alice/rotated', '1');
    await world.sign(alice, img);
    expect((await verify(img.ref)).code).toBe(0);
    await world.rotateAtprotoKey(alice);
    const run = await verify(img.ref);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]!.error!.code).toBe('commit-signature-invalid');
  });

  it('exits 3 when the PDS is down', async () => {
    const alice = await world.account();
    const img = await world.image('alice/pdsdown', '1');
    await world.sign(alice, img);
    await world.movePds(alice, `http://127.0.0.1:${await closedPort()}`);
    const run = await verify(img.ref);
    expect(run.code).toBe(3);
    expect(parseOutput(run).signatures[0]!.error!.code).toBe('proof-unavailable');
  });

  it('exits 3 when the PLC directory is down', async () => {
    const alice = await world.account();
    const img = await world.image('alice/plcdown', '1');
    await world.sign(alice, img);
    const run = await runCli(['verify', img.ref, '--plc-url', `http://127.0.0.1:${await closedPort()}`, '--allow-private-network', '--output', 'json']);
    expect(run.code).toBe(3);
    expect(parseOutput(run).signatures[0]!.error!.code).toBe('did-resolution-failed');
  });

  it('exits 3 when the registry is down', async () => {
    const run = await verify(`127.0.0.1:${await closedPort()}/alice/app:1.0`);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/atcr-verify: /);
    expect(parseOutput(run)).toMatchObject({ verified: false, signatures: [], decision: null });
  });

  it('exits 3 on a timeout', async () => {
    // A listener that accepts and never answers.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const srv = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as import('node:net').AddressInfo).port;
    try {
      const run = await verify(`127.0.0.1:${port}/alice/app:1.0`, '--timeout', '300ms');
      expect(run.code).toBe(3);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    }
  });

  it('refuses a PDS on a private address unless --allow-private-network', async () => {
    const alice = await world.account();
    const img = await world.image('alice/private', '1');
    await world.sign(alice, img);
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--output', 'json']);
    expect(run.code).toBe(1);
    expect(parseOutput(run).signatures[0]).toMatchObject({ valid: false, error: { code: 'proof-unavailable' } });
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli(['verify', 'UPPER/Case::bad'])).code).toBe(2);
    expect((await runCli(['verify', 'x/y:1', '--offline'])).code).toBe(2);
    expect((await runCli(['verify', 'x/y:1', '--timeout', 'soon'])).code).toBe(2);
    expect((await runCli(['verify', 'x/y:1', '--now', 'yesterday'])).code).toBe(2);
    expect((await runCli(['verify', 'x/y:1', '--policy', join(dir, 'missing.yaml')])).code).toBe(2);
  });
});
