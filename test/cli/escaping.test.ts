// JSON that the CLI prints never carries raw terminal controls or bidi overrides from its
// input, and stays valid JSON with the same values.
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli } from './run.js';

beforeAll(assertBuilt);

const hostile = 'did:plc:x\u202eevil\u0085\u2028';
const input = {
  image: 'atcr.io/acme/prod-api:1.4',
  now: '2026-11-25T12:00:00Z',
  signatures: [{ valid: false, did: hostile, error: { code: 'c\u009b31m', message: 'm' } }],
};

describe('escaped JSON output', () => {
  it.each([
    ['a single decision', input],
    ['a batch', [input, input]],
  ])('policy eval, %s', async (_, data) => {
    const r = await cli(['policy', 'eval', 'policies/production.yaml', '--input', '-'], JSON.stringify(data));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    const parsed = JSON.parse(r.stdout) as unknown;
    const decisions = (Array.isArray(parsed) ? parsed : [parsed]) as { violations: { did?: string; cause?: string }[] }[];
    for (const d of decisions) {
      expect(d.violations.find((v) => v.did === hostile)?.cause).toBe('c\u009b31m');
    }
  });
});
