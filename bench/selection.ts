// Policy selection (ScopeIndex) on a 10,000-policy IR and image reference parsing.
// Suite name: `selection`.
import { compileScope } from '../src/glob/glob.js';
import { ScopeIndex } from '../src/glob/scope-index.js';
import type { IRPolicy } from '../src/ir/types.js';
import { parseImageRef, type ImageRef } from '../src/ref/reference.js';
import { measure, type BenchRow } from './harness.js';

const POLICIES = 10_000;

function policy(index: number, globs: string[]): IRPolicy {
  return {
    name: `p${index}`,
    index,
    description: '',
    scopes: globs.map((g) => {
      const r = compileScope(g);
      if ('error' in r) throw new Error(r.error.message);
      return r.scope;
    }),
    when: null,
    require: { signature: true, trustedDIDs: [], trustOwner: false, minSignatures: 1, maxAgeSeconds: null, expr: null },
    action: 'enforce',
    origins: {},
    chain: [`p${index}`],
    origin: { file: 'bench.yaml', line: 1, column: 1 },
  };
}

/** A realistic mix: per-team namespaces, per-team app/tag rules, a few catch-alls. */
export function selectionPolicies(n = POLICIES): IRPolicy[] {
  const out: IRPolicy[] = [policy(0, ['**']), policy(1, ['atcr.io/**']), policy(2, ['ghcr.io/**', 'docker.io/**'])];
  for (let i = out.length; i < n; i++) {
    const team = `team-${i % 4000}`;
    if (i % 10 < 6) out.push(policy(i, [`atcr.io/${team}/*`]));
    else if (i % 10 < 9) out.push(policy(i, [`atcr.io/${team}/app-*:v*`, `ghcr.io/${team}/app-*:v*`]));
    else if (i % 20 === 9) out.push(policy(i, [`**/tools-${i}`]));
    else out.push(policy(i, [`*.io/${team}/**`]));
  }
  return out;
}

function images(count: number): ImageRef[] {
  const out: ImageRef[] = [];
  let seed = 7;
  const rnd = (m: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % m);
  for (let i = 0; i < count; i++) {
    const team = `team-${rnd(4500)}`;
    const reg = ['atcr.io', 'atcr.io', 'ghcr.io', 'quay.io'][rnd(4)];
    const app = rnd(3) === 0 ? `tools-${rnd(10000)}` : `app-${rnd(50)}`;
    const tag = rnd(2) === 0 ? `v${rnd(9)}.${rnd(9)}` : 'latest';
    out.push(parseImageRef(`${reg}/${team}/${app}:${tag}`)!);
  }
  return out;
}

/** CPU time per call in µs: on a shared machine, wall-clock figures include waiting for a core. */
function cpuMicros(fn: () => unknown, calls: number): number {
  const t = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / calls;
}

export async function run(): Promise<BenchRow[]> {
  const policies = selectionPolicies();
  const t0 = performance.now();
  const index = new ScopeIndex(policies);
  const buildMs = performance.now() - t0;
  const imgs = images(4096);
  let k = 0;
  const select = () => index.candidates(imgs[k++ & 4095]!);
  const selectRow = await measure('selection: ScopeIndex.candidates, 10,000 policies', select, {
    batch: 1000,
    target: '<= 5 µs per decision',
  });
  selectRow.note = `${cpuMicros(select, 200_000).toFixed(2)} µs CPU per call; index built in ${buildMs.toFixed(0)} ms`;

  const refs = imgs.map((r) => `${r.registry}/${r.repository}:${r.tag}`);
  refs.push('nginx', 'alice/app:1.0', `localhost:5000/x/y@sha256:${'a'.repeat(64)}`);
  let j = 0;
  const parse = () => parseImageRef(refs[j++ % refs.length]!);
  const parseRow = await measure('selection: parseImageRef', parse, { batch: 1000, target: '>= 1,000,000 ops/s' });
  parseRow.note = `${cpuMicros(parse, 1_000_000).toFixed(2)} µs CPU per call`;
  return [selectRow, parseRow];
}
