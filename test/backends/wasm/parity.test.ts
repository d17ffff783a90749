// The wasm module against the native engine on random (IR, input) pairs: same allowed,
// effect, policy, action, satisfiedBy and multiset of (code, did) violations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWasmEngine } from '../../../src/backends/wasm/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { Decision } from '../../../src/ir/decision.js';
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
    await fc.assert(
      fc.asyncProperty(
        arbIRDocument,
        fc.array(arbDecisionInput, { minLength: INPUTS_PER_DOCUMENT, maxLength: INPUTS_PER_DOCUMENT }),
        async (ir, inputs) => {
          const engine = await loadWasmEngine(ir);
          for (const input of inputs) {
            pairs++;
            expect(comparable(engine.evaluate(input))).toEqual(comparable(evaluate(ir, input)));
          }
        },
      ),
      { numRuns: DOCUMENTS },
    );
    expect(pairs).toBeGreaterThanOrEqual(10_000);
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
