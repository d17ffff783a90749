// The wasm module against the native engine on random (IR, input) pairs: same allowed,
// effect, policy, action, satisfiedBy and multiset of (code, did) violations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWasmEngine } from '../../../src/backends/wasm/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import { VIOLATION_CODES, type Decision } from '../../../src/ir/decision.js';
import { arbDecisionInput, arbIRDocument } from '../../support/arbitraries.js';

function comparable(d: Decision) {
  return {
    allowed: d.allowed,
    effect: d.effect,
    policy: d.policy,
    action: d.action,
    satisfiedBy: d.satisfiedBy,
    violations: d.violations.map((v) => `${v.code} ${JSON.stringify(v.did ?? null)}`).sort(),
  };
}

const DOCUMENTS = 500;
const INPUTS_PER_DOCUMENT = 20;

describe('wasm ↔ native parity', () => {
  it(`agrees on ${DOCUMENTS * INPUTS_PER_DOCUMENT} random (IR, input) pairs`, async () => {
    let pairs = 0;
    let matched = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        arbIRDocument,
        fc.array(arbDecisionInput, { minLength: INPUTS_PER_DOCUMENT, maxLength: INPUTS_PER_DOCUMENT }),
        async (ir, inputs) => {
          const engine = await loadWasmEngine(ir);
          for (const input of inputs) {
            pairs++;
            const native = evaluate(ir, input);
            expect(comparable(engine.evaluate(input))).toEqual(comparable(native));
            seen.add(native.effect);
            if (native.policy !== null) matched++;
            for (const v of native.violations) seen.add(v.code);
          }
        },
      ),
      { numRuns: DOCUMENTS },
    );
    expect(pairs).toBeGreaterThanOrEqual(10_000);
    // The generators must reach every outcome, or agreement would say little.
    for (const outcome of [...VIOLATION_CODES, 'allow', 'deny', 'audit', 'warn']) expect(seen).toContain(outcome);
    // About 23% of pairs reach a policy (sd 1.5% over 40 runs of 10,000); 15% is five sd
    // below, so only a real loss of coverage fails this.
    expect(matched / pairs).toBeGreaterThan(0.15);
  }, 300_000);

  it('gives the same messages as the native engine', async () => {
    await fc.assert(
      fc.asyncProperty(arbIRDocument, fc.array(arbDecisionInput, { minLength: 5, maxLength: 5 }), async (ir, inputs) => {
        const engine = await loadWasmEngine(ir);
        for (const input of inputs) expect(engine.evaluate(input)).toEqual(evaluate(ir, input));
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
