// Front-end and native-engine figures of the front-end issue: decisions/s, compile time,
// and `policy eval` batch throughput including JSON in and out (through the built CLI).

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileEngine } from '../src/engine/evaluate.js';
import { compileText } from '../src/lower/pipeline.js';
import { compileTargets } from '../src/backends/index.js';
import { measure, rowFromSamples, type BenchRow } from './harness.js';
import { inputs, policyDocument } from './fixtures.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Runs the CLI as `node -e` so that it can report its own peak resident memory at exit. */
const WITH_MAX_RSS = "process.on('exit', () => process.stderr.write(`\\nmax-rss-kib ${process.resourceUsage().maxRSS}\\n`)); await import(process.argv[1]);";

/**
 * Runs of the built binary writing to `outFile` (as `> out.json`): wall-clock
 * milliseconds, sorted, and the largest peak resident memory of a run in MiB.
 */
function timeCli(args: string[], runs: number, outFile: string): { ms: number[]; maxRssMiB: number } {
  const ms: number[] = [];
  let maxRssMiB = 0;
  for (let k = 0; k < runs; k++) {
    const fd = openSync(outFile, 'w');
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', WITH_MAX_RSS, CLI, ...args], { stdio: ['ignore', fd, 'pipe'] });
    ms.push(performance.now() - t0);
    closeSync(fd);
    if (r.status !== 0 && r.status !== 1) throw new Error(`atcr-verify ${args.join(' ')} failed: ${r.stderr.toString()}`);
    const rss = /max-rss-kib (\d+)/.exec(r.stderr.toString());
    if (rss) maxRssMiB = Math.max(maxRssMiB, Number(rss[1]) / 1024);
  }
  return { ms: ms.sort((a, b) => a - b), maxRssMiB };
}

/**
 * `policy eval` on a 200,000-input batch: the whole process (start-up, compiling the
 * policy, reading, deciding, writing to a file), median of 7 runs. A one-input run of the same
 * command gives the fixed part, reported in the note.
 */
function batchRow(minimal: boolean): BenchRow {
  const dir = mkdtempSync(path.join(tmpdir(), 'atcr-bench-'));
  try {
    const policyFile = path.join(dir, 'p.yaml');
    const inputFile = path.join(dir, 'inputs.json');
    const oneFile = path.join(dir, 'one.json');
    writeFileSync(policyFile, policyDocument(100));
    const all = inputs(200_000, 100, undefined, minimal);
    const json = JSON.stringify(all);
    writeFileSync(inputFile, json);
    writeFileSync(oneFile, JSON.stringify(all.slice(0, 1)));
    const outFile = path.join(dir, 'decisions.json');
    const batch = timeCli(['policy', 'eval', policyFile, '--input', inputFile], 7, outFile);
    const runs = batch.ms;
    const outMiB = statSync(outFile).size / 2 ** 20;
    const fixed = timeCli(['policy', 'eval', policyFile, '--input', oneFile], 5, outFile).ms[2]!;
    const median = runs[3]!;
    return {
      name: `policy eval CLI, 200,000 inputs (${minimal ? 'minimal' : 'full'} facts)`,
      ops: 200_000,
      opsPerSec: 200_000 / (median / 1000),
      p50us: (median * 1000) / 200_000,
      p99us: (runs[6]! * 1000) / 200_000,
      heapMiB: NaN, // another process: its peak resident memory is in the rss column
      rssMiB: batch.maxRssMiB,
      target: '>= 200,000 decisions/s',
      note: `whole process, median of 7: ${median.toFixed(0)} ms (runs ${runs[0]!.toFixed(0)}–${runs[6]!.toFixed(0)}), of which ${fixed.toFixed(0)} ms start-up and policy; ${(json.length / 2 ** 20).toFixed(0)} MiB in, ${outMiB.toFixed(0)} MiB out to a file`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const doc100 = compileText('bench-100.yaml', policyDocument(100));
  if (!doc100.ir) throw new Error(doc100.diagnostics.map((d) => d.message).join('\n'));
  const engine = compileEngine(doc100.ir);
  const batch = inputs(1000, 100);
  let sink = 0;
  rows.push(
    await measure(
      'native eval, 100 policies, 3 sigs/input',
      () => {
        for (const i of batch) sink += engine(i).allowed ? 1 : 0;
      },
      { opsPerCall: batch.length, minMs: 2000, target: '>= 1,000,000 decisions/s' },
    ),
  );

  const text1000 = policyDocument(1000);
  const samples: number[] = [];
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    const c = compileText('bench-1000.yaml', text1000);
    samples.push((performance.now() - t0) * 1000);
    if (!c.ir) throw new Error('1000-policy document did not compile');
  }
  rows.push(rowFromSamples('load + check + lower, 1,000 policies', samples, { target: '<= 500 ms (p50)' }));

  // Compiling the 1,000-policy IR to every target (Rego, WebAssembly, Gatekeeper, Kyverno).
  const ir1000 = compileText('bench-1000.yaml', text1000).ir!;
  await compileTargets(ir1000, 'all', {}); // load the back ends once
  const compileSamples: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const artifacts = await compileTargets(ir1000, 'all', {});
    compileSamples.push((performance.now() - t0) * 1000);
    bytes = artifacts.reduce((n, a) => n + (typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.length), 0);
  }
  rows.push(
    rowFromSamples('compile 1,000 policies to all targets', compileSamples, {
      target: '<= 2 s (p50)',
      note: `${(bytes / 2 ** 20).toFixed(1)} MiB of artifacts`,
    }),
  );

  // `policy eval` on a 200,000-input batch through the built binary, JSON in and out:
  // realistic kernel facts, and the minimal fields engines read.
  for (const minimal of [false, true]) rows.push(batchRow(minimal));
  if (sink < 0) console.log(sink);
  return rows;
}
