// The generated Rego, run by the test interpreter, decides exactly like the native engine
// (src/engine) on random IR documents and inputs: same decision, messages included.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regoModule } from '../../../src/backends/rego/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { RegoProgram } from '../../support/rego/interpreter.js';
import { decisionInput, irDocument } from './arbitraries.js';
import { arbDecisionInput, arbIRDocument } from '../../support/arbitraries.js';
import { productionDoc } from './fixtures.js';
import { withoutQuotingDifferences } from './compare.js';

const programs = new WeakMap<object, RegoProgram>();
function regoDecision(ir: IRDocument, input: unknown): unknown {
  let p = programs.get(ir);
  if (!p) {
    p = new RegoProgram([regoModule(ir)]);
    programs.set(ir, p);
  }
  return withoutQuotingDifferences(p.evaluate('data.atcr.trust.decision', input), input);
}

/** The native decision as JSON, without absent optional fields. */
function nativeDecision(ir: IRDocument, input: unknown): unknown {
  return withoutQuotingDifferences(JSON.parse(JSON.stringify(evaluate(ir, input))), input);
}

/** Rego and native agree on every input of every generated document. */
function assertParity(documents: fc.Arbitrary<IRDocument>, inputs: fc.Arbitrary<unknown>): void {
  fc.assert(
    fc.property(documents, fc.array(inputs, { minLength: 1, maxLength: 5 }), (ir, batch) => {
      for (const input of batch) {
        expect(regoDecision(ir, input), JSON.stringify(input)).toEqual(nativeDecision(ir, input));
      }
    }),
    { numRuns: Number(process.env.PARITY_RUNS ?? 150) },
  );
}

describe('Rego parity with the native engine', () => {
  it('agrees on random documents and inputs', () => {
    assertParity(irDocument, decisionInput);
  });

  it('agrees on the project-wide generators (test/support/arbitraries.ts)', () => {
    assertParity(arbIRDocument, arbDecisionInput);
  });

  it('agrees on the production example for many inputs', () => {
    fc.assert(
      fc.property(decisionInput, (input) => {
        expect(regoDecision(productionDoc, input)).toEqual(nativeDecision(productionDoc, input));
      }),
      { numRuns: 400 },
    );
  });
});
