// The IR JSON Schema describes what the front end really produces.
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../src/lower/pipeline.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/ir.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

describe('IR JSON Schema', () => {
  const files = readdirSync('policies').filter((f) => /^[a-z-]+\.yaml$/.test(f));
  it.each(files)('the IR of policies/%s validates and survives a JSON round trip', async (f) => {
    const c = await compileFile(`policies/${f}`);
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const json = JSON.parse(JSON.stringify(c.ir));
    expect(json).toEqual(c.ir);
    const ok = validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects an IR of another version', () => {
    expect(validate({ irVersion: 2, source: { file: 'x', sha256: '0'.repeat(64) }, unmatched: 'deny', policies: [] })).toBe(false);
  });
});
