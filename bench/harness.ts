// A small benchmark harness: runs a function repeatedly, reports ops/s, latency
// percentiles and memory. Used by `npm run bench`; never by the test suite.

export interface BenchRow {
  name: string;
  ops: number; // operations measured
  opsPerSec: number;
  p50us: number;
  p99us: number;
  heapMiB: number; // heap used after the run; NaN when the work ran in another process
  rssMiB: number;
  target?: string; // the figure the issue asks for, e.g. ">= 1,000,000 ops/s"
  note?: string;
}

export interface MeasureOptions {
  /** Operations per timed batch (latency is batch time / batch size). */
  batch?: number;
  /** Minimum total measuring time in ms. */
  minMs?: number;
  warmupMs?: number;
  target?: string;
  note?: string;
  /** How many logical operations one call performs (e.g. a batch of 1,000 decisions). */
  opsPerCall?: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return sorted[i]!;
}

export async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
  opts: MeasureOptions = {},
): Promise<BenchRow> {
  const batch = opts.batch ?? 1;
  const minMs = opts.minMs ?? 1500;
  const opsPerCall = opts.opsPerCall ?? 1;
  const warmEnd = performance.now() + (opts.warmupMs ?? 300);
  while (performance.now() < warmEnd) await fn();
  const samples: number[] = [];
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    const dt = performance.now() - t0;
    samples.push((dt * 1000) / (batch * opsPerCall));
    calls += batch;
  }
  const total = performance.now() - start;
  samples.sort((a, b) => a - b);
  const mem = process.memoryUsage();
  return {
    name,
    ops: calls * opsPerCall,
    opsPerSec: (calls * opsPerCall * 1000) / total,
    p50us: percentile(samples, 50),
    p99us: percentile(samples, 99),
    heapMiB: mem.heapUsed / 2 ** 20,
    rssMiB: mem.rss / 2 ** 20,
    target: opts.target,
    note: opts.note,
  };
}

/** A row for a figure measured once (e.g. a cold start), with samples in µs. */
export function rowFromSamples(name: string, samplesUs: number[], extra: Partial<BenchRow> = {}): BenchRow {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const totalUs = sorted.reduce((a, b) => a + b, 0);
  const mem = process.memoryUsage();
  return {
    name,
    ops: sorted.length,
    opsPerSec: totalUs > 0 ? (sorted.length * 1e6) / totalUs : 0,
    p50us: percentile(sorted, 50),
    p99us: percentile(sorted, 99),
    heapMiB: mem.heapUsed / 2 ** 20,
    rssMiB: mem.rss / 2 ** 20,
    ...extra,
  };
}

function fmt(n: number, digits = 1): string {
  if (Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function printTable(rows: BenchRow[]): void {
  const header = ['benchmark', 'ops/s', 'p50 µs', 'p99 µs', 'heap MiB', 'rss MiB', 'target', 'note'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.opsPerSec, 0),
    fmt(r.p50us, 2),
    fmt(r.p99us, 2),
    fmt(r.heapMiB),
    fmt(r.rssMiB),
    r.target ?? '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
}
