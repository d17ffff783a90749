// The kernel façade as a long-running caller holds it: one Verifier, many calls. The
// registry grant is reused across calls (one token per repository), and the caller's
// abort signal stops a call waiting on a DID lookup that never answers.

import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Verifier } from '../../src/kernel/index.js';
import { AtprotoWorld } from '../support/atproto-world.js';
import { MemoryRegistry } from '../support/registry/memory-registry.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let world: AtprotoWorld;
let silent: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  world = await AtprotoWorld.start();
  // Accepts connections and never answers: a PLC directory that hangs.
  silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent?.close(r));
  await world?.stop();
});

describe('Verifier', () => {
  it('asks the token service once per repository across verifications', async () => {
    const registry = await new MemoryRegistry({ auth: 'bearer' }).start();
    try {
      const config = new TextEncoder().encode('{}');
      const manifest = new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: registry.putBlob(config), size: config.length },
          layers: [],
        }),
      );
      registry.putManifest('team/app', manifest, MANIFEST, '1.0');
      const ref = `${registry.host}/team/app:1.0`;
      const tokens = () => registry.log.filter((e) => e.path.startsWith('/token')).length;

      const verifier = new Verifier({ credentials: null, allowPrivateNetwork: true });
      for (let i = 0; i < 3; i++) {
        const report = await verifier.verify(ref);
        expect(report.signatures).toEqual([]);
        expect(report.verified).toBe(false);
      }
      expect(tokens()).toBe(1);
      // A second verifier shares nothing with the first.
      await new Verifier({ credentials: null, allowPrivateNetwork: true }).verify(ref);
      expect(tokens()).toBe(2);
    } finally {
      await registry.stop();
    }
  });

  it("the caller's abort signal stops a DID lookup that never answers", async () => {
    const alice = await world.account();
    const img = await world.image('alice/hang', '1');
    await world.sign(alice, img);
    const port = (silent.address() as AddressInfo).port;
    // Per-request timeout far beyond the test's own: only the signal can end the call in time.
    const verifier = new Verifier({ plcUrl: `http://127.0.0.1:${port}`, allowPrivateNetwork: true, timeoutMs: 120_000 });
    const controller = new AbortController();
    const pending = verifier.verify(img.ref, { signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    const report = await pending;
    expect(report.verified).toBe(false);
    expect(report.unavailable).toBe(true);
    expect(report.signatures[0]!.error).toMatchObject({ code: 'did-resolution-failed' });
    expect(report.signatures[0]!.error!.message).toMatch(/aborted/);
  }, 20_000);
});
