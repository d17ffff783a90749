// The shipped policies and their test suites (policies/*.test.yaml), decided by the
// generated Rego: every case's expectation holds.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { regoModule } from '../../../src/backends/rego/index.js';
import { compilePolicyFile } from '../../../src/lower/load.js';
import { RegoProgram } from '../../support/rego/interpreter.js';

const POLICIES = join(import.meta.dirname, '..', '..', '..', 'policies');

interface Suite {
  policy: string;
  now?: string;
  cases: { name: string; input: Record<string, unknown>; expect: Record<string, unknown> }[];
}

const suites = readdirSync(POLICIES).filter((f) => f.endsWith('.test.yaml')).sort();

describe('shipped policy suites through the generated Rego', () => {
  it('has suites to run', () => {
    expect(suites.length).toBeGreaterThan(0);
  });

  for (const file of suites) {
    it(file, async () => {
      const suite = parse(readFileSync(join(POLICIES, file), 'utf8')) as Suite;
      const { ir, diagnostics } = await compilePolicyFile(join(dirname(join(POLICIES, file)), suite.policy));
      expect(ir, JSON.stringify(diagnostics)).not.toBeNull();
      const program = new RegoProgram([regoModule(ir!)]);
      for (const c of suite.cases) {
        const input = { now: suite.now, ...c.input };
        const d = program.evaluate('data.atcr.trust.decision', input) as Record<string, unknown>;
        const e = c.expect;
        const where = `${file}: ${c.name}`;
        for (const key of ['allowed', 'effect', 'policy', 'satisfiedBy'] as const) {
          if (key in e) expect(d[key], `${where} (${key})`).toEqual(e[key]);
        }
        if ('violations' in e) {
          const codes = (d.violations as { code: string }[]).map((v) => v.code).sort();
          expect(codes, `${where} (violations)`).toEqual([...(e.violations as string[])].sort());
        }
      }
    });
  }
});
