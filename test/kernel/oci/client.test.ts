import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MEDIA, OciError, RegistryClient, addToFallbackIndex, computeDigest } from '../../../src/kernel/oci/index.js';
import { MemoryRegistry, type MemoryRegistryOptions } from '../../support/registry/memory-registry.js';
import { pushImage, pushSignatureArtifact, SIGNATURE_TYPE } from '../../support/registry/push.js';

const running: { stop(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function registry(opts: MemoryRegistryOptions = {}): Promise<MemoryRegistry> {
  const r = await new MemoryRegistry(opts).start();
  running.push(r);
  return r;
}

const client = (r: MemoryRegistry, repo = 'alice/app', extra = {}) =>
  new RegistryClient(r.host, repo, { credentials: null, timeoutMs: 5000, ...extra });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    expect(e).toBeInstanceOf(OciError);
    return (e as OciError).code;
  }
}

describe('manifests and blobs', () => {
  it('resolves a tag to the digest of the bytes and fetches by digest', async () => {
    const r = await registry();
    const image = await pushImage(r.host, 'alice/app', 'v1');
    const c = client(r);
    const byTag = await c.resolve({ tag: 'v1', digest: '' });
    expect(byTag.digest).toBe(image.digest);
    expect(byTag.mediaType).toBe(MEDIA.ociManifest);
    const byDigest = await c.resolve({ tag: '', digest: image.digest });
    expect(byDigest.size).toBe(image.size);
    const layer = byDigest.manifest.layers![0]!;
    expect((await c.getBlob(layer, 1024)).byteLength).toBe(layer.size);
  });

  it('rejects a tag whose Docker-Content-Digest disagrees with the bytes', async () => {
    const r = await registry();
    const image = await pushImage(r.host, 'alice/app', 'v1');
    // Point the tag at the image but store other bytes under that digest.
    const other = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: 'x', digest: image.digest, size: 1 } }));
    r.repo('alice/app').manifests.set(image.digest, { bytes: Buffer.from(other), mediaType: MEDIA.ociManifest });
    expect(await code(client(r).resolve({ tag: 'v1', digest: '' }))).toBe('digest-mismatch');
    expect(await code(client(r).getManifest(image.digest))).toBe('digest-mismatch');
  });

  it('checks blob digest and size', async () => {
    const r = await registry();
    const d = r.putBlob(new TextEncoder().encode('hello'));
    const c = client(r);
    expect(await code(c.getBlob({ digest: d, size: 4 }, 100))).toBe('size-mismatch'); // server sends more than declared
    expect(await code(c.getBlob({ digest: d, size: 5 }, 4))).toBe('too-large');
    r.blobs.set(d, Buffer.from('jello'));
    expect(await code(c.getBlob({ digest: d, size: 5 }, 100))).toBe('digest-mismatch');
    expect(await code(c.getBlob({ digest: computeDigest(new Uint8Array([1])), size: 1 }, 100))).toBe('not-found');
  });

  it('reports a missing manifest as not-found and junk as manifest-invalid', async () => {
    const r = await registry();
    const c = client(r);
    expect(await code(c.resolve({ tag: 'nope', digest: '' }))).toBe('not-found');
    r.putManifest('alice/app', new TextEncoder().encode('not json'), MEDIA.ociManifest, 'junk');
    expect(await code(c.resolve({ tag: 'junk', digest: '' }))).toBe('manifest-invalid');
  });
});

describe('blob redirects', () => {
  it('follows a redirect to storage on another origin without sending credentials there', async () => {
    const seen: (string | undefined)[] = [];
    let reg: MemoryRegistry | undefined;
    const storage = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      const blob = reg!.blobs.get(req.url!.slice(1));
      res.statusCode = blob ? 200 : 404;
      res.end(blob);
    });
    await new Promise<void>((ok) => storage.listen(0, 'localhost', ok));
    running.push({ stop: () => void storage.close() });
    const user = { username: 'u', password: 'p' };
    reg = await registry({ auth: 'basic', user, blobRedirect: `http://localhost:${(storage.address() as AddressInfo).port}` });
    const d = reg.putBlob(new TextEncoder().encode('layer bytes'));
    const bytes = await client(reg, 'alice/app', { credentials: user }).getBlob({ digest: d, size: 11 }, 100);
    expect(Buffer.from(bytes).toString()).toBe('layer bytes');
    expect(seen).toEqual([undefined]);
    expect(reg.log.filter((l) => l.path.includes('/blobs/')).at(-1)?.authorization).toMatch(/^Basic /);
  });
});

describe('referrers', () => {
  it('lists signature artifacts through the API, filtered, across pages', async () => {
    const r = await registry({ pageSize: 2 });
    const image = await pushImage(r.host, 'alice/app');
    const sigs = [];
    for (let i = 0; i < 3; i++) sigs.push(await pushSignatureArtifact(r.host, 'alice/app', image, { n: i }));
    await pushSignatureArtifact(r.host, 'alice/app', image, { other: true }, { artifactType: 'application/vnd.example.sbom' });
    const res = await client(r).referrers(image.digest, SIGNATURE_TYPE);
    expect(res.source).toBe('referrers-api');
    expect(res.descriptors.map((d) => d.digest).sort()).toEqual(sigs.map((s) => s.digest).sort());
    expect(r.log.filter((l) => l.path.includes('/referrers/')).length).toBe(2);
  });

  it('filters client-side when the registry ignores artifactType', async () => {
    const r = await registry({ filters: false, pageSize: 1 });
    const image = await pushImage(r.host, 'alice/app');
    const sig = await pushSignatureArtifact(r.host, 'alice/app', image, {});
    await pushSignatureArtifact(r.host, 'alice/app', image, {}, { artifactType: 'application/vnd.example.sbom' });
    const res = await client(r).referrers(image.digest, SIGNATURE_TYPE);
    expect(res.descriptors.map((d) => d.digest)).toEqual([sig.digest]);
  });

  it('falls back to the sha256-<hex> tag index on 404', async () => {
    const r = await registry({ referrers: false });
    const image = await pushImage(r.host, 'alice/app');
    const c = client(r);
    expect(await c.referrers(image.digest, SIGNATURE_TYPE)).toEqual({ descriptors: [], source: 'tag-schema' });
    const sig = await pushSignatureArtifact(r.host, 'alice/app', image, {});
    const desc = { mediaType: MEDIA.ociManifest, digest: sig.digest, size: sig.size, artifactType: SIGNATURE_TYPE };
    await addToFallbackIndex(c, image.digest, desc, { jitterMs: 1 });
    await addToFallbackIndex(c, image.digest, { ...desc, digest: computeDigest(new Uint8Array([9])), artifactType: 'other' }, { jitterMs: 1 });
    const res = await c.referrers(image.digest, SIGNATURE_TYPE);
    expect(res).toEqual({ descriptors: [desc], source: 'tag-schema' });
    expect(await c.hasReferrersApi(image.digest)).toBe(false);
  });

  it('rides out transient 5xx answers while reading the fallback index, and gives up on a persistent one', async () => {
    const r = await registry({ referrers: false });
    const image = await pushImage(r.host, 'alice/app');
    const sig = await pushSignatureArtifact(r.host, 'alice/app', image, {});
    const desc = { mediaType: MEDIA.ociManifest, digest: sig.digest, size: sig.size, artifactType: SIGNATURE_TYPE };
    r.options.failIndexReads = 2;
    await addToFallbackIndex(client(r), image.digest, desc, { jitterMs: 1 });
    expect((await client(r).referrers(image.digest, SIGNATURE_TYPE)).descriptors).toEqual([desc]);
    r.options.failIndexReads = 1000;
    const other = { ...desc, digest: computeDigest(new Uint8Array([7])) };
    await expect(addToFallbackIndex(client(r), image.digest, other, { jitterMs: 1 })).rejects.toMatchObject({ code: 'registry-error', status: 500 });
  });

  it('refuses a Link that leaves the registry', async () => {
    const r = await registry();
    const image = await pushImage(r.host, 'alice/app');
    const evil = http.createServer((req, res) => {
      res.setHeader('link', '<http://127.0.0.2:1/v2/x>; rel="next"');
      res.setHeader('content-type', MEDIA.ociIndex);
      res.end(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    });
    await new Promise<void>((ok) => evil.listen(0, '127.0.0.1', ok));
    running.push({ stop: () => void evil.close() });
    const c = new RegistryClient(`127.0.0.1:${(evil.address() as AddressInfo).port}`, 'alice/app', { credentials: null });
    expect(await code(c.referrers(image.digest, SIGNATURE_TYPE))).toBe('registry-error');
  });
});

describe('concurrent fallback index writers', () => {
  it.each([true, false])('keeps every entry (conditional writes honoured: %s)', async (conditional) => {
    const r = await registry({ referrers: false, conditional });
    const image = await pushImage(r.host, 'alice/app');
    const descs = Array.from({ length: 4 }, (_, i) => ({
      mediaType: MEDIA.ociManifest,
      digest: computeDigest(new Uint8Array([i])),
      size: 10,
      artifactType: SIGNATURE_TYPE,
    }));
    await Promise.all(descs.map((d) => addToFallbackIndex(client(r), image.digest, d, { maxWrites: 20 })));
    const res = await client(r).referrers(image.digest, SIGNATURE_TYPE);
    expect(res.descriptors.map((d) => d.digest).sort()).toEqual(descs.map((d) => d.digest).sort());
  });
});

describe('auth', () => {
  it('follows the Bearer token flow with Docker config credentials', async () => {
    const user = { username: 'alice', password: 'pw' };
    const r = await registry({ auth: 'bearer', user });
    const headers = { authorization: '' };
    // Seed the repository through the token flow by hand.
    const tok = await (await fetch(`http://${r.host}/token`, { headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` } })).json() as { token: string };
    headers.authorization = `Bearer ${tok.token}`;
    const image = await pushImage(r.host, 'alice/app', 'v1', headers);
    const c = client(r, 'alice/app', { credentials: user });
    expect((await c.resolve({ tag: 'v1', digest: '' })).digest).toBe(image.digest);
    const tokenCall = r.log.filter((l) => l.path.startsWith('/token')).at(-1)!;
    expect(tokenCall.path).toContain('scope=repository%3Aalice%2Fapp%3Apull');
    expect(tokenCall.path).toContain('service=memory-registry');
    // A push upgrades the token to pull,push.
    await c.putBlob(new TextEncoder().encode('blob'));
    expect(r.log.filter((l) => l.path.startsWith('/token')).at(-1)!.path).toContain('pull%2Cpush');
    expect(await code(client(r, 'alice/app', { credentials: { username: 'alice', password: 'wrong' } }).resolve({ tag: 'v1', digest: '' }))).toBe('auth-failed');
  });

  it("exchanges an identity token at the token service by OAuth2's refresh_token grant", async () => {
    const user = { username: 'alice', password: 'pw' };
    const r = await registry({ auth: 'bearer', user, refreshToken: 'refresh-1' });
    const tok = (await (await fetch(`http://${r.host}/token`, { headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` } })).json()) as { token: string };
    const image = await pushImage(r.host, 'alice/app', 'v1', { authorization: `Bearer ${tok.token}` });
    const identity = (identityToken: string) => client(r, 'alice/app', { credentials: { username: '', password: '', identityToken } });
    expect((await identity('refresh-1').resolve({ tag: 'v1', digest: '' })).digest).toBe(image.digest);
    // A POST to the realm itself: the refresh token is in the form, never in a header or the URL.
    const tokenCall = r.log.filter((l) => l.path.startsWith('/token')).at(-1)!;
    expect(tokenCall).toEqual({ method: 'POST', path: '/token', authorization: undefined });
    const wrong = identity('refresh-2').resolve({ tag: 'v1', digest: '' });
    await expect(wrong).rejects.toThrow(`token service of ${r.host} answered 401`);
    await expect(wrong).rejects.not.toThrow('refresh-2');
    // A registry that wants Basic credentials cannot take a refresh token.
    const basic = await registry({ auth: 'basic', user });
    const onBasic = client(basic, 'alice/app', { credentials: { username: '', password: '', identityToken: 'refresh-1' } });
    await expect(onBasic.resolve({ tag: 'v1', digest: '' })).rejects.toThrow(
      'asks for Basic credentials, and the ones found are an identity token',
    );
  });

  it('uses Basic credentials on a Basic challenge', async () => {
    const r = await registry({ auth: 'basic', user: { username: 'u', password: 'p' } });
    const basic = { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };
    const image = await pushImage(r.host, 'alice/app', 'v1', basic);
    expect((await client(r, 'alice/app', { credentials: { username: 'u', password: 'p' } }).resolve({ tag: 'v1', digest: '' })).digest).toBe(image.digest);
    expect(await code(client(r).resolve({ tag: 'v1', digest: '' }))).toBe('auth-failed');
  });

  it('holds URLs from a public registry to the private-address rule', () => {
    const policy = (registryHost: string, url: string, extra = {}) =>
      new RegistryClient(registryHost, 'alice/app', { credentials: null, ...extra }).transport.policyFor(new URL(url));
    // A registry on the Internet may not send us to internal addresses or plain http.
    expect(policy('registry.example.com', 'https://auth.example.com/token')).toEqual({ allowPrivate: false, allowHttp: false });
    expect(policy('registry.example.com', 'http://auth.example.com/token')).toEqual({ allowPrivate: false, allowHttp: false });
    // Unless the operator allowed it, or the realm is the registry host itself.
    expect(policy('registry.example.com', 'https://auth.example.com/token', { allowPrivateNetwork: true }).allowPrivate).toBe(true);
    expect(policy('registry.example.com', 'https://registry.example.com:8443/token').allowPrivate).toBe(true);
    // A loopback registry may use loopback helpers.
    expect(policy('127.0.0.1:5000', 'http://127.0.0.1:9/token')).toEqual({ allowPrivate: true, allowHttp: true });
    expect(policy('localhost:5000', 'http://auth.example.com/token').allowHttp).toBe(false);
  });

  it("lets a loopback registry's realm on loopback through to the network", async () => {
    const r = await registry({ auth: 'bearer', realm: 'https://127.0.0.1:9/token' });
    const c = new RegistryClient(r.host, 'alice/app', { credentials: null });
    // Loopback registry: its realm on loopback is allowed, so this reaches (closed) port 9.
    expect(await code(c.resolve({ tag: 'x', digest: '' }))).toBe('network');
  });

  it('uses https for non-loopback hosts unless named insecure', () => {
    expect(new RegistryClient('registry.example.com', 'a/b', { credentials: null }).transport.baseUrl).toBe('https://registry.example.com');
    expect(new RegistryClient('registry.example.com:5000', 'a/b', { credentials: null, insecureRegistries: ['registry.example.com:5000'] }).transport.baseUrl).toBe('http://registry.example.com:5000');
    expect(new RegistryClient('docker.io', 'library/alpine', { credentials: null }).transport.baseUrl).toBe('https://registry-1.docker.io');
    expect(new RegistryClient('localhost:5000', 'a/b', { credentials: null }).transport.baseUrl).toBe('http://localhost:5000');
  });
});
