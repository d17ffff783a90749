import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestNetworkNoAppView } from '@atproto/dev-env';
import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEDIA, RegistryClient } from '../../../src/kernel/oci/index.js';
import { SignError, signImage } from '../../../src/kernel/sign/index.js';
import { registerSign } from '../../../src/cli/commands/sign.js';
import { CliError } from '../../../src/cli/errors.js';
import { MemoryRegistry } from '../../support/registry/memory-registry.js';
import { DockerRegistry } from '../../support/registry/docker-registry.js';
import { pushImage, SIGNATURE_TYPE } from '../../support/registry/push.js';
import { createSigner, startPds, type Signer } from './pds.js';

let net: TestNetworkNoAppView;
let mem: MemoryRegistry;
let real: DockerRegistry;
let alice: Signer;
let bob: Signer;

beforeAll(async () => {
  [net, mem, real] = await Promise.all([startPds(), new MemoryRegistry().start(), new DockerRegistry().start()]);
  alice = await createSigner(net, 'alice');
  bob = await createSigner(net, 'bob');
}, 60_000);

afterAll(async () => {
  await Promise.all([net?.close(), mem?.stop(), real?.stop()]);
});

async function getRecord(uri: string): Promise<Record<string, unknown>> {
  const [, , did, collection, rkey] = uri.split('/');
  const res = await fetch(`${net.pds.url}/xrpc/com.atproto.repo.getRecord?repo=${did}&collection=${collection}&rkey=${rkey}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { value: Record<string, unknown> }).value;
}

async function artifactFor(host: string, repo: string, digest: string) {
  const c = new RegistryClient(host, repo, { credentials: null });
  const found = await c.referrers(digest, SIGNATURE_TYPE);
  const artifacts = await Promise.all(found.descriptors.map((d) => c.getManifest(d.digest)));
  const payloads = await Promise.all(
    artifacts.map(async (a) => JSON.parse(Buffer.from(await c.getBlob(a.manifest.layers![0]!, 64 * 1024)).toString()) as Record<string, any>),
  );
  return { found, artifacts, payloads };
}

describe('signImage', () => {
  it('writes the record and a referrers-API artifact on a registry with the API', async () => {
    const image = await pushImage(mem.host, 'alice/app', '1.0');
    const now = new Date('2026-11-20T08:00:00.000Z');
    const result = await signImage({
      image: `${mem.host}/alice/app:1.0`,
      pds: net.pds.url,
      identifier: alice.handle,
      password: alice.appPassword,
      now: () => now,
    });
    expect(result).toMatchObject({ image: `${mem.host}/alice/app`, digest: image.digest, did: alice.did, handle: alice.handle, discovery: 'referrers-api' });
    expect(result.recordUri).toMatch(new RegExp(`^at://${alice.did}/io\\.atcr\\.manifest/`));

    expect(await getRecord(result.recordUri)).toEqual({
      $type: 'io.atcr.manifest',
      repository: 'alice/app',
      digest: image.digest,
      mediaType: MEDIA.ociManifest,
      schemaVersion: 2,
      createdAt: now.toISOString(),
    });

    const { found, artifacts, payloads } = await artifactFor(mem.host, 'alice/app', image.digest);
    expect(found.source).toBe('referrers-api');
    expect(found.descriptors.map((d) => d.digest)).toEqual([result.artifactDigest]);
    const m = artifacts[0]!.manifest;
    expect(m.artifactType).toBe(SIGNATURE_TYPE);
    expect(m.config).toEqual({ mediaType: MEDIA.empty, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 });
    expect(m.layers).toHaveLength(1);
    expect(m.layers![0]!.mediaType).toBe(SIGNATURE_TYPE);
    expect(m.subject).toEqual({ mediaType: MEDIA.ociManifest, digest: image.digest, size: image.size });
    expect(m.annotations).toEqual({ 'io.atcr.signature.did': alice.did, 'org.opencontainers.image.created': now.toISOString() });
    expect(payloads[0]).toEqual({
      $type: 'io.atcr.signature',
      version: 1,
      subject: { digest: image.digest, mediaType: MEDIA.ociManifest, repository: `${mem.host}/alice/app` },
      atproto: {
        did: alice.did,
        handle: alice.handle,
        pds: new URL(net.pds.url).origin,
        record: { uri: result.recordUri, cid: result.recordCid },
        commit: { cid: result.commitCid, rev: result.commitRev },
      },
      signature: { algorithm: 'ES256K', keyId: `${alice.did}#atproto` },
      signedAt: now.toISOString(),
    });
  });

  it('lists the artifact in the fallback tag index on docker-registry', async () => {
    const image = await pushImage(real.host, 'alice/app', '1.0');
    const result = await signImage({ image: `${real.host}/alice/app:1.0`, pds: net.pds.url, identifier: alice.did, password: alice.appPassword });
    expect(result.discovery).toBe('tag-schema');
    const { found, payloads } = await artifactFor(real.host, 'alice/app', image.digest);
    expect(found.source).toBe('tag-schema');
    expect(found.descriptors.map((d) => d.digest)).toEqual([result.artifactDigest]);
    expect(found.descriptors[0]!.annotations?.['io.atcr.signature.did']).toBe(alice.did);
    expect(payloads[0]!.atproto.record.uri).toBe(result.recordUri);
  });

  it('keeps both signatures when two signers sign at once without a referrers API', async () => {
    const image = await pushImage(real.host, 'team/api', 'v2');
    const results = await Promise.all(
      [alice, bob].map((s) => signImage({ image: `${real.host}/team/api:v2`, pds: net.pds.url, identifier: s.handle, password: s.appPassword })),
    );
    const { found, payloads } = await artifactFor(real.host, 'team/api', image.digest);
    expect(found.descriptors.map((d) => d.digest).sort()).toEqual(results.map((r) => r.artifactDigest).sort());
    expect(payloads.map((p) => p.atproto.did).sort()).toEqual([alice.did, bob.did].sort());
  });

  it('pushes again what a registry lost between the upload and the manifest (MANIFEST_BLOB_UNKNOWN)', async () => {
    const losing = await new MemoryRegistry({ loseSubjectBlobs: 1 }).start();
    try {
      const image = await pushImage(losing.host, 'alice/app', '1.0');
      const result = await signImage({ image: `${losing.host}/alice/app:1.0`, pds: net.pds.url, identifier: alice.handle, password: alice.appPassword });
      const puts = losing.log.filter((l) => l.method === 'PUT' && l.path === `/v2/alice/app/manifests/${result.artifactDigest}`);
      expect(puts).toHaveLength(2);
      const { found, artifacts, payloads } = await artifactFor(losing.host, 'alice/app', image.digest);
      expect(found.descriptors.map((d) => d.digest)).toEqual([result.artifactDigest]);
      expect(losing.blobs.has(artifacts[0]!.manifest.config!.digest)).toBe(true);
      expect(payloads[0]!.atproto.record.uri).toBe(result.recordUri);
    } finally {
      await losing.stop();
    }
  });

  it('writes nothing to the PDS when the registry refuses the push', async () => {
    const readOnly = await new MemoryRegistry({ readOnly: true }).start();
    try {
      const image = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.empty, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 }, layers: [] }));
      readOnly.putManifest('alice/app', image, MEDIA.ociManifest, 'v1');
      const count = async () => {
        const res = await fetch(`${net.pds.url}/xrpc/com.atproto.repo.listRecords?repo=${alice.did}&collection=io.atcr.manifest&limit=100`);
        return ((await res.json()) as { records: unknown[] }).records.length;
      };
      const before = await count();
      const err = await signImage({ image: `${readOnly.host}/alice/app:v1`, pds: net.pds.url, identifier: alice.handle, password: alice.appPassword }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SignError);
      expect((err as SignError).code).toBe('registry-auth-failed');
      expect(await count()).toBe(before);
    } finally {
      await readOnly.stop();
    }
  });

  it('fails with a code for a wrong password, a missing image and an unreachable registry', async () => {
    await pushImage(mem.host, 'alice/app', '2.0');
    const base = { pds: net.pds.url, identifier: alice.handle, password: alice.appPassword };
    const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof SignError ? e.code : String(e)));
    expect(await codeOf(signImage({ ...base, image: `${mem.host}/alice/app:2.0`, password: 'wrong-password' }))).toBe('login-failed');
    expect(await codeOf(signImage({ ...base, image: `${mem.host}/alice/app:missing` }))).toBe('registry-error');
    expect(await codeOf(signImage({ ...base, image: 'Not A Reference' }))).toBe('reference-invalid');
    expect(await codeOf(signImage({ ...base, image: '127.0.0.1:1/alice/app:1' }))).toBe('registry-unavailable');
    expect(await codeOf(signImage({ ...base, image: `${mem.host}/alice/app:2.0`, pds: 'http://127.0.0.1:1' }))).toBe('pds-unavailable');
  });
});

describe('atcr-verify sign', () => {
  async function run(args: string[], env: Record<string, string> = {}): Promise<{ out: string; error?: CliError }> {
    const program = new Command().exitOverride();
    registerSign(program);
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'atcr-verify', 'sign', ...args]);
      return { out };
    } catch (e) {
      if (e instanceof CliError) return { out, error: e };
      throw e;
    } finally {
      process.stdout.write = write;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it('signs and prints JSON', async () => {
    const image = await pushImage(mem.host, 'alice/cli', 'latest');
    const { out, error } = await run(
      [`${mem.host}/alice/cli`, '--pds', net.pds.url, '--identifier', alice.handle, '--password-env', 'SIGN_TEST_PW', '--output', 'json'],
      { SIGN_TEST_PW: alice.appPassword },
    );
    expect(error).toBeUndefined();
    const result = JSON.parse(out) as Record<string, string>;
    expect(result.digest).toBe(image.digest);
    expect(result.did).toBe(alice.did);
    const text = await run(
      [`${mem.host}/alice/cli`, '--pds', net.pds.url, '--identifier', alice.handle, '--password-env', 'SIGN_TEST_PW'],
      { SIGN_TEST_PW: alice.appPassword },
    );
    expect(text.out.split('\n')[0]).toBe(`✓ signed ${mem.host}/alice/cli@${image.digest} as ${alice.handle} (${alice.did})`);
    expect(text.out).toContain('referrers API');
  });

  it('logs in to a Bearer-auth registry with the Docker config file named by DOCKER_CONFIG', async () => {
    const user = { username: 'alice', password: 'registry-pw' };
    const locked = await new MemoryRegistry({ auth: 'bearer', user }).start();
    try {
      const basic = `Basic ${Buffer.from('alice:registry-pw').toString('base64')}`;
      const { token } = (await (await fetch(`http://${locked.host}/token`, { headers: { authorization: basic } })).json()) as { token: string };
      const image = await pushImage(locked.host, 'alice/private', 'v1', { authorization: `Bearer ${token}` });
      const dir = mkdtempSync(join(tmpdir(), 'atcr-docker-config-'));
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from('alice:registry-pw').toString('base64') } } }));
      const args = [`${locked.host}/alice/private:v1`, '--pds', net.pds.url, '--identifier', alice.handle, '--password-env', 'SIGN_TEST_PW', '--output', 'json'];
      const { out, error } = await run(args, { SIGN_TEST_PW: alice.appPassword, DOCKER_CONFIG: dir });
      expect(error).toBeUndefined();
      expect(JSON.parse(out)).toMatchObject({ digest: image.digest, discovery: 'referrers-api' });
      const denied = await run(args, { SIGN_TEST_PW: alice.appPassword, DOCKER_CONFIG: join(dir, 'nowhere') });
      expect(denied.error?.exitCode).toBe(2);
    } finally {
      await locked.stop();
    }
  });

  it('exits 2 without a password and for a wrong one, 3 when the PDS is down', async () => {
    await pushImage(mem.host, 'alice/cli', 'latest');
    const args = [`${mem.host}/alice/cli`, '--pds', net.pds.url, '--identifier', alice.handle, '--password-env', 'SIGN_TEST_PW'];
    expect((await run(args, { SIGN_TEST_PW: '' })).error?.exitCode).toBe(2);
    expect((await run(args, { SIGN_TEST_PW: 'nope-nope-nope-nope' })).error?.exitCode).toBe(2);
    expect((await run([...args, '--timeout', 'soon'], { SIGN_TEST_PW: 'x' })).error?.exitCode).toBe(2);
    const down = [`${mem.host}/alice/cli`, '--pds', 'http://127.0.0.1:1', '--identifier', alice.handle, '--password-env', 'SIGN_TEST_PW'];
    expect((await run(down, { SIGN_TEST_PW: 'x' })).error?.exitCode).toBe(3);
  });
});
