// The `engines` suite: per-decision time of the same policy (the 100-policy document, 3
// signatures per input) in the native engine, our WebAssembly, OPA's own WebAssembly of
// the generated Rego (`opa build -t wasm`, run in the same JS SDK) and `opa bench` on the
// generated Rego, as ratios to native. Needs the pinned opa (scripts/tools/build.sh opa,
// or OPA_BIN).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { regoModule } from '../src/backends/rego/index.js';
import { loadWasmEngine } from '../src/backends/wasm/index.js';
import { compileEngine } from '../src/engine/evaluate.js';
import { compileText } from '../src/lower/pipeline.js';
import { measure, type BenchRow } from './harness.js';
import { inputs, policyDocument } from './fixtures.js';

// bench/ is compiled without test/, so this repeats the cache layout of test/support/tools.ts.
function opaBinary(): string {
  if (process.env.OPA_BIN) return process.env.OPA_BIN;
  const cache = process.env.ATCR_TOOLS_CACHE || '/var/cache/atcr-verify/tools';
  const table = readFileSync(new URL('../../tools/versions.tsv', import.meta.url), 'utf8');
  const row = table.split('\n').find((l) => l.startsWith('opa\t'));
  if (!row) throw new Error('tools/versions.tsv has no opa row');
  const [, module, version] = row.split('\t');
  const bin = join(cache, `${module!.replaceAll('/', '_')}@${version}`, 'bin', 'opa');
  if (!existsSync(bin)) throw new Error(`opa is not built: ${bin} is missing. Build it with: bash scripts/tools/build.sh opa`);
  return bin;
}

/**
 * OPA's wasm leaves time.parse_rfc3339_ns to the host and the JS SDK has none; this one is
 * exact to the millisecond only (doubles), which is enough to time the module, not to
 * check its decisions (test/conformance/exceptions.yaml).
 */
const hostBuiltins = {
  'time.parse_rfc3339_ns': (s: string) => {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) throw new Error(`cannot parse ${s}`);
    const frac = /\.(\d+)/u.exec(s)?.[1] ?? '';
    return Math.floor(ms / 1000) * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
  },
};

export async function run(): Promise<BenchRow[]> {
  const c = compileText('bench-100.yaml', policyDocument(100));
  if (!c.ir) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  const ir = c.ir;
  const batch = inputs(1000, 100);
  const opa = opaBinary();
  const dir = mkdtempSync(join(tmpdir(), 'atcr-bench-engines-'));
  const policyFile = join(dir, 'policy.rego');
  writeFileSync(policyFile, regoModule(ir));

  let sink = 0;
  const rows: BenchRow[] = [];
  const perDecision = async (name: string, decide: (input: object) => boolean) => {
    const row = await measure(name, () => {
      for (const i of batch) sink += decide(i) ? 1 : 0;
    }, { opsPerCall: batch.length, minMs: 2000 });
    rows.push(row);
    return 1e6 / row.opsPerSec; // µs per decision
  };

  const native = compileEngine(ir);
  const nativeUs = await perDecision('engines: native, 100 policies, 3 sigs', (i) => native(i).allowed);

  const ours = await loadWasmEngine(ir);
  const oursUs = await perDecision('engines: our wasm (opa-wasm SDK)', (i) => ours.evaluate(i).allowed);

  execFileSync(opa, ['build', '-t', 'wasm', '-e', 'atcr/trust/decision', '-o', join(dir, 'bundle.tar.gz'), policyFile]);
  execFileSync('tar', ['-xzf', join(dir, 'bundle.tar.gz'), '-C', dir, '/policy.wasm']);
  const theirs = await loadPolicy(readFileSync(join(dir, 'policy.wasm')), undefined, hostBuiltins);
  theirs.setData({});
  const theirsUs = await perDecision('engines: OPA wasm of the Rego (opa-wasm SDK)', (i) => {
    const rs = theirs.evaluate(i, 'atcr/trust/decision') as { result: { allowed: boolean } }[];
    return rs[0]!.result.allowed;
  });

  // opa bench: OPA's own timing loop (prepared query, one input per run), ns/op.
  const opaRuns = batch.slice(0, 3).map((input, k) => {
    const inputFile = join(dir, `input${k}.json`);
    writeFileSync(inputFile, JSON.stringify(input));
    const out = JSON.parse(
      execFileSync(opa, ['bench', '--format', 'json', '--data', policyFile, '--input', inputFile, 'data.atcr.trust.decision'], { encoding: 'utf8', maxBuffer: 1 << 26 }),
    ) as { N: number; T: number; metrics?: Record<string, number> };
    return out.T / out.N / 1000; // µs per evaluation
  });
  const opaUs = opaRuns.reduce((a, b) => a + b, 0) / opaRuns.length;
  rows.push({
    name: 'engines: opa bench on the generated Rego',
    ops: opaRuns.length,
    opsPerSec: 1e6 / opaUs,
    p50us: [...opaRuns].sort((a, b) => a - b)[1]!,
    p99us: Math.max(...opaRuns),
    heapMiB: Number.NaN,
    rssMiB: Number.NaN,
    note: `3 inputs, opa ${execFileSync(opa, ['version'], { encoding: 'utf8' }).split('\n')[0]!.replace('Version: ', '')}`,
  });

  const ratio = (us: number) => `${(us / nativeUs).toFixed(1)}× native`;
  rows[1]!.note = ratio(oursUs);
  rows[2]!.note = `${ratio(theirsUs)}; ours is ${(theirsUs / oursUs).toFixed(1)}× faster (goal ≥ 1×)`;
  rows[3]!.note = `${ratio(opaUs)} (goal ≥ 20×); ${rows[3]!.note}`;
  rows[0]!.note = `${nativeUs.toFixed(2)} µs per decision`;
  if (sink < 0) console.error(sink);
  return rows;
}
