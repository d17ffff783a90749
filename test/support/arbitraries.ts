// fast-check generators of random IR documents and decision inputs, for parity tests
// between engines. Values are drawn from small pools so that scopes match, DIDs repeat
// and times fall right around the boundaries of docs/ir.md (5-minute skew, maxAge).

import fc from 'fast-check';
import { compileScope } from '../../src/glob/glob.js';
import type {
  Action,
  CompareOp,
  IRDocument,
  IRExpr,
  IRPolicy,
  IRScope,
  PathName,
  Unmatched,
} from '../../src/ir/types.js';

// ---------------------------------------------------------------------------
// Pools

export const REGISTRIES = ['atcr.io', 'docker.io', 'ghcr.io', 'localhost:5000', 'registry.example.com'];
export const NAMESPACES = ['alice', 'bob', 'library', 'prod-team'];
export const REPOS = ['app', 'prod-api', 'prod-web', 'web', 'alpine'];
export const TAGS = ['1.0', 'latest', 'v2', 'v2.1-rc'];
/** DIDs, including two whose code-point order differs from UTF-16 order. */
export const DIDS = [
  'did:plc:alice',
  'did:plc:bob',
  'did:plc:devops',
  'did:web:example.com',
  'did:plc:\u{1F600}',
  'did:plc:\uFF21',
];
const STRINGS = ['', 'alice', 'atcr.io', 'latest', 'https://pds.example.com', 'ES256K', 'did:plc:alice', 'prod', 'did:plc:\uD83D', 'x\u{1F600}'];
/** Input-only oddities: lone surrogates (JSON allows them), which no policy file holds. */
const ODD_DIDS = ['did:plc:\uD83D', 'did:plc:\uDE00', 'did:plc:\u{1F600}x'];
const HANDLES = ['alice.example.com', 'bob.test', ''];
const PDSES = ['https://pds.example.com', 'https://pds.example.com/x', 'https://evil.example', '', 'x\u{1F600}', 'x?'];
const ALGORITHMS = ['ES256K', 'ES256', ''];
/** Durations used both by policies and by signature ages, so comparisons hit equality. */
export const DURATIONS = [1, 60, 300, 3600, 86400, 2592000];

const BASE_NOW = Date.UTC(2026, 10, 25, 12, 0, 0) / 1000;

// ---------------------------------------------------------------------------
// Scopes

const globPart = (concrete: string[], wild: string[]) => fc.constantFrom(...concrete, ...wild);

/** Globs shaped like references (so they match generated images), plus odd ones. */
export const arbGlob: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc
    .tuple(
      globPart(REGISTRIES, ['*', '**', 'atcr.*', '*.io', '*', '**']),
      globPart(NAMESPACES, ['*', '?lice', 'a*', '**', '*']),
      globPart(REPOS, ['*', 'prod-*', '**', 'prod-???', '*web', '*']),
      fc.option(globPart(TAGS, ['*', '1.*', 'v?', 'v2*']), { nil: undefined, freq: 2 }),
    )
    .map(([r, n, p, t]) => `${r}/${n}/${p}${t === undefined ? '' : `:${t}`}`) },
  { weight: 1, arbitrary: fc.constantFrom('**', '*', '*/*/*', '**/app', 'docker.io/library/*', '***', '**:latest', '*/**/*:v?') },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z./:*?-]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('x?', 'did:plc:?', 'did:plc:*', '*\u{1F600}*', 'https://**', '?*?', 'x\u{1F600}') },
);

export const arbScope: fc.Arbitrary<IRScope> = arbGlob
  .map((g) => compileScope(g))
  .filter((r): r is { scope: IRScope } => 'scope' in r)
  .map((r) => r.scope);

// ---------------------------------------------------------------------------
// Expressions

const IMAGE_PATHS: PathName[] = [
  'image.registry',
  'image.repository',
  'image.name',
  'image.namespace',
  'image.tag',
  'image.digest',
  'owner',
];
const SIGNATURE_PATHS: PathName[] = ['signature.did', 'signature.handle', 'signature.pds', 'signature.algorithm'];

function stringExpr(withSignature: boolean): fc.Arbitrary<IRExpr> {
  const paths = withSignature ? [...IMAGE_PATHS, ...SIGNATURE_PATHS] : IMAGE_PATHS;
  return fc.oneof(
    fc.constantFrom(...STRINGS, ...DIDS, ...NAMESPACES, ...REGISTRIES).map((value): IRExpr => ({ kind: 'string', type: 'string', value })),
    fc.constantFrom(...paths).map((path): IRExpr => ({ kind: 'path', type: 'string', path })),
  );
}

function durationExpr(withSignature: boolean): fc.Arbitrary<IRExpr> {
  const literal = fc.constantFrom(...DURATIONS).map((seconds): IRExpr => ({ kind: 'duration', type: 'duration', seconds }));
  if (!withSignature) return literal;
  return fc.oneof(literal, fc.constant<IRExpr>({ kind: 'path', type: 'duration', path: 'signature.age' }));
}

const listExpr = (s: fc.Arbitrary<IRExpr>) =>
  fc.array(s, { maxLength: 4 }).map((items): IRExpr => ({ kind: 'list', type: 'list', items }));

const OPS: CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];

/** A boolean expression tree using every node kind; signature paths only when allowed. */
export function arbBoolExpr(withSignature: boolean, maxDepth = 3): fc.Arbitrary<IRExpr> {
  const s = stringExpr(withSignature);
  const d = durationExpr(withSignature);
  const leaves: fc.Arbitrary<IRExpr>[] = [
    fc.boolean().map((value): IRExpr => ({ kind: 'bool', type: 'bool', value })),
    fc.tuple(fc.constantFrom<CompareOp>('==', '!='), s, s).map(
      ([op, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op, operandType: 'string', left, right }),
    ),
    // Numbers as the language writes them: digits with an optional fraction, never negative.
    fc.tuple(fc.constantFrom(...OPS), fc.constantFrom(0, 1, 2.5, 3), fc.constantFrom(0, 1, 2.5, 3)).map(
      ([op, l, r]): IRExpr => ({
        kind: 'compare',
        type: 'bool',
        op,
        operandType: 'number',
        left: { kind: 'number', type: 'number', value: l },
        right: { kind: 'number', type: 'number', value: r },
      }),
    ),
    fc.tuple(fc.constantFrom(...OPS), d, d).map(
      ([op, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op, operandType: 'duration', left, right }),
    ),
    fc.tuple(fc.constantFrom<CompareOp>('==', '!='), listExpr(s), listExpr(s)).map(
      ([op, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op, operandType: 'list', left, right }),
    ),
    fc.tuple(s, listExpr(s)).map(([left, right]): IRExpr => ({ kind: 'in', type: 'bool', left, right })),
    fc.tuple(s, arbGlob.filter((g) => 'scope' in compileScope(g))).map(([left, glob]): IRExpr => {
      const r = compileScope(glob) as { scope: IRScope };
      return { kind: 'matches', type: 'bool', left, glob, regex: r.scope.regex };
    }),
    fc.tuple(fc.constantFrom<'startsWith' | 'endsWith'>('startsWith', 'endsWith'), s, s).map(
      ([kind, left, right]): IRExpr => ({ kind, type: 'bool', left, right }),
    ),
  ];
  const leaf = fc.oneof(...leaves);
  if (maxDepth <= 0) return leaf;
  const inner = arbBoolExpr(withSignature, maxDepth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(inner, { minLength: 1, maxLength: 3 })).map(
      ([kind, args]): IRExpr => ({ kind, type: 'bool', args }),
    ) },
    { weight: 1, arbitrary: inner.map((arg): IRExpr => ({ kind: 'not', type: 'bool', arg })) },
    // compare of two booleans
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<CompareOp>('==', '!='), inner, leaf).map(
      ([op, left, right]): IRExpr => ({ kind: 'compare', type: 'bool', op, operandType: 'bool', left, right }),
    ) },
  );
}

// ---------------------------------------------------------------------------
// Documents

const arbPolicyBody = fc.record({
  scopes: fc.array(arbScope, { minLength: 1, maxLength: 3 }),
  when: fc.option(arbBoolExpr(false, 2), { nil: null, freq: 3 }),
  requireSignature: fc.constantFrom(true, true, true, true, false),
  trustedDIDs: fc.subarray(DIDS),
  trustOwner: fc.boolean(),
  minSignatures: fc.constantFrom(1, 1, 1, 2, 3, 0),
  maxAgeSeconds: fc.option(fc.constantFrom(...DURATIONS), { nil: null }),
  expr: fc.option(arbBoolExpr(true, 2), { nil: null, freq: 2 }),
  action: fc.constantFrom<Action>('enforce', 'audit', 'warn'),
});

/** A random IR document: 0–6 policies in document order. */
export const arbIRDocument: fc.Arbitrary<IRDocument> = fc
  .tuple(fc.constantFrom<Unmatched>('deny', 'allow', 'audit'), fc.array(arbPolicyBody, { maxLength: 6 }))
  .map(([unmatched, bodies]): IRDocument => ({
    irVersion: 1,
    source: { file: 'random.yaml', sha256: '0'.repeat(64) },
    unmatched,
    policies: bodies.map(
      (b, index): IRPolicy => ({
        name: `p${index}`,
        index,
        description: '',
        scopes: b.scopes,
        when: b.when,
        require: {
          signature: b.requireSignature,
          trustedDIDs: [...new Set(b.trustedDIDs)].sort(),
          trustOwner: b.trustOwner,
          minSignatures: b.minSignatures,
          maxAgeSeconds: b.maxAgeSeconds,
          expr: b.expr,
        },
        action: b.action,
        origins: {},
        chain: [`p${index}`],
        origin: { file: 'random.yaml', line: 1, column: 1 },
      }),
    ),
  }));

// ---------------------------------------------------------------------------
// Inputs

const hex = (n: number) => fc.constantFrom('0', '7', 'a', 'f').chain((c) => fc.constant(c.repeat(n)));

/** References: valid ones of every form, near misses and garbage. */
export const arbImageRef: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc
    .tuple(
      fc.constantFrom(...REGISTRIES, 'ATCR.IO', 'index.docker.io', ''),
      fc.constantFrom(...NAMESPACES),
      fc.constantFrom(...REPOS),
      fc.option(fc.constantFrom(...TAGS), { nil: undefined }),
      fc.option(hex(64).map((h) => `sha256:${h}`), { nil: undefined, freq: 4 }),
    )
    .map(([r, n, p, t, d]) => `${r ? `${r}/` : ''}${n}/${p}${t ? `:${t}` : ''}${d ? `@${d}` : ''}`) },
  { weight: 2, arbitrary: fc.constantFrom('alpine', 'alpine:3', 'library/alpine', 'docker.io/alpine', 'web:latest', 'localhost/app', '[::1]:5000/app:1.0') },
  { weight: 1, arbitrary: fc.constantFrom(
    '', 'UPPER/Case', 'a//b', ':tag', 'app:', 'x@sha256:abc', 'atcr.io/alice/app:-bad', 'atcr.io/a___b/c',
    'atcr.io/alice/app@sha256:' + 'A'.repeat(64), 'atcr.io/' + 'a'.repeat(300), 'ex\u00e4mple.com/app', 'a'.repeat(5000),
  ) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** RFC 3339 text of an instant (epoch seconds + nanoseconds) with the given fraction digits and offset. */
export function formatRfc3339(seconds: number, nanos: number, fractionDigits: number, offsetMinutes: number): string {
  const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  let digits = fractionDigits;
  // Enough digits to write the nanoseconds exactly.
  while (digits < 9 && nanos % 10 ** (9 - digits) !== 0) digits++;
  const frac = digits > 0 ? '.' + pad(nanos, 9).slice(0, digits) : '';
  if (offsetMinutes === 0 && fractionDigits % 2 === 0) return `${local}${frac}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${frac}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

const arbOffset = fc.constantFrom(0, 0, 330, -480, 60, -(23 * 60 + 59));
const arbFraction = fc.constantFrom(0, 0, 1, 3, 6, 9);
const arbNanos = fc.constantFrom(0, 0, 1, 500000000, 999999999);

/** `now` as text plus its instant, so signature times can be placed relative to it. */
const arbNow = fc
  .tuple(fc.constantFrom(0, 0, 1, -86400 * 400), arbNanos, arbFraction, arbOffset)
  .map(([delta, nanos, frac, off]) => ({ s: BASE_NOW + delta, n: nanos, text: formatRfc3339(BASE_NOW + delta, nanos, frac, off) }));

/** Offsets (seconds before now) right around the skew and maxAge boundaries. */
const arbAge = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(-301, -300, -299, 0, 100, ...DURATIONS.flatMap((d) => [d - 1, d, d + 1])) },
  { weight: 1, arbitrary: fc.constantFrom(-301, -300, -299) },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 3_000_000 }) },
);

const UNREADABLE_TIMES = ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-29T00:00:00Z', '2026-11-25T24:00:00Z',
  '2026-11-25t12:00:00z', '2026-11-25T12:00:00.Z', '2026-11-25T12:00:00.1234567890Z', '1699-12-31T23:59:59Z',
  '2026-11-25T12:00:00+24:00', '2026-11-25T12:00:60Z'];

function arbSignature(now: { s: number; n: number }): fc.Arbitrary<unknown> {
  const signedAt = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(arbAge, arbNanos, arbFraction, arbOffset).map(([age, nanos, frac, off]) => {
      // signedAt = now − age, then nudged by sub-second amounts
      let s = now.s - age;
      let n = now.n - nanos;
      if (n < 0) {
        n += 1e9;
        s -= 1;
      }
      return formatRfc3339(s, n, frac, off);
    }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(...UNREADABLE_TIMES, 42, null) },
  );
  return fc.oneof(
    { weight: 10, arbitrary: fc.record(
      {
        valid: fc.constantFrom<unknown>(true, true, true, true, false, 'true', 1),
        did: fc.constantFrom<unknown>(...DIDS, ...DIDS, ...ODD_DIDS, '', 7),
        signedAt,
        handle: fc.constantFrom(...HANDLES),
        pds: fc.constantFrom(...PDSES),
        algorithm: fc.constantFrom(...ALGORITHMS),
        error: fc.constantFrom<unknown>({ code: 'record-digest-mismatch', message: 'x' }, { code: '' }, { code: 3 }, 'oops'),
      },
      { requiredKeys: ['valid', 'did', 'signedAt'] },
    ) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'sig', [], 5) },
  );
}

/** A decision input: mostly well-formed, sometimes malformed in one field. */
export const arbDecisionInput: fc.Arbitrary<unknown> = arbNow.chain((now) =>
  fc.oneof(
    { weight: 20, arbitrary: fc.record(
      {
        image: arbImageRef,
        owner: fc.constantFrom<unknown>(...DIDS, ...ODD_DIDS, '', 12),
        now: fc.constant(now.text),
        signatures: fc.array(arbSignature(now), { maxLength: 5 }),
      },
      { requiredKeys: ['image', 'now', 'signatures'] },
    ) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 42, 'atcr.io/alice/app', [], {}, { image: 'alpine', signatures: [] },
      { image: 'alpine', now: 'never', signatures: [] }, { image: 'alpine', now: now.text, signatures: {} },
      { image: 7, now: now.text, signatures: [] }) },
  ),
);
