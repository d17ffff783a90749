// An aborted verification does not wait for DNS (issue 12): the owner segment of an image
// on an owner registry is a handle, looked up in DNS first; with a DNS server that never
// answers, aborting the verification ends the lookup at once.
import dgram from 'node:dgram';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyImage } from '../../src/kernel/verify.js';
import { MemoryRegistry } from '../support/registry/memory-registry.js';
import { pushImage } from '../support/registry/push.js';

let registry: MemoryRegistry;

beforeAll(async () => {
  registry = await new MemoryRegistry().start();
  await pushImage(registry.host, 'quiet.example.com/app', '1');
});
afterAll(async () => {
  await registry.stop();
});

it('an aborted verify returns without waiting for a DNS server that never answers', async () => {
  const silent = dgram.createSocket('udp4');
  const controller = new AbortController();
  // The abort comes once the handle's query has reached the server.
  let queries = 0;
  silent.on('message', () => {
    queries++;
    controller.abort();
  });
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  try {
    const report = await verifyImage({
      image: `${registry.host}/quiet.example.com/app:1`,
      ownerRegistries: [registry.host],
      insecureRegistries: [registry.host],
      allowPrivateNetwork: true,
      plcUrl: 'http://127.0.0.1:1',
      dnsServers: [`127.0.0.1:${silent.address().port}`],
      timeoutMs: 600_000, // far beyond the test's own limit: only the signal can end it
      signal: controller.signal,
    });
    expect(queries).toBeGreaterThan(0);
    // Nothing verified (the image is unsigned) and no owner claimed: the lookup was cut short.
    expect(report.verified).toBe(false);
    expect(report.owner).toBe('');
    expect(report.notes).toContain('owner quiet.example.com not resolved: looking up _atproto.quiet.example.com in DNS aborted');
    // Cut short is "could not ask", not "no owner".
    expect(report.ownerUnavailable).toBe(true);
  } finally {
    silent.close();
  }
  // Node's c-ares gives up on a silent server after 5-6 s whatever its timeout option
  // says; a lookup that ignored the signal waited that long, past this test's limit.
}, 4_000);
