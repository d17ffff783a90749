// A bounded load run (autocannon) against the cached Gatekeeper endpoint over mTLS with
// keep-alive: every request answered, every answer byte-identical to the verified one.

import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { type CachedService, startCachedService } from './support/cached-service.js';
import { call, providerRequest } from './support/client.js';

let world: AtprotoWorld;
let svc: CachedService;
const images: string[] = [];

beforeAll(async () => {
  world = await AtprotoWorld.start();
  const alice = await world.account();
  for (let i = 0; i < 3; i++) {
    const img = await world.image(`alice/load${i}`, '1');
    await world.sign(alice, img);
    images.push(img.ref);
  }
  images.push((await world.image('alice/unsigned', '1')).ref);
  svc = await startCachedService({ plcUrl: world.plcUrl, allowPrivateNetwork: true });
}, 120_000);

afterAll(async () => {
  await svc?.close();
  await world?.stop();
});

describe('load', () => {
  it('answers every request of a bounded run, each correctly', async () => {
    const tls = { ca: svc.pki.ca, client: svc.client };
    const body = JSON.stringify(providerRequest(images));
    const expected = await call(svc.server.url, 'POST', '/gatekeeper/v1/provider', body, tls);
    const items = expected.json.response.items as { value: { signatures: { valid: boolean }[] } }[];
    expect(items.map((i) => i.value.signatures.some((s) => s.valid))).toEqual([true, true, true, false]);
    const amount = 3000;
    const result = await autocannon({
      url: `${svc.server.url}/gatekeeper/v1/provider`,
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      connections: 8,
      amount,
      tlsOptions: { ca: svc.pki.ca, cert: readFileSync(svc.client.cert), key: readFileSync(svc.client.key) },
      verifyBody: (b: string) => b === expected.text,
    });
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.mismatches).toBe(0);
    expect(result['2xx']).toBe(amount);
  }, 120_000);
});
