// The plugins as their hosts run them: a new process of the standalone executable per
// containerd pull (its start-up included), verifying a signed image on the loopback world,
// alone and delegating to a warm `atcr-verify serve`. Suite name: `plugins`.
// Needs `npm run build:sea` (build/sea/atcr-verify).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rowFromSamples, type BenchRow } from './harness.js';
import { AtprotoWorld } from '../test/support/atproto-world.js';
import { run as runProgram, seaBinary, Serve, tempDir } from '../test/plugins/support.js';

const RUNS = 30;
const WARMUP = 3;
const MEDIA = 'application/vnd.oci.descriptor.v1+json';

async function samples(n: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + WARMUP; i++) {
    const t0 = performance.now();
    await fn();
    if (i >= WARMUP) out.push((performance.now() - t0) * 1000);
  }
  return out;
}

const external = { heapMiB: NaN, rssMiB: NaN };

export async function run(): Promise<BenchRow[]> {
  const exe = seaBinary();
  const world = await AtprotoWorld.start();
  const dir = tempDir('atcr-bench-plugins-');
  const serve = new Serve();
  try {
    const signer = await world.account();
    const img = await world.image('bench/pull', '1');
    await world.sign(signer, img);
    const digest = img.pushed.digest;
    const descriptor = JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: img.pushed.size });
    const local = join(dir, 'local.yaml');
    writeFileSync(local, JSON.stringify({ plcUrl: world.plcUrl, allowPrivateNetwork: true }));
    const pull = (config: string) => async () => {
      const r = await runProgram(exe, ['-name', img.ref, '-digest', digest, '-stdin-media-type', MEDIA], { input: descriptor, env: { ATCR_VERIFY_CONFIG: config } });
      if (r.code !== 0) throw new Error(`the verifier refused the bench image: ${r.stdout}`);
    };

    const rows: BenchRow[] = [];
    // The floor on this machine: the very node binary the executable is made of, doing nothing.
    const bare = await samples(RUNS, async () => {
      await runProgram(process.execPath, ['-e', '0']);
    });
    rows.push(rowFromSamples('plugins: node -e 0 (calibration: process start-up floor)', bare, { ...external }));
    const version = await samples(RUNS, async () => {
      const r = await runProgram(exe, ['--version']);
      if (r.code !== 0) throw new Error(`--version failed: ${r.stderr}`);
    });
    rows.push(rowFromSamples('plugins: standalone --version (new process)', version, { ...external, note: 'start-up alone' }));
    const alone = await samples(RUNS, pull(local));
    rows.push(rowFromSamples('plugins: containerd verification (new process)', alone, { ...external, target: 'p50 <= 150 ms' }));

    try {
      await serve.start(['--plc-url', world.plcUrl, '--allow-private-network']);
    } catch (err) {
      rows.push({ name: 'plugins: containerd verification via warm serve', ops: 0, opsPerSec: 0, p50us: NaN, p99us: NaN, ...external, target: 'p50 <= 60 ms', note: `not measured: ${String(err).slice(0, 120)}` });
      return rows;
    }
    const delegating = join(dir, 'serve.yaml');
    writeFileSync(delegating, JSON.stringify({ server: serve.url }));
    const viaServe = await samples(RUNS, pull(delegating));
    rows.push(rowFromSamples('plugins: containerd verification via warm serve (new process)', viaServe, { ...external, target: 'p50 <= 60 ms' }));
    return rows;
  } finally {
    await serve.stop();
    await world.stop();
  }
}
