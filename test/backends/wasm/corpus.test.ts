// The shipped policies and their suites (policies/*.test.yaml), decided by the compiled
// module beside the native engine: every expectation holds and the engines agree.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWasmEngine } from '../../../src/backends/wasm/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import { compilePolicyFile } from '../../../src/lower/load.js';
import { findSuites, loadSuite, runCase } from '../../../src/testing/suite.js';

const POLICIES = join(import.meta.dirname, '..', '..', '..', 'policies');

describe('shipped policy suites through the wasm module', async () => {
  const files = (await findSuites([POLICIES])).files;

  it('has suites to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file.slice(POLICIES.length + 1), async () => {
      const { suite, diagnostics } = await loadSuite(file);
      expect(suite, JSON.stringify(diagnostics)).not.toBeNull();
      const { ir } = await compilePolicyFile(suite!.policyFile);
      expect(ir).not.toBeNull();
      const wasm = await loadWasmEngine(ir!);
      const engines = [
        { name: 'native', evaluate: (i: unknown) => evaluate(ir!, i) },
        { name: 'wasm', evaluate: (i: unknown) => wasm.evaluate(i) },
      ];
      for (const c of suite!.cases) {
        const r = runCase(c, engines);
        expect(r.problems, `${file}: ${c.name}`).toEqual([]);
        expect(wasm.evaluate(c.input)).toEqual(evaluate(ir!, c.input));
      }
    });
  }
});
