// Golden files: the generated module for a few IR documents, byte for byte.
// UPDATE_GOLDEN=1 rewrites them; review the diff like any other code change.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRego, regoModule } from '../../../src/backends/rego/index.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { emptyDoc, expressionsDoc, productionDoc } from './fixtures.js';

const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const cases: [string, IRDocument][] = [
  ['production', productionDoc],
  ['expressions', expressionsDoc],
  ['empty', emptyDoc],
];

describe('generated Rego matches the golden files', () => {
  for (const [name, ir] of cases) {
    it(name, () => {
      const file = join(GOLDEN_DIR, `${name}.rego`);
      const text = regoModule(ir);
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});

describe('compileRego', () => {
  it('writes the module and an OPA bundle rooted at atcr', () => {
    const artifacts = compileRego(productionDoc);
    expect(artifacts.map((a) => a.path)).toEqual(['policy.rego', 'bundle/.manifest', 'bundle/atcr/trust/policy.rego']);
    const manifest = JSON.parse(String(artifacts[1]!.content));
    expect(manifest.roots).toEqual(['atcr']);
    expect(artifacts[2]!.content).toBe(artifacts[0]!.content);
  });

  it('is deterministic and independent of IR key order', () => {
    const reordered = JSON.parse(JSON.stringify(productionDoc, Object.keys(productionDoc).reverse())) as IRDocument;
    const shuffled = reverseKeys(productionDoc) as IRDocument;
    expect(regoModule(productionDoc)).toBe(regoModule(structuredClone(productionDoc)));
    expect(regoModule(shuffled)).toBe(regoModule(productionDoc));
    expect(reordered).toBeDefined();
  });

  it('names the source file and its sha256 in the header', () => {
    const text = regoModule(productionDoc);
    expect(text).toContain(`from ${productionDoc.source.file}`);
    expect(text).toContain(productionDoc.source.sha256);
    expect(text).toMatch(/^package atcr\.trust$/mu);
  });
});

/** A deep copy with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}
