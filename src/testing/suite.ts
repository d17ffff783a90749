// Policy test suites (cli.md "Policy test suites"): loading with positions, and running
// every case on one or more engines. A disagreement between engines fails the case.

import { findFiles, type Walk } from '../fs/walk.js';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Decision } from '../ir/decision.js';
import { decisionDifferences } from '../ir/compare.js';
import { validateSchema } from '../policy/schema.js';
import { readSource } from '../policy/source.js';
import { parseYaml } from '../policy/yaml-tree.js';
import { displayPath } from '../policy/load.js';
import { parseInstant } from '../ir/time.js';

export interface Expectation {
  allowed?: boolean;
  effect?: string;
  policy?: string | null;
  action?: string | null;
  satisfiedBy?: string[];
  violations?: string[];
}

export interface TestCase {
  name: string;
  input: Record<string, unknown>;
  expect: Expectation;
  line: number;
}

export interface Suite {
  file: string;
  policyFile: string;
  cases: TestCase[];
}

export interface CaseResult {
  name: string;
  line: number;
  passed: boolean;
  /** Human-readable reasons: expectation mismatches and engine disagreements. */
  problems: string[];
  decision: Decision | null;
}

/** A test suite's file name: `*.test.yaml` (or `.yml`). */
export const isSuiteName = (name: string): boolean => /\.test\.ya?ml$/.test(name);

/** Suite files named by PATH arguments: files as given, directories searched for *.test.yaml (src/fs/walk.ts). */
export async function findSuites(paths: readonly string[]): Promise<Walk> {
  return findFiles(paths, isSuiteName);
}

export async function loadSuite(file: string): Promise<{ suite: Suite | null; diagnostics: Diagnostic[] }> {
  const shown = displayPath(path.resolve(file));
  const src = await readSource(file, shown);
  if ('unreadable' in src) return { suite: null, diagnostics: [{ file: shown, line: 1, column: 1, rule: 'schema', severity: 'error', message: src.unreadable }] };
  if ('diagnostic' in src) return { suite: null, diagnostics: [src.diagnostic] };
  const { tree, diagnostics } = parseYaml(shown, src.text);
  if (!tree) return { suite: null, diagnostics };
  if (tree.value === null || typeof tree.value !== 'object' || Array.isArray(tree.value)) {
    return { suite: null, diagnostics: [{ file: shown, line: 1, column: 1, rule: 'schema', severity: 'error', message: 'a test suite must be a mapping with `policy` and `cases`' }] };
  }
  const schemaErrors = validateSchema(tree, 'policy-test');
  if (schemaErrors.length > 0) return { suite: null, diagnostics: schemaErrors };
  const v = tree.value as { policy: string; now?: string; cases: { name: string; input: Record<string, unknown>; expect: Expectation }[] };
  // An unreadable default `now` would turn every case into a malformed-input decision.
  if (v.now !== undefined && !parseInstant(v.now)) {
    const at = tree.valueLoc.get('/now') ?? { file: shown, line: 1, column: 1 };
    return { suite: null, diagnostics: [{ ...at, rule: 'schema', severity: 'error', message: `\`now\` must be an RFC 3339 time such as 2026-11-25T12:00:00Z, not "${v.now}"` }] };
  }
  const cases = v.cases.map((c, i) => {
    const input = { ...c.input };
    if (input.now === undefined && v.now !== undefined) input.now = v.now;
    return { name: c.name, input, expect: c.expect, line: tree.valueLoc.get(`/cases/${i}`)?.line ?? 1 };
  });
  return { suite: { file: shown, policyFile: path.resolve(path.dirname(file), v.policy), cases }, diagnostics: [] };
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

/** Differences between what a case expects and what an engine decided. */
export function checkExpectation(expect: Expectation, d: Decision): string[] {
  const problems: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  if (expect.allowed !== undefined && expect.allowed !== d.allowed) problems.push(`allowed: expected ${show(expect.allowed)}, got ${show(d.allowed)}`);
  if (expect.effect !== undefined && expect.effect !== d.effect) problems.push(`effect: expected ${show(expect.effect)}, got ${show(d.effect)}`);
  if (expect.policy !== undefined && expect.policy !== d.policy) problems.push(`policy: expected ${show(expect.policy)}, got ${show(d.policy)}`);
  if (expect.action !== undefined && expect.action !== d.action) problems.push(`action: expected ${show(expect.action)}, got ${show(d.action)}`);
  if (expect.satisfiedBy !== undefined && show([...expect.satisfiedBy].sort()) !== show(d.satisfiedBy)) {
    problems.push(`satisfiedBy: expected ${show([...expect.satisfiedBy].sort())}, got ${show(d.satisfiedBy)}`);
  }
  if (expect.violations !== undefined) {
    const got = d.violations.map((v) => v.code);
    if (!sameMultiset(expect.violations, got)) problems.push(`violations: expected ${show([...expect.violations].sort())}, got ${show([...got].sort())}`);
  }
  return problems;
}

export interface NamedEvaluator {
  name: string;
  evaluate(input: unknown): Decision;
}

export function runCase(c: TestCase, engines: readonly NamedEvaluator[]): CaseResult {
  const problems: string[] = [];
  let first: Decision | null = null;
  // The engine that gave `first`: not engines[0] when that one failed.
  let firstName = '';
  for (const e of engines) {
    let d: Decision;
    try {
      d = e.evaluate(c.input);
    } catch (err) {
      problems.push(`${e.name}: engine failed: ${(err as Error).message}`);
      continue;
    }
    const tag = engines.length > 1 ? `${e.name}: ` : '';
    for (const p of checkExpectation(c.expect, d)) problems.push(tag + p);
    if (first === null) {
      first = d;
      firstName = e.name;
    } else for (const diff of decisionDifferences(first, d)) problems.push(`engines disagree (${firstName} vs ${e.name}) on ${diff}`);
  }
  return { name: c.name, line: c.line, passed: problems.length === 0, problems, decision: first };
}
