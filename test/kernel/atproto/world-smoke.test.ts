// The kernel (no CLI) against a real PDS, PLC directory and registry: facts and timings,
// the owner segment, and export → offline giving the same facts.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle, serializeBundle } from '../../../src/kernel/bundle/format.js';
import { exportBundle } from '../../../src/kernel/export.js';
import { verifyImage } from '../../../src/kernel/verify.js';
import { AtprotoWorld } from '../../support/atproto-world.js';

let world: AtprotoWorld;
let handles: http.Server;
const handleDids = new Map<string, string>();

beforeAll(async () => {
  world = await AtprotoWorld.start();
  // Stands in for https://<handle>/.well-known/atproto-did.
  handles = http.createServer((req, res) => {
    const did = handleDids.get(decodeURIComponent((req.url ?? '').slice(1)));
    res.writeHead(did ? 200 : 404).end(did ?? '');
  });
  await new Promise<void>((r) => handles.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await world?.stop();
  await new Promise((r) => handles.close(r));
});

const online = () => ({ plcUrl: world.plcUrl, allowPrivateNetwork: true });

describe('kernel against a real PDS, PLC and registry', () => {
  it('verifies a signed image and times every step', async () => {
    const alice = await world.account();
    const img = await world.image('alice/app', '1.0');
    await world.sign(alice, img);
    const report = await verifyImage({ image: img.ref, ...online() });
    expect(report.verified).toBe(true);
    expect(report.owner).toBe('');
    expect(report.timings.signatures[0]!.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('resolves the owner segment on owner registries and drops it from the repository', async () => {
    const owner = await world.account();
    handleDids.set(owner.handle, owner.did);
    const img = await world.image(`${owner.handle}/svc`, '1');
    // On an owner registry the record names the repository without the owner segment.
    await world.sign(owner, img, { recordRepository: 'svc' });
    const port = (handles.address() as AddressInfo).port;
    const report = await verifyImage({
      image: img.ref,
      ...online(),
      ownerRegistries: [world.registryHost],
      handleWellKnownUrl: (h) => `http://127.0.0.1:${port}/${h}`,
    });
    expect(report.owner).toBe(owner.did);
    expect(report.signatures[0]!.valid).toBe(true);

    // A handle that points to a DID whose document does not claim it gives no owner.
    const liar = await world.account();
    handleDids.set(owner.handle, liar.did);
    const again = await verifyImage({
      image: img.ref,
      ...online(),
      ownerRegistries: [world.registryHost],
      handleWellKnownUrl: (h) => `http://127.0.0.1:${port}/${h}`,
    });
    expect(again.owner).toBe('');
    expect(again.notes.join(' ')).toMatch(/owner/);
  });

  it('gives the same facts offline as online', async () => {
    const bob = await world.account();
    const img = await world.image('bob/app', '2');
    await world.sign(bob, img);
    const { bundle, report } = await exportBundle({ image: img.ref, ...online() });
    const offline = await verifyImage({ image: img.ref, bundle: parseBundle(new TextEncoder().encode(serializeBundle(bundle))) });
    expect(offline.offline).toBe(true);
    expect(offline.signatures).toEqual(report.signatures);
    expect(offline.unprovenDids).toEqual([]);
  });
});
