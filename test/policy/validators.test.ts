// The validators `npm run build` compiles ahead of time (dist/validators/, loaded by the
// built CLI) report exactly what Ajv compiled at run time reports (the path under vitest):
// the same errors, in the same order, on the shipped policies and on damaged copies.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS, validatorStamp, type SchemaName } from '../../src/policy/schema.js';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url);

function validators(name: SchemaName): { ahead: ValidateFunction & { stamp?: string }; now: ValidateFunction; text: string } {
  const text = readFileSync(new URL(`schemas/${name}.schema.json`, root), 'utf8');
  const ahead = require(fileURLToPath(new URL(`dist/validators/${name}.validate.cjs`, root))) as ValidateFunction & { stamp?: string };
  return { ahead, now: new Ajv2020(AJV_OPTIONS).compile(JSON.parse(text)), text };
}

const outcome = (v: ValidateFunction, doc: unknown) => ({ ok: v(doc), errors: v.errors ?? null });

/** A document with one value somewhere replaced by a random JSON value. */
function damage(doc: unknown, path: readonly number[], value: unknown): unknown {
  if (path.length === 0 || doc === null || typeof doc !== 'object') return value;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(doc) ? [...doc] : { ...(doc as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return value;
  const key = keys[path[0]! % keys.length]!;
  (copy as Record<string, unknown>)[key] = damage((copy as Record<string, unknown>)[key], path.slice(1), value);
  return copy;
}

const SAMPLES: Record<SchemaName, string[]> = {
  'trust-policy': ['production', 'staging', 'org-baseline', 'third-party', 'critical-multisig'].map((p) => `policies/${p}.yaml`),
  'policy-test': ['production', 'staging', 'org-baseline', 'third-party', 'critical-multisig'].map((p) => `policies/${p}.test.yaml`),
};

describe.each(['trust-policy', 'policy-test'] as const)('the ahead-of-time %s validator', (name) => {
  const { ahead, now, text } = validators(name);
  const docs = SAMPLES[name].map((f) => parse(readFileSync(new URL(f, root), 'utf8')) as unknown);

  it('was built from the schema and options as they are now', () => {
    expect(ahead.stamp).toBe(validatorStamp(text));
  });

  it('accepts the shipped documents, as the run-time one does', () => {
    for (const d of docs) {
      expect(outcome(ahead, d)).toEqual(outcome(now, d));
      expect(ahead(d)).toBe(true);
    }
  });

  it('reports the same errors on damaged documents (property)', () => {
    fc.assert(
      fc.property(fc.nat(docs.length - 1), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), (k, path, value) => {
        const d = damage(docs[k], path, value);
        expect(outcome(ahead, d)).toEqual(outcome(now, d));
      }),
      { numRuns: 300 },
    );
  });
});
