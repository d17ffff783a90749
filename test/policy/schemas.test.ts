// The JSON Schemas in schemas/ are valid draft 2020-12 schemas. The loader compiles them
// without checking them against the meta-schema (start-up time), so this is where a broken
// schema is caught.

import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../schemas/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));

describe('schemas/ against the 2020-12 meta-schema', () => {
  it('finds the schemas', () => {
    expect(files).toEqual(expect.arrayContaining(['trust-policy.schema.json', 'policy-test.schema.json', 'ir.schema.json']));
  });

  for (const file of files) {
    it(`${file} is a valid schema`, () => {
      const schema = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as object;
      const ajv = new Ajv2020({ strict: false });
      const ok = ajv.validateSchema(schema);
      expect(ajv.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('a schema with a wrong keyword type is refused by the same check', () => {
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validateSchema({ type: 'object', properties: { a: { minLength: 'two' } } })).toBe(false);
  });
});
