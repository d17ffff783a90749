// Verification on loopback against a real in-process PDS, PLC directory and registry:
// a cold verify of a one-signature image (no DID cache, fresh connections), 100 images
// verified at once, and the memory that takes. Suite name: `verify`.

import { rowFromSamples, type BenchRow } from './harness.js';
import { DidResolver } from '../src/kernel/atproto/did-resolver.js';
import { verifyImage } from '../src/kernel/verify.js';
import { AtprotoWorld, type ImageHandle } from '../test/support/atproto-world.js';

const COLD_RUNS = 60;
const CONCURRENT = 100;
const ROUNDS = 3;

export async function run(): Promise<BenchRow[]> {
  const world = await AtprotoWorld.start();
  try {
    const signers = await Promise.all(Array.from({ length: 10 }, () => world.account()));
    const one = await world.image('bench/one', '1');
    await world.sign(signers[0]!, one);
    const images: ImageHandle[] = [];
    for (let i = 0; i < CONCURRENT; i++) {
      const img = await world.image(`bench/many${i % 10}`, `v${i}`);
      await world.sign(signers[i % signers.length]!, img);
      images.push(img);
    }
    const base = { plcUrl: world.plcUrl, allowPrivateNetwork: true, timeoutMs: 10_000 };

    // Cold: a new resolver each time, so the DID document is fetched too.
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS + 5; i++) {
      const t0 = performance.now();
      const r = await verifyImage({ ...base, image: one.ref });
      if (!r.verified) throw new Error('bench image did not verify');
      if (i >= 5) cold.push((performance.now() - t0) * 1000);
    }

    // 100 at once, sharing one resolver (and its DID cache) the way a server would.
    const concurrent: number[] = [];
    let heapPeak = 0;
    let wallMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const w0 = performance.now();
      const dids = new DidResolver({ plcUrl: world.plcUrl, timeoutMs: 10_000, allowPrivate: true });
      const lat = await Promise.all(
        images.map(async (img) => {
          const t0 = performance.now();
          const r = await verifyImage({ ...base, image: img.ref, dids });
          if (!r.verified) throw new Error(`${img.ref} did not verify`);
          return (performance.now() - t0) * 1000;
        }),
      );
      wallMs += performance.now() - w0;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      concurrent.push(...lat);
    }

    return [
      rowFromSamples('verify: cold, one signature (loopback)', cold, { target: 'p50 <= 30 ms' }),
      rowFromSamples(`verify: ${CONCURRENT} images concurrently, per image`, concurrent, {
        note: `batch of ${CONCURRENT} in ${(wallMs / ROUNDS).toFixed(0)} ms (mean of ${ROUNDS}); heap peak ${(heapPeak / 2 ** 20).toFixed(1)} MiB incl. in-process PDS/PLC`,
      }),
    ];
  } finally {
    await world.stop();
  }
}
