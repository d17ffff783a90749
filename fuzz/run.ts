// `npm run fuzz -- [--seconds N] [--save] [target…]`: runs each target for N seconds
// (default 30), coverage-guided: V8's precise block coverage is taken after every input,
// and an input that reaches a block no earlier input reached joins the live corpus that
// mutations start from (with --save, fuzz/corpus/<target>/ too). A failing input is saved
// as fuzz/corpus/<target>/crash-<hash> and the run exits 1. Inputs slower than 2 s and
// heap growth past 1 GiB are reported as findings too (a hang or unbounded memory).

import { Session } from 'node:inspector';
import fc from 'fast-check';
import { loadCorpus, saveInput } from './corpus.js';
import { arbMutated } from './mutate.js';
import { describeFailure, failureOf } from './check.js';
import { TARGETS, type Target } from './targets.js';

const SLOW_MS = 2_000;
const HEAP_LIMIT = 2 ** 30;

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}

interface Coverage {
  result: { url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[];
}

/** Blocks of our own code that ran since the last call. */
async function blocksRun(session: Session): Promise<string[]> {
  const cov = await post<Coverage>(session, 'Profiler.takePreciseCoverage');
  const out: string[] = [];
  for (const script of cov.result) {
    if (!script.url.includes('/dist/src/')) continue;
    for (const f of script.functions) for (const r of f.ranges) if (r.count > 0) out.push(`${script.url}:${r.startOffset}:${r.endOffset}`);
  }
  return out;
}

async function fuzz(target: Target, seconds: number, save: boolean, session: Session): Promise<boolean> {
  const entries = loadCorpus(target.name);
  const corpus = { entries, dictionary: target.dictionary, json: target.json };
  const seen = new Set<string>();
  for (const e of entries) {
    await failureOf(target, e);
    for (const b of await blocksRun(session)) seen.add(b);
  }
  const start = Date.now();
  let runs = 0;
  let added = 0;
  let ok = true;
  let seed = Date.now() | 0;
  while (Date.now() - start < seconds * 1000) {
    // A fresh batch from the current corpus, which grows as coverage does.
    for (const input of fc.sample(arbMutated(corpus), { numRuns: 50, seed: seed++ })) {
      const t0 = Date.now();
      const failure = await failureOf(target, input);
      const ms = Date.now() - t0;
      runs++;
      if (failure) {
        // One finding per target and run: the rest are usually the same fault.
        console.log(`${target.name}: FAILURE saved as ${saveInput(target.name, input, 'crash-')}\n${describeFailure(failure)}`);
        return false;
      } else if (ms > SLOW_MS) {
        ok = false;
        console.log(`${target.name}: SLOW (${ms} ms, ${input.length} bytes) saved as ${saveInput(target.name, input, 'slow-')}`);
      }
      if (process.memoryUsage().heapUsed > HEAP_LIMIT) {
        ok = false;
        console.log(`${target.name}: heap past 1 GiB after ${runs} inputs`);
      }
      const blocks = await blocksRun(session);
      if (blocks.some((b) => !seen.has(b))) {
        for (const b of blocks) seen.add(b);
        entries.push(input);
        added++;
        if (save) saveInput(target.name, input);
      }
    }
  }
  console.log(`${target.name}: ${runs} inputs in ${seconds} s, ${seen.size} blocks, ${added} new corpus entries${save ? ' (saved)' : ''}`);
  return ok;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let seconds = 30;
  let save = false;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds') seconds = Number(args[++i]);
    else if (args[i] === '--save') save = true;
    else names.push(args[i]!);
  }
  if (!(seconds > 0)) throw new Error('--seconds needs a positive number');
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) throw new Error(`unknown fuzz target(s) ${unknown.join(', ')}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  let ok = true;
  for (const t of TARGETS.filter((t) => names.length === 0 || names.includes(t.name))) ok = (await fuzz(t, seconds, save, session)) && ok;
  process.exitCode = ok ? 0 : 1;
}

await main();
