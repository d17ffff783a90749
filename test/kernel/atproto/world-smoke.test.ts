import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyImage } from '../../../src/kernel/verify.js';
import { AtprotoWorld } from '../../support/atproto-world.js';

let world: AtprotoWorld;
beforeAll(async () => {
  world = await AtprotoWorld.start();
});
afterAll(async () => {
  await world?.stop();
});

describe('kernel against a real PDS, PLC and registry', () => {
  it('verifies a signed image', async () => {
    const alice = await world.account();
    const img = await world.image('alice/app', '1.0');
    await world.sign(alice, img);
    const report = await verifyImage({ image: img.ref, plcUrl: world.plcUrl, allowPrivateNetwork: true });
    expect(report.verified).toBe(true);
  });
});
