// The service's fact cache: resident memory with 100,000 cached images of three
// signatures each (the whole-service target is ≤ 300 MiB, so this is the cache's
// share), and the cost of a cached lookup. Memory is measured in a child process started
// with --expose-gc, so other suites' garbage does not count.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseImageRef, type ImageRef } from '../src/ref/reference.js';
import { FactCache, type Verify } from '../src/serve/cache/fact-cache.js';
import { sampleReport } from '../test/serve/cache/sample.js';
import { type BenchRow, measure } from './harness.js';

const IMAGES = 100_000;
const CHILD_FLAG = '--cache-memory-child';

const mib = (b: number) => b / 2 ** 20;

function tagRef(i: number): ImageRef {
  return parseImageRef(`atcr.io/owner${i % 1000}/app${i}:1.0`)!;
}

async function fill(cache: FactCache, n: number): Promise<void> {
  const verify: Verify = async (image) => {
    const i = Number(/app(\d+)/.exec(image)![1]);
    return sampleReport(i, { image });
  };
  for (let i = 0; i < n; i++) await cache.get(tagRef(i), verify);
}

/** In the child: fill a cache and report what it costs after a full collection. */
async function memoryChild(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const cache = new FactCache({ maxEntries: IMAGES, maxTags: IMAGES, maxBytes: 1024 * 2 ** 20 });
  gc();
  const before = process.memoryUsage();
  await fill(cache, IMAGES);
  gc();
  gc();
  const after = process.memoryUsage();
  const stats = cache.stats();
  process.stdout.write(
    JSON.stringify({
      rss: mib(after.rss - before.rss),
      heap: mib(after.heapUsed - before.heapUsed),
      totalRss: mib(after.rss),
      estimate: mib(stats.bytes),
      facts: stats.facts,
      tags: stats.tags,
    }),
  );
}

function memoryRow(): BenchRow {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--expose-gc', self, CHILD_FLAG], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`cache memory child failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout) as { rss: number; heap: number; totalRss: number; estimate: number; facts: number; tags: number };
  return {
    name: `cache: ${m.facts.toLocaleString('en-US')} images × 3 signatures + ${m.tags.toLocaleString('en-US')} tags`,
    ops: m.facts,
    opsPerSec: NaN,
    p50us: NaN,
    p99us: NaN,
    heapMiB: m.heap,
    rssMiB: m.rss,
    target: '≤ 300 MiB for the whole service',
    note: `growth; process RSS ${m.totalRss.toFixed(0)} MiB; the cache's own estimate ${m.estimate.toFixed(0)} MiB`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [memoryRow()];
  const n = 10_000;
  const cache = new FactCache({ maxEntries: n, maxTags: n });
  await fill(cache, n);
  const tags = Array.from({ length: n }, (_, i) => tagRef(i));
  const digests = await Promise.all(tags.map(async (t) => parseImageRef(`${t.registry}/${t.repository}@${(await cache.cached(t))!.facts.digest}`)!));
  const never: Verify = () => Promise.reject(new Error('a cached lookup verified'));
  let i = 0;
  rows.push(
    await measure('cache: get, memory hit, digest reference', () => cache.get(digests[i++ % n]!, never), {
      batch: 1000,
      note: 'ns/op = 1000 × p50 µs',
    }),
  );
  rows.push(
    await measure('cache: get, memory hit, tag reference', () => cache.get(tags[i++ % n]!, never), {
      batch: 1000,
      note: 'tag → digest, then facts',
    }),
  );
  rows.push(
    await measure('cache: fromMemory (sync), tag reference', () => cache.fromMemory(tags[i++ % n]!), {
      batch: 1000,
      note: 'the batch fast path',
    }),
  );
  return rows;
}

if (process.argv.includes(CHILD_FLAG)) {
  memoryChild().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
