// The generated Rego in real OPA decides exactly like the native engine and like the
// test interpreter (which the normal suite relies on), on random documents and inputs.
// Also: `opa check --strict` accepts every generated module and the Gatekeeper template.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constraintTemplate } from '../../src/backends/gatekeeper/index.js';
import { regoModule } from '../../src/backends/rego/index.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { IRDocument } from '../../src/ir/types.js';
import { RegoProgram } from '../support/rego/interpreter.js';
import { fromJSON, type Value } from '../support/rego/values.js';
import { parseRfc3339Ns } from '../support/rego/builtins.js';
import { decisionInput, irDocument } from '../backends/rego/arbitraries.js';
import { emptyDoc, expressionsDoc, productionDoc } from '../backends/rego/fixtures.js';
import { withoutQuotingDifferences } from '../backends/rego/compare.js';
import { arbDecisionInput, arbIRDocument } from '../support/arbitraries.js';
import { gatekeeperCapabilities, opaCheck, opaEval, requireOpa, tempDir, writeFiles } from './opa.js';

const RUNS = Number(process.env.OPA_PARITY_RUNS ?? 60);

/** Evaluates every input in one `opa eval`; an index missing from the result is undefined. */
const BATCH = `package atcr.parity

import rego.v1

results := {format_int(i, 10): d |
	some i, case in input.cases
	d := data.atcr.trust.decision with input as case
}
`;

function opaDecisions(ir: IRDocument, inputs: unknown[]): unknown[] {
  const dir = tempDir();
  const files = writeFiles(dir, { 'policy.rego': regoModule(ir), 'batch.rego': BATCH });
  const results = (opaEval(files, { cases: inputs }, 'data.atcr.parity.results') ?? {}) as Record<string, unknown>;
  return inputs.map((_, i) => results[String(i)]);
}

describe('generated Rego in real OPA', () => {
  it('finds opa', () => {
    expect(requireOpa()).toMatch(/Version/u);
  });

  it('passes opa check --strict (policy module, Gatekeeper template and library)', () => {
    const dir = tempDir();
    for (const [i, ir] of [productionDoc, expressionsDoc, emptyDoc].entries()) {
      opaCheck(writeFiles(dir, { [`policy${i}.rego`]: regoModule(ir) }));
      const target = (constraintTemplate(ir) as any).spec.targets[0].code[0].source;
      const files = writeFiles(dir, { [`template${i}.rego`]: target.rego, [`lib${i}.rego`]: target.libs[0] });
      opaCheck(files, ['--capabilities', gatekeeperCapabilities(dir)]);
    }
  });

  it('agrees with the native engine and the test interpreter', () => {
    fc.assert(
      fc.property(irDocument, fc.array(decisionInput, { minLength: 1, maxLength: 40 }), (ir, inputs) => {
        const fromOpa = opaDecisions(ir, inputs);
        const interpreter = new RegoProgram([regoModule(ir)]);
        inputs.forEach((input, i) => {
          // The interpreter must match OPA exactly, messages included.
          expect(interpreter.evaluate('data.atcr.trust.decision', input), 'interpreter vs OPA').toEqual(fromOpa[i]);
          const native = withoutQuotingDifferences(JSON.parse(JSON.stringify(evaluate(ir, input))), input);
          expect(withoutQuotingDifferences(fromOpa[i], input), `OPA vs native for ${JSON.stringify(input)}`).toEqual(native);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with the native engine on the project-wide generators', () => {
    fc.assert(
      fc.property(arbIRDocument, fc.array(arbDecisionInput, { minLength: 1, maxLength: 40 }), (ir, inputs) => {
        const fromOpa = opaDecisions(ir, inputs);
        inputs.forEach((input, i) => {
          const native = withoutQuotingDifferences(JSON.parse(JSON.stringify(evaluate(ir, input))), input);
          expect(withoutQuotingDifferences(fromOpa[i], input), `OPA vs native for ${JSON.stringify(input)}`).toEqual(native);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('runs the Gatekeeper template like the interpreter, with a mocked provider', () => {
    const NOW_NS = parseRfc3339Ns('2026-11-25T12:00:00.5Z')!;
    const MOCK = `package atcr.gkparity

import rego.v1

mock_external_data(_) := input.provider_response

# The input is Gatekeeper's (review, parameters) plus the provider's answer to replay.
results := data.atcr.gatekeeper.violation with external_data as mock_external_data
	with time.now_ns as ${NOW_NS}
`;
    fc.assert(
      fc.property(arbIRDocument, fc.array(arbDecisionInput, { minLength: 1, maxLength: 4 }), fc.constantFrom('deny', 'audit', 'warn'), (ir, inputs, effect) => {
        const cases = (inputs as Record<string, unknown>[]).filter((i) => i && typeof i === 'object' && typeof i.image === 'string' && Array.isArray(i.signatures));
        const images = [...new Set(cases.map((c) => c.image as string))].sort();
        const answer = (k: string) => {
          const c = cases.find((x) => x.image === k)!;
          return { image: k, digest: '', owner: c.owner ?? '', signatures: c.signatures };
        };
        const providerResponse = { responses: images.map((k) => [k, answer(k)]), errors: [], system_error: '', status_code: 200 };
        const gatekeeper = {
          review: { kind: { kind: 'Pod' }, object: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } } },
          parameters: { effect },
        };
        const target = (constraintTemplate(ir) as any).spec.targets[0].code[0].source;
        const dir = tempDir();
        const files = writeFiles(dir, { 'template.rego': target.rego, 'lib.rego': target.libs[0], 'mock.rego': MOCK });
        const fromOpa = (opaEval(files, { ...gatekeeper, provider_response: providerResponse }, 'data.atcr.gkparity.results', [
          '--capabilities',
          gatekeeperCapabilities(dir),
        ]) ?? []) as unknown[];
        const interpreter = new RegoProgram([target.rego, target.libs[0]]).evaluate('data.atcr.gatekeeper.violation', gatekeeper, {
          builtins: { 'time.now_ns': () => NOW_NS, external_data: (_: Value[]) => fromJSON(providerResponse) },
        });
        const key = (v: unknown) => JSON.stringify(v);
        expect([...fromOpa].map(key).sort()).toEqual([...(interpreter as unknown[])].map(key).sort());
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
    );
  });
});
