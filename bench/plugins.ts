// The plugins as their hosts run them: a new process of the standalone executable per
// containerd pull (its start-up included), verifying a signed image on the loopback world,
// alone and delegating to a warm `atcr-verify serve`. Suite name: `plugins`.
// Needs `npm run build:sea` (build/sea/atcr-verify).

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { rowFromSamples, type BenchRow } from './harness.js';
import { AtprotoWorld } from '../test/support/atproto-world.js';
import { run as runProgram, seaBinary, tempDir } from '../test/plugins/support.js';

const RUNS = 30;
const WARMUP = 3;
const MEDIA = 'application/vnd.oci.descriptor.v1+json';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

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
  let serve: ChildProcess | null = null;
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
    const version = await samples(RUNS, async () => {
      const r = await runProgram(exe, ['--version']);
      if (r.code !== 0) throw new Error(`--version failed: ${r.stderr}`);
    });
    rows.push(rowFromSamples('plugins: standalone --version (new process)', version, { ...external, note: 'start-up alone' }));
    const alone = await samples(RUNS, pull(local));
    rows.push(rowFromSamples('plugins: containerd verification (new process)', alone, { ...external, target: 'p50 <= 150 ms' }));

    const port = await freePort();
    serve = spawn(exe, ['serve', '--insecure-http', '--listen', `127.0.0.1:${port}`, '--plc-url', world.plcUrl, '--allow-private-network'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let serveErr = '';
    serve.stderr!.on('data', (d) => (serveErr = (serveErr + d).slice(-4000)));
    const ready = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (serve.exitCode !== null || Date.now() > ready) {
        rows.push({ name: 'plugins: containerd verification via serve', ops: 0, opsPerSec: 0, p50us: NaN, p99us: NaN, ...external, target: 'p50 <= 60 ms', note: `not measured: serve did not start (${serveErr.trim().split('\n').pop() ?? ''})` });
        return rows;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const delegating = join(dir, 'serve.yaml');
    writeFileSync(delegating, JSON.stringify({ server: `http://127.0.0.1:${port}` }));
    const viaServe = await samples(RUNS, pull(delegating));
    rows.push(rowFromSamples('plugins: containerd verification via warm serve (new process)', viaServe, { ...external, target: 'p50 <= 60 ms' }));
    return rows;
  } finally {
    serve?.kill('SIGTERM');
    await world.stop();
  }
}
