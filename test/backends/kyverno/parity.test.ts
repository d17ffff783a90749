// Property: for random trust policies (through the real front end) and random inputs, the
// compiled ClusterPolicy run by the model of Kyverno decides like the native engine on
// allowed, effect, the governing policy and the distinct qualifying signers.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../../../src/backends/artifact.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { arbDecisionInput, arbIRDocument } from '../../support/arbitraries.js';
import { type KyvernoInput, clusterPolicies, irFromYaml, kyvernoClock, outcomeOf, runKyverno, unreported } from './harness.js';

const GLOBS = [
  'atcr.io/*/*',
  'atcr.io/alice/*',
  'atcr.io/**',
  'atcr.io/alice/app:v*',
  'atcr.io/?lice/app',
  'docker.io/library/*',
  '*/alice/**',
  '**',
];
const WHENS = [
  'image.tag != "latest"',
  'image.namespace in ["alice", "bob"]',
  'image.digest == ""',
  'owner startsWith "did:plc:a"',
  '"did:plc:alice" startsWith owner and "x" endsWith owner', // true for an empty owner, as in Go
  'image.name matches "atcr.io/**"',
  'not (image.tag endsWith "-rc") and image.registry != "quay.io"',
  'image.repository == owner or 1.5 >= 2',
];
const EXPRS = [
  'signature.age < 2d',
  'signature.pds startsWith "https://pds.a"',
  'signature.handle endsWith ".example" or signature.did == owner',
  'signature.algorithm in ["ES256K", "ES256"]',
  'signature.age >= 1h and signature.age != 1d',
  '(1d <= signature.age) == (image.tag == "v1")',
  'signature.did == "did:plc:alice" or not (signature.age > 30m)',
  '[image.namespace, signature.handle] == ["alice", "alice.example"]',
  'signature.age <= 1d or signature.age == 30d',
];
const DIDS = ['did:plc:alice', 'did:plc:bob', 'did:plc:carol'];

const policyArb = (i: number) =>
  fc.record({
    scopes: fc.uniqueArray(fc.constantFrom(...GLOBS), { minLength: 1, maxLength: 2 }),
    when: fc.option(fc.constantFrom(...WHENS), { nil: undefined }),
    signature: fc.constantFrom(true, true, true, false),
    trusted: fc.subarray([...DIDS, 'owner']),
    min: fc.integer({ min: 1, max: 3 }),
    maxAge: fc.option(fc.constantFrom('1h', '1d', '30d'), { nil: undefined }),
    expr: fc.option(fc.constantFrom(...EXPRS), { nil: undefined }),
    action: fc.constantFrom('enforce', 'audit', 'warn'),
  }).map(
    (p) => `  - name: p${i}
    scope: ${JSON.stringify(p.scopes)}
${p.when ? `    when: ${JSON.stringify(p.when)}\n` : ''}    require:
      signature: ${p.signature}
      trustedDIDs: ${JSON.stringify(p.trusted)}
      minSignatures: ${p.min}
${p.maxAge ? `      maxAge: ${p.maxAge}\n` : ''}${p.expr ? `      expr: ${JSON.stringify(p.expr)}\n` : ''}    action: ${p.action}
`,
  );

const documentArb = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('deny', 'allow', 'audit'))
  .chain(([n, unmatched]) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(i))).map(
      (ps) => `version: 1\nunmatched: ${unmatched}\npolicies:\n${ps.join('')}`,
    ),
  );

const NOW_MS = Date.UTC(2026, 10, 25, 12, 0, 0);
const NOW = '2026-11-25T12:00:00Z';

const two = (n: number) => String(n).padStart(2, '0');

/** now + seconds (+ nanoseconds), written in the given UTC offset (minutes). */
function rfc3339(seconds: number, nanos: number, offsetMin: number): string {
  const local = new Date(NOW_MS + (seconds + offsetMin * 60) * 1000).toISOString().slice(0, 19);
  const frac = nanos > 0 ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : '';
  const off = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offsetMin) / 60))}:${two(Math.abs(offsetMin) % 60)}`;
  return local + frac + off;
}

const D = 86_400;
const signedAtArb = fc.oneof(
  { weight: 8, arbitrary: fc
    .tuple(
      fc.constantFrom(-31 * D, -30 * D, -2 * D - 1, -2 * D, -D - 1, -D, -3600, -1800, -1, 0, 299, 300, 301, 7200),
      fc.constantFrom(0, 0, 1, 999_999_999, 500_000_000),
      fc.constantFrom(0, 0, 330, -300, -1439),
    )
    .map(([s, n, o]) => rfc3339(s, n, o)) },
  { weight: 1, arbitrary: fc.constantFrom('2026-02-29T00:00:00Z', '2026-11-25 12:00:00Z', '2026-11-25T12:00:00z', '1699-12-31T23:59:59Z', '', 42) },
);

const signatureArb = fc.oneof(
  { weight: 10, arbitrary: fc.record(
    {
      valid: fc.constantFrom<unknown>(true, true, true, true, true, false, 'true'),
      did: fc.constantFrom<unknown>(...DIDS, ...DIDS, 'did:plc:mallory', '', 7),
      signedAt: signedAtArb,
      handle: fc.constantFrom('alice.example', 'bob.test', ''),
      pds: fc.constantFrom('https://pds.a.example', 'https://pds.b.example'),
      algorithm: fc.constantFrom('ES256K', 'ES256', 'EdDSA'),
      error: fc.constantFrom({ code: 'record-digest-mismatch', message: 'x' }, { code: 5 }, 'oops'),
    },
    { requiredKeys: ['valid', 'did'] },
  ) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'sig', 3) },
);

const inputArb: fc.Arbitrary<KyvernoInput> = fc.record({
  image: fc.constantFrom(
    'atcr.io/alice/app:v1',
    'atcr.io/alice/app:latest',
    'atcr.io/bob/app-rc:1-rc',
    `atcr.io/alice/app@sha256:${'c'.repeat(64)}`,
    'nginx',
    'docker.io/library/redis:7',
    'quay.io/alice/y:1',
    'Bad Ref',
    'atcr.io/a/b/c:1',
    'localhost:5000/alice/app',
  ),
  owner: fc.constantFrom<unknown>('', 'did:plc:alice', 'did:plc:bob', undefined, 42),
  now: fc.constant(NOW),
  signatures: fc.array(signatureArb, { maxLength: 4 }),
});

function expectParity(ir: IRDocument, input: KyvernoInput, kyvernoNow = input.now): void {
  const native = evaluate(ir, input);
  const kyverno = outcomeOf(ir, runKyverno(ir, { ...input, now: kyvernoNow }));
  expect({ allowed: kyverno.allowed, effect: kyverno.effect }).toEqual({ allowed: native.allowed, effect: native.effect });
  if (kyverno.policy !== undefined) expect(kyverno.policy).toBe(native.policy);
  else expect(native.policy === null || unreported(ir, native)).toBe(true);
  if (kyverno.satisfiedBy) expect(kyverno.satisfiedBy).toEqual(native.satisfiedBy);
}

describe('kyverno parity with the native engine', () => {
  it('decides like the native engine on random policies (through the front end) and inputs', () => {
    fc.assert(
      fc.property(documentArb, fc.array(inputArb, { minLength: 1, maxLength: 8 }), (yaml, inputs) => {
        const ir = irFromYaml(yaml);
        for (const input of inputs) expectParity(ir, input);
      }),
      { numRuns: 100 },
    );
  });

  it('decides like the native engine on random IR documents and decision inputs', () => {
    let compared = 0;
    fc.assert(
      fc.property(arbIRDocument, fc.array(arbDecisionInput, { minLength: 1, maxLength: 6 }), (ir, inputs) => {
        try {
          clusterPolicies(ir);
        } catch (err) {
          // Only a CompileError naming a policy may stop compilation.
          expect(err).toBeInstanceOf(CompileError);
          expect(ir.policies.map((p) => p.name)).toContain((err as CompileError).policy);
          return;
        }
        for (const input of inputs) {
          const clock = kyvernoClock(input);
          if (clock === null) continue;
          expectParity(ir, input as KyvernoInput, clock);
          compared++;
        }
      }),
      { numRuns: 300 },
    );
    // Not vacuous: most generated pairs compile and carry a usable clock.
    expect(compared).toBeGreaterThan(100);
  });
});
