// fast-check generators of valid policy documents (as plain objects, written out as
// YAML) and of decision inputs that hit their scopes, DIDs, ages and conditions.

import fc from 'fast-check';

export const DIDS = ['did:plc:alice', 'did:plc:bob', 'did:plc:carol', 'did:web:ops.example', 'did:plc:Zed'] as const;
const OWNERS = ['did:plc:alice', 'did:plc:owner', ''] as const;

const SCOPES = [
  'atcr.io/**',
  'atcr.io/acme/**',
  'atcr.io/acme/*',
  'atcr.io/acme/prod-*',
  'atcr.io/*/prod-*',
  'atcr.io/acme/prod-api',
  'atcr.io/acme/*:v*',
  'atcr.io/acme/prod-?pi:latest',
  'docker.io/library/*',
  '**',
  '**/web',
] as const;

export const IMAGES = [
  'atcr.io/acme/prod-api:1.0',
  'atcr.io/acme/prod-api',
  'atcr.io/acme/prod-api:v2',
  'atcr.io/acme/web',
  'atcr.io/other/prod-db:3',
  `atcr.io/acme/prod-api@sha256:${'c'.repeat(64)}`,
  'nginx:1.25',
  'quay.io/x/web',
  'NOT A REF',
] as const;

const WHENS = ['image.tag != "latest"', 'owner != ""', 'image.namespace == "acme"', 'image.digest == "" or image.tag startsWith "v"'] as const;
const EXPRS = [
  'signature.pds startsWith "https://pds.acme"',
  'signature.age < 10d',
  'signature.algorithm in ["ES256K", "ES256"]',
  'signature.handle endsWith ".acme" or signature.did == owner',
] as const;
const AGES = ['1d', '7d', '30d', '12h', '1w1d'] as const;

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

/** Drops undefined fields so the YAML holds only what was chosen. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const requireArb = fc
  .record({
    signature: maybe(fc.boolean()),
    trustedDIDs: maybe(fc.subarray([...DIDS, 'owner'], { maxLength: 4 })),
    minSignatures: maybe(fc.integer({ min: 1, max: 3 })),
    maxAge: maybe(fc.constantFrom(...AGES)),
    expr: maybe(fc.constantFrom(...EXPRS)),
  })
  .map(clean);

export const defaultsArb = fc
  .record({
    require: maybe(requireArb),
    action: maybe(fc.constantFrom('enforce', 'audit', 'warn')),
    when: maybe(fc.constantFrom(...WHENS)),
  })
  .map(clean);

export interface PolicyObj {
  name: string;
  scope: string | string[];
  extends?: string;
  when?: string;
  require?: Record<string, unknown>;
  action?: string;
}

/** `count` policies named `${prefix}0…`, each maybe extending one of `parents` or an earlier one. */
export function policiesArb(prefix: string, parents: readonly string[] = [], min = 1, max = 4): fc.Arbitrary<PolicyObj[]> {
  return fc.integer({ min, max }).chain((count) =>
    fc.tuple(
      ...Array.from({ length: count }, (_, i) => {
        const earlier = [...parents, ...Array.from({ length: i }, (_, k) => `${prefix}${k}`)];
        return fc
          .record({
            scope: fc.oneof(fc.constantFrom(...SCOPES), fc.subarray([...SCOPES], { minLength: 1, maxLength: 3 })),
            extends: earlier.length > 0 ? maybe(fc.constantFrom(...earlier)) : fc.constant(undefined),
            when: maybe(fc.constantFrom(...WHENS)),
            require: maybe(requireArb),
            action: maybe(fc.constantFrom('enforce', 'audit', 'warn')),
          })
          .map((p) => clean({ name: `${prefix}${i}`, ...p }) as PolicyObj);
      }),
    ),
  );
}

export const documentArb = fc
  .record({
    defaults: maybe(defaultsArb),
    unmatched: maybe(fc.constantFrom('deny', 'allow', 'audit')),
    policies: policiesArb('p'),
  })
  .map((d) => clean({ version: 1, ...d }));

const NOW_S = Date.parse('2026-11-25T12:00:00Z') / 1000;

/** Signing times from 40 days back to 10 minutes ahead, sometimes with fractions and offsets. */
const signedAtArb = fc
  .tuple(fc.integer({ min: -40 * 86400, max: 600 }), fc.integer({ min: 0, max: 999 }), fc.constantFrom(0, 60, -300))
  .map(([delta, ms, offMin]) => {
    const t = new Date((NOW_S + delta) * 1000 + ms + offMin * 60_000);
    const iso = t.toISOString().slice(0, 19) + (ms ? `.${String(ms).padStart(3, '0')}` : '');
    if (offMin === 0) return `${iso}Z`;
    const a = Math.abs(offMin);
    return `${iso}${offMin > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  });

export const signatureArb = fc.oneof(
  { weight: 6, arbitrary: fc
    .record({
      did: fc.constantFrom(...DIDS),
      signedAt: signedAtArb,
      pds: fc.constantFrom('https://pds.acme.example', 'https://bsky.social', undefined),
      handle: fc.constantFrom('a.acme', 'b.example', undefined),
      algorithm: fc.constantFrom('ES256K', 'ES256', undefined),
    })
    .map((s) => clean({ valid: true, ...s })) },
  { weight: 1, arbitrary: fc.record({ valid: fc.constant(false), did: fc.constantFrom(...DIDS), error: fc.constant({ code: 'record-digest-mismatch', message: 'x' }) }) },
  { weight: 1, arbitrary: fc.record({ valid: fc.constant(true), did: fc.constantFrom(...DIDS), signedAt: fc.constantFrom('yesterday', '2026-02-30T00:00:00Z') }) },
);

export const inputArb = fc
  .record({
    image: fc.constantFrom(...IMAGES),
    owner: fc.constantFrom(...OWNERS, undefined),
    signatures: fc.array(signatureArb, { maxLength: 6 }),
  })
  .map((i) => clean({ ...i, now: '2026-11-25T12:00:00Z' }));
