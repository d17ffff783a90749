// What `sign` writes is what `verify` accepts: sign on both registries with a real PDS,
// then run the kernel's verifier over the result; deleting the record revokes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestNetworkNoAppView } from '@atproto/dev-env';
import { signImage } from '../../../src/kernel/sign/index.js';
import { verifyImage } from '../../../src/kernel/verify.js';
import { MemoryRegistry } from '../../support/registry/memory-registry.js';
import { DockerRegistry } from '../../support/registry/docker-registry.js';
import { pushImage } from '../../support/registry/push.js';
import { createSigner, startPds, type Signer } from './pds.js';

let net: TestNetworkNoAppView;
let mem: MemoryRegistry;
let real: DockerRegistry;
let carol: Signer;

beforeAll(async () => {
  [net, mem, real] = await Promise.all([startPds(), new MemoryRegistry().start(), new DockerRegistry().start()]);
  carol = await createSigner(net, 'carol');
}, 60_000);

afterAll(async () => {
  await Promise.all([net?.close(), mem?.stop(), real?.stop()]);
});

describe('sign then verify', () => {
  it.each(['memory', 'docker-registry'] as const)('a signature made on %s verifies', async (which) => {
    const host = which === 'memory' ? mem.host : real.host;
    const image = await pushImage(host, 'carol/app', 'v1');
    const signed = await signImage({ image: `${host}/carol/app:v1`, pds: net.pds.url, identifier: carol.handle, password: carol.appPassword });
    const report = await verifyImage({ image: `${host}/carol/app:v1`, plcUrl: net.plc.url, allowPrivateNetwork: true, credentials: null });
    expect(report.digest).toBe(image.digest);
    expect(report.verified).toBe(true);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({
      valid: true,
      did: carol.did,
      handle: carol.handle,
      algorithm: 'ES256K',
      digest: image.digest,
      recordUri: signed.recordUri,
      recordCid: signed.recordCid,
    });
  });

  it('a deleted record revokes the signature', async () => {
    await pushImage(mem.host, 'carol/revoked', 'v1');
    const signed = await signImage({ image: `${mem.host}/carol/revoked:v1`, pds: net.pds.url, identifier: carol.handle, password: carol.appPassword });
    const agent = net.pds.getClient();
    await agent.login({ identifier: carol.handle, password: carol.appPassword });
    const rkey = signed.recordUri.split('/').pop()!;
    await agent.com.atproto.repo.deleteRecord({ repo: carol.did, collection: 'io.atcr.manifest', rkey });
    const report = await verifyImage({ image: `${mem.host}/carol/revoked:v1`, plcUrl: net.plc.url, allowPrivateNetwork: true, credentials: null });
    expect(report.verified).toBe(false);
    expect(report.signatures[0]).toMatchObject({ valid: false, error: { code: 'record-deleted' } });
  });
});
