// `opa check --strict` accepts the generated modules and the Gatekeeper template, and the
// template runs in real OPA like in the test interpreter with a mocked provider. Decisions
// of real OPA against the native engine: test/conformance/corpus.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constraintTemplate } from '../../src/backends/gatekeeper/index.js';
import { regoModule } from '../../src/backends/rego/index.js';
import { RegoProgram } from '../support/rego/interpreter.js';
import { fromJSON, type Value } from '../support/rego/values.js';
import { parseRfc3339Ns } from '../support/rego/builtins.js';
import { emptyDoc, expressionsDoc, productionDoc } from '../backends/rego/fixtures.js';
import { arbDecisionInput, arbIRDocument } from '../support/arbitraries.js';
import { gatekeeperCapabilities, opaCheck, opaEval, requireOpa, tempDir, writeFiles } from './opa.js';

const RUNS = Number(process.env.OPA_PARITY_RUNS ?? 60);

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

  // OPA against the native engine on random documents: test/conformance/corpus.test.ts
  // (every engine, one exceptions file for what Go strings cannot carry).

  it('runs the Gatekeeper template like the interpreter, with a mocked provider', () => {
    const NOW_NS = parseRfc3339Ns('2026-11-25T12:00:00.5Z')!;
    const MOCK = `package atcr.gkparity

import rego.v1

mock_external_data(_) := input.provider_response

# The input is Gatekeeper's (review, parameters) plus the provider's answer to replay.
results := r if {
	r := data.atcr.gatekeeper.violation with external_data as mock_external_data
		with time.now_ns as ${NOW_NS}
}
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
