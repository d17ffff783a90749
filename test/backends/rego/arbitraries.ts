// Random IR documents and decision inputs for the Rego parity test. Values come from
// small pools so scopes, DIDs and owners collide often enough to exercise every branch.

import fc from 'fast-check';
import type { Action, CompareOp, IRDocument, IRExpr, PathName, Unmatched } from '../../../src/ir/types.js';
import { document, type PolicySpec } from './fixtures.js';

const GLOBS = [
  '**',
  'atcr.io/**',
  'atcr.io/*/prod-*',
  'atcr.io/acme/*',
  'atcr.io/acme/app',
  'atcr.io/*/*:1.*',
  'atcr.io/acme/app:v?',
  'docker.io/library/*',
  'docker.io/**',
  'localhost:5000/**',
  '*/*/*',
  'reg.io/**/x',
];
const DIDS = ['did:plc:a', 'did:plc:b', 'did:plc:c', 'did:web:ü.example'];
const STRINGS = ['', 'acme', 'latest', 'v1', 'did:plc:a', 'https://pds.example.com', 'ES256K', 'app', 'ü'];

const str = (value: string): IRExpr => ({ kind: 'string', type: 'string', value });
const path = (p: PathName): IRExpr => ({ kind: 'path', type: p === 'signature.age' ? 'duration' : 'string', path: p });

function stringTerm(paths: PathName[]): fc.Arbitrary<IRExpr> {
  return fc.oneof(fc.constantFrom(...STRINGS).map(str), fc.constantFrom(...paths).map(path));
}

function boolExpr(paths: PathName[], withAge: boolean): fc.Arbitrary<IRExpr> {
  const s = stringTerm(paths);
  const leaf: fc.Arbitrary<IRExpr>[] = [
    fc.boolean().map((value): IRExpr => ({ kind: 'bool', type: 'bool', value })),
    fc.tuple(fc.constantFrom<CompareOp>('==', '!='), s, s).map(
      ([op, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op, operandType: 'string', left, right }),
    ),
    fc.tuple(s, fc.array(fc.constantFrom(...STRINGS).map(str), { maxLength: 3 })).map(
      ([left, items]): IRExpr => ({ kind: 'in', type: 'bool', left, right: { kind: 'list', type: 'list', items } }),
    ),
    fc.tuple(fc.constantFrom<'startsWith' | 'endsWith'>('startsWith', 'endsWith'), s, s).map(
      ([kind, left, right]): IRExpr => ({ kind, type: 'bool', left, right }),
    ),
    fc.tuple(s, fc.constantFrom(['v*', '^v[^/]*$'], ['a**', '^a[\\s\\S]*$'], ['?', '^[^/]$'])).map(
      ([left, [glob, regex]]): IRExpr => ({ kind: 'matches', type: 'bool', left, glob: glob!, regex: regex! }),
    ),
    fc.tuple(fc.constantFrom<CompareOp>('<', '<=', '>', '>=', '==', '!='), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e22, max: 1e22 }), fc.integer({ min: -3, max: 3 })).map(
      ([op, a, b]): IRExpr => ({
        kind: 'compare',
        type: 'bool',
        op,
        operandType: 'number',
        left: { kind: 'number', type: 'number', value: Object.is(a, -0) ? 0 : a },
        right: { kind: 'number', type: 'number', value: b },
      }),
    ),
  ];
  if (withAge) {
    leaf.push(
      fc.tuple(fc.constantFrom<CompareOp>('<', '<=', '>', '>=', '==', '!='), fc.constantFrom(0, 1, 3600, 86400, 2592000)).map(
        ([op, seconds]): IRExpr => ({
          kind: 'compare',
          type: 'bool',
          op,
          operandType: 'duration',
          left: path('signature.age'),
          right: { kind: 'duration', type: 'duration', seconds },
        }),
      ),
    );
  }
  const { tree } = fc.letrec<{ tree: IRExpr }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      ...leaf,
      fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((args): IRExpr => ({ kind: 'and', type: 'bool', args })),
      fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((args): IRExpr => ({ kind: 'or', type: 'bool', args })),
      tie('tree').map((arg): IRExpr => ({ kind: 'not', type: 'bool', arg })),
      fc.tuple(fc.constantFrom<CompareOp>('==', '!='), tie('tree'), tie('tree')).map(
        ([op, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op, operandType: 'bool', left, right }),
      ),
    ),
  }));
  return tree;
}

const IMAGE_PATHS: PathName[] = ['image.registry', 'image.repository', 'image.name', 'image.namespace', 'image.tag', 'image.digest', 'owner'];
const SIG_PATHS: PathName[] = [...IMAGE_PATHS, 'signature.did', 'signature.handle', 'signature.pds', 'signature.algorithm'];

const policySpec: fc.Arbitrary<Omit<PolicySpec, 'name'>> = fc.record({
  scopes: fc.uniqueArray(fc.constantFrom(...GLOBS), { minLength: 1, maxLength: 3 }),
  when: fc.option(boolExpr(IMAGE_PATHS, false), { freq: 2 }),
  action: fc.constantFrom<Action>('enforce', 'audit', 'warn'),
  require: fc.record({
    signature: fc.constant(true), // irDocument turns some off
    trustedDIDs: fc.uniqueArray(fc.constantFrom(...DIDS), { maxLength: 2 }).map((d) => [...d].sort()),
    trustOwner: fc.boolean(),
    minSignatures: fc.integer({ min: 1, max: 3 }),
    maxAgeSeconds: fc.option(fc.constantFrom(60, 3600, 86400, 2592000), { nil: null }),
    expr: fc.option(boolExpr(SIG_PATHS, true), { freq: 2, nil: null }),
  }),
});

export const irDocument: fc.Arbitrary<IRDocument> = fc
  .tuple(fc.array(policySpec, { maxLength: 4 }), fc.constantFrom<Unmatched>('deny', 'allow', 'audit'), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }))
  .map(([specs, unmatched, unsigned]) =>
    document(
      specs.map((s, i) => ({ ...s, name: `p${i}`, require: { ...s.require, signature: !unsigned[i] || i % 3 !== 0 } })),
      unmatched,
    ),
  );

const IMAGES = [
  'atcr.io/acme/app',
  'atcr.io/acme/app:v1',
  'atcr.io/acme/app:1.2',
  'atcr.io/acme/prod-api:latest',
  `atcr.io/acme/app@sha256:${'a'.repeat(64)}`,
  `atcr.io/acme/app:v2@sha256:${'b'.repeat(64)}`,
  'nginx',
  'nginx:1.25',
  'library/nginx',
  'index.docker.io/acme/app',
  'Reg.IO/x',
  'localhost:5000/acme/app:v1',
  'localhost/x',
  '[::1]:5000/a/b',
  'reg.io/a/b/x',
  'acme/app:v1',
  'atcr.io/acme/App',
  'atcr.io/acme/app:',
  'atcr.io/acme/app@sha256:abc',
  'atcr.io//app',
  'a@b@c',
  ':tag',
  '',
  'atcr.io/acme/app:-bad',
  `atcr.io/${'a'.repeat(250)}`,
  'ü/app',
];

const TIMES = [
  '2026-11-25T12:00:00Z',
  '2026-11-25T12:04:59Z',
  '2026-11-25T12:05:00.000000001Z',
  '2026-11-25T12:05:00Z',
  '2026-11-25T11:00:00Z',
  '2026-11-24T12:00:00Z',
  '2026-10-26T12:00:00Z',
  '2026-10-26T11:59:59.999999999Z',
  '2026-11-25T13:00:00+01:00',
  '2026-11-25T06:59:59-05:00',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2026-11-25t12:00:00Z',
  '2026-11-25T12:00:00z',
  '2026-11-25T24:00:00Z',
  '2026-11-25T12:00:60Z',
  '1699-12-31T23:59:59Z',
  '1700-01-01T00:00:00+23:59',
  '2200-12-31T23:59:59-23:59',
  '2026-11-25T12:00:00.1234567890Z',
  '2026-04-31T00:00:00Z',
  '2026-11-25 12:00:00Z',
];

const signature = fc.record(
  {
    valid: fc.constantFrom<unknown>(true, true, true, false, 'true', 1),
    did: fc.constantFrom<unknown>(...DIDS, ...DIDS, '', 7),
    signedAt: fc.constantFrom<unknown>(...TIMES, 0),
    handle: fc.constantFrom('alice.example.com', 'acme'),
    pds: fc.constantFrom('https://pds.example.com', 'https://other.example', 'https://pds.example.com/x'),
    algorithm: fc.constantFrom<unknown>('ES256K', 'ES256', 3),
    error: fc.constantFrom<unknown>({ code: 'record-digest-mismatch', message: 'x' }, { code: '' }, { code: 5 }, 'oops'),
  },
  { requiredKeys: [] },
);

export const decisionInput: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 20, arbitrary: fc.record(
    {
      image: fc.oneof({ weight: 20, arbitrary: fc.constantFrom<unknown>(...IMAGES) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(5, null) }),
      owner: fc.constantFrom<unknown>(...DIDS, '', 3),
      now: fc.oneof({ weight: 20, arbitrary: fc.constant<unknown>('2026-11-25T12:00:00Z') }, { weight: 3, arbitrary: fc.constantFrom<unknown>(...TIMES) }, { weight: 1, arbitrary: fc.constant<unknown>(17) }),
      signatures: fc.oneof({ weight: 20, arbitrary: fc.array(fc.oneof({ weight: 10, arbitrary: signature }, { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'sig', [1]) }), { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constant<unknown>({}) }),
    },
    { requiredKeys: ['image', 'now', 'signatures'] },
  ) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [], 'x', { now: '2026-11-25T12:00:00Z', signatures: [] }) },
);
