// `--target wasm` figures: decisions/s through @open-policy-agent/opa-wasm for a
// 100-policy document with 3 signatures per input, module size, compile time, and the
// memory the module holds after a long run (it must not grow with the number of runs).

import { compileWasm, loadWasmEngine } from '../src/backends/wasm/index.js';
import { compileText } from '../src/lower/pipeline.js';
import { measure, rowFromSamples, type BenchRow } from './harness.js';
import { inputs, policyDocument } from './fixtures.js';

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const c = compileText('bench-100.yaml', policyDocument(100));
  if (!c.ir) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  const ir = c.ir;

  const compileSamples: number[] = [];
  let size = 0;
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    const [artifact] = await compileWasm(ir);
    compileSamples.push((performance.now() - t0) * 1000);
    size = artifact!.content.length;
  }
  rows.push(
    rowFromSamples('wasm compile, 100 policies', compileSamples, {
      target: 'module <= 256 KiB',
      note: `module ${(size / 1024).toFixed(1)} KiB`,
    }),
  );

  const engine = await loadWasmEngine(ir);
  const batch = inputs(1000, 100);
  let sink = 0;
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) for (const i of batch) sink += engine.evaluate(i).allowed ? 1 : 0;
  // Also per CPU-second of this process: on a shared machine wall time includes waiting.
  const cpu0 = process.cpuUsage();
  const row = await measure(
    'wasm eval via opa-wasm SDK, 100 policies, 3 sigs/input',
    () => {
      for (const i of batch) sink += engine.evaluate(i).allowed ? 1 : 0;
    },
    { opsPerCall: batch.length, minMs: 2000, warmupMs: 0, target: '>= 100,000 decisions/s' },
  );
  const cpu = process.cpuUsage(cpu0);
  row.note = `${Math.round(row.ops / ((cpu.user + cpu.system) / 1e6)).toLocaleString('en-US')} decisions per CPU-second`;
  rows.push(row);
  if (sink < 0) console.error(sink);
  return rows;
}
