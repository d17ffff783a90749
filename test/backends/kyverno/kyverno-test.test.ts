// `kyverno test` suites for the shipped trust policies (policies/*.yaml), run by the real
// Kyverno CLI. Every case of policies/*.test.yaml becomes a kyverno-test.yaml: the compiled
// ClusterPolicy with its default service URL, the case's image in a Pod, and
// `apiCallResponses` (Kyverno ≥ 1.19) answering the facts call with what the service's
// Kyverno endpoint answers for the case's facts (src/serve/wire/kyverno.ts). The expected
// result of every rule is derived from the native decision: Kyverno must pass, fail or not
// apply each rule exactly as that decision says.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileKyverno, DEFAULT_SERVICE_URL, FACTS_PATH } from '../../../src/backends/kyverno/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { Decision } from '../../../src/ir/decision.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { factsResponse } from '../../../src/serve/wire/kyverno.js';
import type { FactsResult } from '../../../src/serve/facts.js';
import { suiteGroups } from '../../conformance/corpus.js';
import { kyvernoClock } from './harness.js';
import { NOW_ANNOTATION, pinClock, type PolicyDoc, runKyvernoCli } from './kyverno-cli.js';

interface TestResult {
  policy: string;
  rule: string;
  kind: string;
  resources: string[];
  result: 'pass' | 'fail';
}

/**
 * What each rule must report for the native decision. A rule whose foreach preconditions
 * hold for no container reports nothing (Kyverno drops it, validate_resource.go
 * validateForEach returns nil), so it is not listed.
 */
export function expectedRuleResults(ir: IRDocument, policies: PolicyDoc[], d: Decision): { policy: string; rule: string; result: 'pass' | 'fail' }[] {
  const invalid = d.violations.some((v) => v.code === 'invalid-image');
  const out: { policy: string; rule: string; result: 'pass' | 'fail' }[] = [];
  for (const p of policies) {
    for (const { name } of p.spec.rules) {
      const add = (result: 'pass' | 'fail') => out.push({ policy: p.metadata.name, rule: name, result });
      if (name === 'invalid-image') add(invalid ? 'fail' : 'pass');
      else if (invalid) continue;
      else if (name === 'unmatched') add(d.policy === null ? 'fail' : 'pass');
      else {
        const action = name.replace(/^policies-/u, '');
        const governed = ir.policies.some((q) => q.name === d.policy && q.action === action && q.require.signature);
        if (governed) add(d.effect === 'allow' ? 'pass' : 'fail');
      }
    }
  }
  return out;
}

/** The service's answer for one image whose verification produced these facts. */
function serviceAnswer(image: string, input: { owner?: unknown; signatures: unknown[] }): unknown {
  const facts = { digest: '', owner: typeof input.owner === 'string' ? input.owner : '', signatures: input.signatures, verified: false, unavailable: false, offline: false, notes: [], pinned: '' };
  return factsResponse([image], [{ ok: true, facts } as unknown as FactsResult]);
}

describe('kyverno test on the shipped policies', () => {
  it('every case of policies/*.test.yaml passes, fails or skips each rule as the native decision says', async () => {
    const root = mkdtempSync(join(tmpdir(), 'atcr-kyverno-test-'));
    let expected = 0;
    const suites = await suiteGroups();
    expect(suites.length).toBeGreaterThanOrEqual(5);
    for (const [si, g] of suites.entries()) {
      const policies = pinClock(parseAllDocuments(compileKyverno(g.ir)[0]!.content as string).map((d) => d.toJS() as PolicyDoc));
      g.cases.forEach((c, k) => {
        const input = c.input as { image: string; owner?: unknown; now: string; signatures: unknown[] };
        const now = kyvernoClock(input);
        expect(now, `${c.id}: a case Kyverno can meet`).not.toBeNull();
        const dir = join(root, `s${si}`, `c${k}`);
        mkdirSync(dir, { recursive: true });
        const name = `case-${k}`;
        writeFileSync(join(dir, 'policy.yaml'), policies.map((p) => JSON.stringify(p)).join('\n---\n') + '\n');
        writeFileSync(
          join(dir, 'resource.yaml'),
          JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', annotations: { [NOW_ANNOTATION]: now } }, spec: { containers: [{ name: 'app', image: input.image }] } }),
        );
        const decision = evaluate(g.ir, input);
        const results: TestResult[] = expectedRuleResults(g.ir, policies, decision).map((r) => ({ ...r, kind: 'Pod', resources: [name] }));
        expected += results.length;
        const test = {
          apiVersion: 'cli.kyverno.io/v1alpha1',
          kind: 'Test',
          metadata: { name: `${c.id}`.replace(/[^a-z0-9]+/giu, '-').toLowerCase().slice(0, 60) },
          policies: ['policy.yaml'],
          resources: ['resource.yaml'],
          apiCallResponses: [{ url: `${DEFAULT_SERVICE_URL}${FACTS_PATH}`, method: 'POST', response: { statusCode: 200, body: serviceAnswer(input.image, input) } }],
          results,
        };
        writeFileSync(join(dir, 'kyverno-test.yaml'), JSON.stringify(test, null, 1));
      });
    }
    const run = await runKyvernoCli(['test', root, '--remove-color', '--detailed-results'], { timeoutMs: 120_000 }).finally(() => rmSync(root, { recursive: true, force: true }));
    const summary = /Test Summary: (\d+) tests passed and (\d+) tests failed/u.exec(run.stdout);
    expect(summary, `${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`).not.toBeNull();
    expect({ passed: Number(summary![1]), failed: Number(summary![2]) }, run.stdout.slice(-8000)).toEqual({ passed: expected, failed: 0 });
    expect(run.code).toBe(0);
  }, 180_000);
});
