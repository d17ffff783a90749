// Against Debian's real docker-registry (distribution 2.8): no referrers API, so
// discovery must take the tag-schema fallback, and pushes must work on a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA, RegistryClient, addToFallbackIndex, computeDigest } from '../../../src/kernel/oci/index.js';
import { DockerRegistry } from '../../support/registry/docker-registry.js';
import { pushImage, pushSignatureArtifact, SIGNATURE_TYPE } from '../../support/registry/push.js';

let reg: DockerRegistry;
beforeAll(async () => {
  reg = await new DockerRegistry().start();
}, 30_000);
afterAll(async () => {
  await reg?.stop();
});

describe('docker-registry 2.8', () => {
  it('has no referrers API: discovery uses the sha256-<hex> tag', async () => {
    const image = await pushImage(reg.host, 'alice/app', 'v1');
    const c = new RegistryClient(reg.host, 'alice/app', { credentials: null });
    const resolved = await c.resolve({ tag: 'v1', digest: '' });
    expect(resolved.digest).toBe(image.digest);
    expect(await c.hasReferrersApi(image.digest)).toBe(false);
    expect(await c.referrers(image.digest, SIGNATURE_TYPE)).toEqual({ descriptors: [], source: 'tag-schema' });

    const sig = await pushSignatureArtifact(reg.host, 'alice/app', image, { hello: 'world' });
    const desc = { mediaType: MEDIA.ociManifest, digest: sig.digest, size: sig.size, artifactType: SIGNATURE_TYPE };
    await addToFallbackIndex(c, image.digest, desc, { jitterMs: 5 });
    const res = await c.referrers(image.digest, SIGNATURE_TYPE);
    expect(res.source).toBe('tag-schema');
    expect(res.descriptors).toEqual([desc]);

    const artifact = await c.getManifest(sig.digest);
    expect(artifact.manifest.subject?.digest).toBe(image.digest);
    const payload = await c.getBlob(artifact.manifest.layers![0]!, 64 * 1024);
    expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ hello: 'world' });
  });

  it('pushes blobs and manifests through the client', async () => {
    const c = new RegistryClient(reg.host, 'bob/pushed', { credentials: null });
    const config = await c.putBlob(new TextEncoder().encode('{}'));
    expect(config.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(await c.blobExists(config.digest)).toBe(true);
    const again = await c.putBlob(new TextEncoder().encode('{}'));
    expect(again).toEqual(config);
    const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { ...config, mediaType: MEDIA.empty }, layers: [] }));
    const pushed = await c.putManifest('t1', manifest, MEDIA.ociManifest);
    expect(pushed.digest).toBe(computeDigest(manifest));
    expect((await c.resolve({ tag: 't1', digest: '' })).digest).toBe(pushed.digest);
  });

  it('two concurrent writers of the fallback index both end up in it', async () => {
    const image = await pushImage(reg.host, 'alice/race', 'v1');
    // distribution checks that an index's entries exist, so push real artifacts first, one
    // after the other: both upload the same empty config blob, and distribution 2.8's
    // filesystem driver can lose a blob two uploads commit at once (MANIFEST_BLOB_UNKNOWN).
    // The race under test is the index writers' below.
    const sigs = [];
    for (const i of [1, 2]) sigs.push(await pushSignatureArtifact(reg.host, 'alice/race', image, { signer: i }));
    const descs = sigs.map((s) => ({ mediaType: MEDIA.ociManifest, digest: s.digest, size: s.size, artifactType: SIGNATURE_TYPE }));
    await Promise.all(descs.map((d) => addToFallbackIndex(new RegistryClient(reg.host, 'alice/race', { credentials: null }), image.digest, d)));
    const res = await new RegistryClient(reg.host, 'alice/race', { credentials: null }).referrers(image.digest, SIGNATURE_TYPE);
    expect(res.descriptors.map((d) => d.digest).sort()).toEqual(descs.map((d) => d.digest).sort());
  });
});
