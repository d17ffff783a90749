// The project's policy test suites (policies/*.test.yaml), replayed through the compiled
// ClusterPolicy: every case Kyverno can meet decides as the case expects.

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/engine/evaluate.js';
import { compileFile } from '../../../src/lower/pipeline.js';
import { findSuites, loadSuite } from '../../../src/testing/suite.js';
import { type KyvernoInput, kyvernoClock, outcomeOf, runKyverno } from './harness.js';

const suites = (await findSuites(['policies'])).files;

describe('kyverno on the policy test suites', () => {
  it('finds the suites', () => {
    expect(suites.length).toBeGreaterThan(0);
  });

  for (const file of suites) {
    it(file, async () => {
      const { suite } = await loadSuite(file);
      const { ir } = await compileFile(suite!.policyFile);
      let replayed = 0;
      for (const c of suite!.cases) {
        const clock = kyvernoClock(c.input);
        if (clock === null) continue;
        const got = outcomeOf(ir!, runKyverno(ir!, { ...(c.input as unknown as KyvernoInput), now: clock }));
        const native = evaluate(ir!, c.input);
        const want = c.expect;
        const where = `${file}: ${c.name}`;
        expect(got.effect, where).toBe(want.effect ?? native.effect);
        if (want.allowed !== undefined) expect(got.allowed, where).toBe(want.allowed);
        if (want.policy !== undefined && got.policy !== undefined) expect(got.policy, where).toBe(want.policy);
        if (want.satisfiedBy && got.satisfiedBy) expect(got.satisfiedBy, where).toEqual(want.satisfiedBy);
        replayed++;
      }
      expect(replayed).toBeGreaterThan(0);
    });
  }
});
