// `policy lint` on documents that stress the scope analyses (issue 12): hostile ones where
// every scope meets every other at equal specificity (bounded by the work budget, which
// ends them with an `analysis-budget` finding), and large ordinary ones (linear in size
// since scopes are bucketed by literal prefix). One lint per sample: a whole file, as CI does.
import { lintCompilation } from '../src/lint/index.js';
import { compileText } from '../src/lower/pipeline.js';
import { rowFromSamples, type BenchRow } from './harness.js';

const TRUST = '    require: { trustedDIDs: [did:plc:aaaaaaaaaaaaaaaaaaaaaaaa] }';

function document(n: number, scope: (i: number) => string): string {
  const lines = ['version: 1', 'policies:'];
  for (let i = 0; i < n; i++) lines.push(`  - name: p${i}`, `    scope: "${scope(i)}"`, TRUST);
  return lines.join('\n') + '\n';
}

function lintRow(name: string, text: string, samples: number, target?: string): BenchRow {
  const times: number[] = [];
  let findings = 0;
  let cut = 0;
  let cpuUs = 0;
  for (let k = 0; k < samples; k++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const ds = lintCompilation(compileText('bench.yaml', text));
    const c1 = process.cpuUsage(c0);
    times.push((performance.now() - t0) * 1000);
    cpuUs += c1.user + c1.system;
    findings = ds.length;
    cut = ds.filter((d) => d.rule === 'analysis-budget').length;
  }
  return rowFromSamples(name, times, {
    ...(target ? { target } : {}),
    // CPU time as well: on a shared machine the wall clock also counts other processes.
    note: `${(text.length / 1024).toFixed(0)} KB, CPU ${(cpuUs / samples / 1e6).toFixed(2)} s per lint, ${findings} findings${cut > 0 ? `, ${cut} analysis-budget` : ''}`,
  });
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of [10, 100, 300]) {
    rows.push(lintRow(`lint hostile **NNNN** ×${n}`, document(n, (i) => `**${String(i).padStart(4, '0')}**`), n === 10 ? 5 : 2, 'bounded (budget)'));
  }
  for (const n of [10_000, 20_000]) {
    rows.push(lintRow(`lint ordinary ×${n}`, document(n, (i) => `atcr.io/team${i}/*`), 2, n === 10_000 ? '<= 3 s' : undefined));
  }
  return rows;
}
