// The committed example (examples/): its bundle verifies offline under its policy.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOutput, runCli } from './cli.js';

const image = readFileSync(new URL('../../examples/image.txt', import.meta.url), 'utf8').trim();
const args = ['verify', image, '--offline', '--bundle', 'examples/bundle.json', '--policy', 'examples/policy.yaml', '--output', 'json'];

describe('examples/', () => {
  it('names a stable atcr.io image, not a loopback registry of the day it was made', () => {
    expect(image).toBe('atcr.io/alice.test/hello:1.0');
    const bundle = JSON.parse(readFileSync(new URL('../../examples/bundle.json', import.meta.url), 'utf8')) as { image: { reference: string } };
    expect(bundle.image.reference).toBe(image);
  });

  it('the example bundle verifies offline and its policy allows the image', async () => {
    const run = await runCli([...args, '--now', '2026-12-10T00:00:00Z']);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run);
    expect(out.offline).toBe(true);
    expect(out.signatures.map((s) => s.valid)).toEqual([true, true]);
    expect(out.decision).toMatchObject({ allowed: true, effect: 'allow', policy: 'example' });
    // atcr.io puts the owner first: the bundle records how alice.test became her DID.
    expect(out.owner).toMatch(/^did:plc:/);
  });

  it('the same policy denies the image once its signatures are over a year old', async () => {
    const run = await runCli([...args, '--now', '2028-01-01T00:00:00Z']);
    expect(run.code).toBe(1);
    expect(parseOutput(run).decision!.violations.map((v) => v.code)).toContain('signature-expired');
  });
});
