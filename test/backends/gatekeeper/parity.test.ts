// End to end through the template: for random policies and Pods, each constraint reports
// exactly the images whose native decision has its effect, with the native reasons.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constraintTemplate } from '../../../src/backends/gatekeeper/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { Decision } from '../../../src/ir/decision.js';
import { formatRfc3339Nano, parseRfc3339Ns } from '../../support/rego/builtins.js';
import { RegoProgram } from '../../support/rego/interpreter.js';
import { fromJSON, toJSON, type Value } from '../../support/rego/values.js';
import { arbDecisionInput, arbIRDocument } from '../../support/arbitraries.js';

interface Case {
  image: string;
  owner: unknown;
  signatures: unknown[];
}

/** Well-formed inputs with distinct images: one container each. */
const arbCases = fc
  .array(arbDecisionInput, { minLength: 1, maxLength: 6 })
  .map((inputs) => {
    const seen = new Set<string>();
    const cases: Case[] = [];
    for (const i of inputs as Record<string, unknown>[]) {
      if (!i || typeof i !== 'object' || typeof i.image !== 'string' || !Array.isArray(i.signatures)) continue;
      if (seen.has(i.image)) continue;
      seen.add(i.image);
      cases.push({ image: i.image, owner: i.owner, signatures: i.signatures });
    }
    return cases;
  })
  .filter((cases) => cases.length > 0);

const NOW_NS = parseRfc3339Ns('2026-11-25T12:00:00.5Z')!;

describe('Gatekeeper template parity with the native engine', () => {
  it('reports each image under the constraint of its decision effect', () => {
    fc.assert(
      fc.property(arbIRDocument, arbCases, (ir, cases) => {
        const target = (constraintTemplate(ir) as any).spec.targets[0].code[0].source;
        const program = new RegoProgram([target.rego, ...target.libs]);
        const review = {
          kind: { kind: 'Pod' },
          object: { spec: { containers: cases.map((c, i) => ({ name: `c${i}`, image: c.image })) } },
        };
        const byImage = new Map(cases.map((c) => [c.image, c]));
        const builtins = {
          'time.now_ns': () => NOW_NS,
          external_data: ([request]: Value[]) => {
            const keys = (toJSON(request!) as { keys: string[] }).keys;
            return fromJSON({
              responses: keys.map((k) => [k, { image: k, digest: '', owner: byImage.get(k)!.owner ?? '', signatures: byImage.get(k)!.signatures }]),
              errors: [],
              system_error: '',
              status_code: 200,
            });
          },
        };
        const native = new Map<string, Decision>(
          cases.map((c) => [c.image, evaluate(ir, { image: c.image, owner: c.owner ?? '', now: formatRfc3339Nano(NOW_NS), signatures: c.signatures })]),
        );
        for (const effect of ['deny', 'audit', 'warn']) {
          const violations = program.evaluate('data.atcr.gatekeeper.violation', { review, parameters: { effect } }, { builtins }) as {
            msg: string;
            details: { image: string; decision: Decision };
          }[];
          const expected = cases.filter((c) => native.get(c.image)!.effect === effect).map((c) => c.image).sort();
          expect(violations.map((v) => v.details.image).sort(), effect).toEqual(expected);
          for (const v of violations) {
            expect(v.details.decision.violations.map((x) => x.code)).toEqual(native.get(v.details.image)!.violations.map((x) => x.code));
            for (const reason of native.get(v.details.image)!.violations) {
              if (reason.code !== 'invalid-image') expect(v.msg).toContain(reason.message);
            }
          }
        }
      }),
      { numRuns: Number(process.env.PARITY_RUNS ?? 40) },
    );
  });
});
