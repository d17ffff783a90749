// Replays the corpus through every engine and compares each answer with the native
// decision, field for field. A difference is allowed only by an entry of exceptions.yaml
// (engine, class of case, fields, reason); an entry that no longer excuses anything while
// its class of case was in the run is itself a failure.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Decision } from '../../src/ir/decision.js';
import { parseInstant } from '../../src/ir/time.js';
import type { IRDocument } from '../../src/ir/types.js';
import { checkExpectation } from '../../src/testing/suite.js';
import type { CorpusCase, CorpusGroup } from './corpus.js';
import type { EngineAdapter, EngineAnswer } from './engines.js';

export const FIELDS = ['unexpressible', 'error', 'allowed', 'effect', 'policy', 'action', 'satisfiedBy', 'violations', 'messages', 'message'] as const;
export type Field = (typeof FIELDS)[number];

export interface Exception {
  engine: string;
  class: string;
  fields: Field[];
  reason: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, strings(k, out));
  return out;
}

/** The classes of case an exception can name: what about an input an engine cannot carry. */
export const CLASSES: Record<string, (input: unknown, ir: IRDocument) => boolean> = {
  /** Go strings hold UTF-8 only: a lone UTF-16 surrogate becomes U+FFFD on the way in. */
  'lone-surrogate': (input, ir) => [...strings(input), ...strings(ir)].some((s) => LONE_SURROGATE.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/gu, ''))),
  /** Go's json.Marshal escapes < > & U+2028 U+2029 where JSON.stringify does not. */
  'go-json-quoting': (input) => {
    const image = (input as { image?: unknown } | null)?.image;
    return typeof image === 'string' && /[<>&\u0000-\u001f\u2028\u2029]/u.test(image);
  },
  /** Not a decision input an admission controller can build: not an object, or image / now / signatures ill-typed or unreadable. */
  'malformed-input': (input) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return true;
    const { image, now, signatures } = input as Record<string, unknown>;
    return typeof image !== 'string' || image === '' || !Array.isArray(signatures) || !parseInstant(now);
  },
  /** `now` with a fraction of a second: Kyverno's clock reads whole seconds. */
  /** A readable `now` whose UTC reading falls outside years 1700–2200 (e.g. 2200-12-31T23:59:59-23:59). */
  'now-utc-out-of-range': (input) => {
    const i = parseInstant((input as { now?: unknown } | null)?.now);
    if (!i) return false;
    const year = new Date(i.s * 1000).getUTCFullYear();
    return year < 1700 || year > 2200;
  },
  /** A `null` entry among the signatures (the kernel never produces one; Kyverno's rules pass it over). */
  'null-signature': (input) => {
    const signatures = (input as { signatures?: unknown } | null)?.signatures;
    return Array.isArray(signatures) && signatures.includes(null);
  },
  /** Any case: for an engine that cannot decide some part of every document. */
  any: () => true,
  'sub-second-now': (input) => {
    const i = parseInstant((input as { now?: unknown } | null)?.now);
    return i !== null && i.n !== 0;
  },
};

export function loadExceptions(file = join(import.meta.dirname, 'exceptions.yaml')): Exception[] {
  const doc = parse(readFileSync(file, 'utf8')) as { exceptions?: Exception[] };
  const list = doc.exceptions ?? [];
  list.forEach((e, i) => {
    const where = `${file}: exceptions[${i}]`;
    if (!e.engine || !e.class || !Array.isArray(e.fields) || !e.reason) throw new Error(`${where} needs engine, class, fields and reason`);
    if (!CLASSES[e.class]) throw new Error(`${where}: unknown class "${e.class}" (known: ${Object.keys(CLASSES).join(', ')})`);
    for (const f of e.fields) if (!FIELDS.includes(f)) throw new Error(`${where}: unknown field "${f}"`);
  });
  return list;
}

export interface Mismatch {
  field: Field;
  detail: string;
}

const show = (v: unknown) => JSON.stringify(v);
/** JSON with object keys sorted: engines may order keys differently (OPA sorts them). */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
const pairs = (d: Partial<Decision>) => (d.violations ?? []).map((v) => (v.did ? `${v.code}(${v.did})` : v.code)).sort();

/** How one engine's answer differs from the native decision. */
export function compare(native: Decision, answer: EngineAnswer, adapter: EngineAdapter, input: unknown): Mismatch[] {
  if (answer.unexpressible) return [{ field: 'unexpressible', detail: answer.unexpressible }];
  if (answer.error !== undefined || !answer.decision) return [{ field: 'error', detail: answer.error ?? 'no answer' }];
  const d = answer.decision;
  const out: Mismatch[] = [];
  for (const k of ['allowed', 'effect', 'policy', 'action'] as const) {
    if (k in d && d[k] !== native[k]) out.push({ field: k, detail: `${show(d[k])} instead of ${show(native[k])}` });
  }
  if (d.satisfiedBy !== undefined && show(d.satisfiedBy) !== show(native.satisfiedBy)) {
    out.push({ field: 'satisfiedBy', detail: `${show(d.satisfiedBy)} instead of ${show(native.satisfiedBy)}` });
  }
  if (d.violations !== undefined) {
    if (show(pairs(d)) !== show(pairs(native))) out.push({ field: 'violations', detail: `${show(pairs(d))} instead of ${show(pairs(native))}` });
    else if (canonical(d.violations) !== canonical(native.violations)) out.push({ field: 'messages', detail: `${show(d.violations)} instead of ${show(native.violations)}` });
  }
  if (answer.message !== undefined && adapter.expectedMessage) {
    const want = adapter.expectedMessage(input, native);
    if (answer.message !== want) out.push({ field: 'message', detail: `${show(answer.message)} instead of ${show(want)}` });
  }
  return out;
}

export interface Report {
  cases: number;
  /** Per engine: cases decided exactly like native, and cases excused by an exception. */
  perEngine: Record<string, { agreed: number; excused: number }>;
  failures: string[];
  /** Exceptions whose class occurred but excused nothing (stale: remove them). */
  stale: Exception[];
  /** Exceptions whose class did not occur in this run. */
  unexercised: Exception[];
}

export async function runCorpus(groups: readonly CorpusGroup[], adapters: readonly EngineAdapter[], exceptions: readonly Exception[]): Promise<Report> {
  const nativeAdapter = adapters.find((a) => a.name === 'native');
  if (!nativeAdapter) throw new Error('the native engine is the reference: include it');
  const natives = await nativeAdapter.decide(groups);
  const report: Report = { cases: 0, perEngine: {}, failures: [], stale: [], unexercised: [] };
  const used = new Set<Exception>();
  const occurred = new Set<Exception>();

  groups.forEach((g, gi) =>
    g.cases.forEach((c, k) => {
      report.cases++;
      const d = natives[gi]![k]!.decision as Decision;
      if (c.expect) for (const p of checkExpectation(c.expect, d)) report.failures.push(`${c.id}: native: ${p}`);
    }),
  );

  for (const adapter of adapters) {
    if (adapter === nativeAdapter) continue;
    const counts = { agreed: 0, excused: 0 };
    report.perEngine[adapter.name] = counts;
    let answers: EngineAnswer[][];
    const t0 = performance.now();
    try {
      answers = await adapter.decide(groups);
      console.log(`conformance: ${adapter.name} decided in ${Math.round(performance.now() - t0)} ms`);
    } catch (err) {
      console.log(`conformance: ${adapter.name} failed: ${(err as Error).message.slice(0, 2000)}`);
      report.failures.push(`${adapter.name}: the engine failed: ${(err as Error).message.slice(0, 2000)}`);
      continue;
    }
    const mine = exceptions.filter((e) => e.engine === adapter.name);
    groups.forEach((g, gi) =>
      g.cases.forEach((c: CorpusCase, k) => {
        const native = natives[gi]![k]!.decision as Decision;
        const matching = mine.filter((e) => CLASSES[e.class]!(c.input, g.ir));
        for (const e of matching) occurred.add(e);
        const mismatches = compare(native, answers[gi]![k]!, adapter, c.input);
        if (mismatches.length === 0) {
          counts.agreed++;
          return;
        }
        let excused = true;
        for (const m of mismatches) {
          const e = matching.find((x) => x.fields.includes(m.field));
          if (e) used.add(e);
          else {
            excused = false;
            report.failures.push(`${adapter.name} on ${c.id}: ${m.field}: ${m.detail} — input ${show(c.input)?.slice(0, 600)}`);
          }
        }
        if (excused) counts.excused++;
      }),
    );
  }
  const tally = new Map<string, number>();
  for (const f of report.failures) {
    const key = /^(\S+) on [^:]*#?[^:]*: (\w+):/u.exec(f);
    const k = key ? `${key[1]} ${key[2]}` : f.slice(0, 80);
    tally.set(k, (tally.get(k) ?? 0) + 1);
  }
  if (tally.size > 0) console.log('conformance: differences by engine and field', JSON.stringify(Object.fromEntries(tally)));
  for (const e of exceptions) {
    if (!adapters.some((a) => a.name === e.engine)) continue;
    if (used.has(e)) continue;
    if (occurred.has(e)) report.stale.push(e);
    else report.unexercised.push(e);
  }
  return report;
}
