// The native engine against every rule of docs/ir.md "The decision" and "Input reading".
// Expected values are worked out from those rules case by case.

import { describe, expect, it } from 'vitest';
import { VIOLATION_CODES } from '../../src/ir/decision.js';
import { engineOf, input, NOW, pairs, sig } from './helpers.js';

const single = (require: string, extra = '') =>
  engineOf(`version: 1\npolicies:\n  - name: p\n    scope: "atcr.io/**"\n${extra}    require: ${require}\n`);

const INVALID_IMAGE = { allowed: false, effect: 'deny', policy: null, action: null, satisfiedBy: [] };

describe('malformed input and unparseable images', () => {
  for (const unmatched of ['deny', 'allow', 'audit']) {
    const e = engineOf(`version: 1\nunmatched: ${unmatched}\npolicies:\n  - name: p\n    scope: "**"\n    require: { signature: false }\n`);
    it(`malformed inputs decide invalid-image even with unmatched: ${unmatched}`, () => {
      const bad: unknown[] = [
        null,
        undefined,
        42,
        'atcr.io/a/b',
        [input('atcr.io/a/b', [])],
        { now: NOW, signatures: [] },
        { image: 7, now: NOW, signatures: [] },
        { image: 'atcr.io/a/b', signatures: [] },
        { image: 'atcr.io/a/b', now: '2026-11-25 12:00:00Z', signatures: [] },
        { image: 'atcr.io/a/b', now: 1764072000, signatures: [] },
        { image: 'atcr.io/a/b', now: NOW },
        { image: 'atcr.io/a/b', now: NOW, signatures: {} },
      ];
      for (const b of bad) {
        const d = e(b);
        expect(d, JSON.stringify(b)).toMatchObject(INVALID_IMAGE);
        expect(pairs(d)).toEqual([['invalid-image', undefined]]);
        expect(d.violations[0]!.message).toMatch(/malformed/);
      }
    });

    it(`an unparseable image decides invalid-image even with unmatched: ${unmatched}`, () => {
      for (const image of ['', 'Atcr.io/UPPER/Case', 'a b', 'atcr.io/a/b:', 'atcr.io/a/b@sha256:abc', 'atcr.io//x', `atcr.io/${'a'.repeat(4100)}`, 'atcr.io/a/b:-bad']) {
        const d = e(input(image, [sig('did:plc:a')]));
        expect(d, image).toMatchObject(INVALID_IMAGE);
        expect(pairs(d)).toEqual([['invalid-image', undefined]]);
      }
    });
  }

  it('owner that is not a string reads as empty', () => {
    const e = single('{ trustedDIDs: [owner] }');
    const d = e(input('atcr.io/a/b', [sig('did:plc:a')], { owner: 42 }));
    expect(d.effect).toBe('deny');
    expect(pairs(d)).toEqual([['untrusted-did', 'did:plc:a']]);
  });
});

describe('no matching policy', () => {
  const doc = (u: string) => engineOf(`version: 1\nunmatched: ${u}\npolicies:\n  - name: p\n    scope: "atcr.io/acme/*"\n`);
  const img = input('docker.io/library/nginx', [sig('did:plc:a')]);

  it('deny: denied with one no-matching-policy', () => {
    const d = doc('deny')(img);
    expect(d).toMatchObject({ allowed: false, effect: 'deny', policy: null, action: null, satisfiedBy: [] });
    expect(pairs(d)).toEqual([['no-matching-policy', undefined]]);
  });
  it('allow: allowed, no violations', () => {
    expect(doc('allow')(img)).toEqual({ allowed: true, effect: 'allow', policy: null, action: null, satisfiedBy: [], violations: [] });
  });
  it('audit: allowed with one no-matching-policy', () => {
    const d = doc('audit')(img);
    expect(d).toMatchObject({ allowed: true, effect: 'audit', policy: null, action: null, satisfiedBy: [] });
    expect(pairs(d)).toEqual([['no-matching-policy', undefined]]);
  });
  it('unmatched defaults to deny', () => {
    expect(engineOf('version: 1\n')(img)).toMatchObject({ allowed: false, effect: 'deny' });
  });
});

describe('policy selection', () => {
  it('the scope with more literal characters wins, whatever the document order', () => {
    const e = engineOf(
      'version: 1\npolicies:\n  - name: broad\n    scope: "atcr.io/**"\n    require: { signature: false }\n  - name: narrow\n    scope: "atcr.io/acme/prod-*"\n    require: { signature: false }\n',
    );
    expect(e(input('atcr.io/acme/prod-api:1', [])).policy).toBe('narrow');
    expect(e(input('atcr.io/acme/dev-api:1', [])).policy).toBe('broad');
  });

  it('equal literals: fewer ** wins, then fewer * and ?', () => {
    // a/**/c vs a/*/c: both 4 literals; the one without ** wins.
    const e = engineOf(
      'version: 1\npolicies:\n  - name: dbl\n    scope: "atcr.io/**/c"\n    require: { signature: false }\n  - name: sgl\n    scope: "atcr.io/*/c"\n    require: { signature: false }\n  - name: two\n    scope: "atcr.io/?*/d"\n    require: { signature: false }\n  - name: one\n    scope: "atcr.io/*/d"\n    require: { signature: false }\n',
    );
    expect(e(input('atcr.io/b/c', [])).policy).toBe('sgl');
    expect(e(input('atcr.io/x/y/c', [])).policy).toBe('dbl');
    expect(e(input('atcr.io/b/d', [])).policy).toBe('one');
  });

  it('a full tie goes to the policy that comes first', () => {
    const mk = (first: string, second: string) =>
      engineOf(`version: 1\npolicies:\n  - name: ${first}\n    scope: "atcr.io/*/x"\n    require: { signature: false }\n  - name: ${second}\n    scope: "atcr.io/a/*"\n    require: { signature: false }\n`);
    expect(mk('first', 'second')(input('atcr.io/a/x', [])).policy).toBe('first');
    expect(mk('zeta', 'alpha')(input('atcr.io/a/x', [])).policy).toBe('zeta');
  });

  it('a policy ranks by its most specific matching scope', () => {
    const e = engineOf(
      'version: 1\npolicies:\n  - name: mid\n    scope: "atcr.io/acme/*"\n    require: { signature: false }\n  - name: multi\n    scope: ["**", "atcr.io/acme/api"]\n    require: { signature: false }\n',
    );
    expect(e(input('atcr.io/acme/api', [])).policy).toBe('multi');
    expect(e(input('atcr.io/acme/web', [])).policy).toBe('mid');
    expect(e(input('quay.io/x/y', [])).policy).toBe('multi');
  });

  it('a false `when` passes the image to the next candidate; `when` can read owner and image fields', () => {
    const e = engineOf(
      [
        'version: 1',
        'policies:',
        '  - name: latest',
        '    scope: "atcr.io/acme/*"',
        '    when: image.tag == "latest"',
        '    require: { signature: false }',
        '  - name: owned',
        '    scope: "atcr.io/acme/*"',
        '    when: owner == "did:plc:acme"',
        '    require: { signature: false }',
        '  - name: rest',
        '    scope: "atcr.io/**"',
        '    require: { signature: false }',
        '',
      ].join('\n'),
    );
    expect(e(input('atcr.io/acme/api', [])).policy).toBe('latest'); // no tag: `latest`
    expect(e(input('atcr.io/acme/api:2', [], { owner: 'did:plc:acme' })).policy).toBe('owned');
    expect(e(input('atcr.io/acme/api:2', [], { owner: 'did:plc:other' })).policy).toBe('rest');
    expect(e(input('atcr.io/acme/api:2', [])).policy).toBe('rest');
  });

  it('a scope with a tag part matches name:tag; a digest-only reference has an empty tag', () => {
    const e = engineOf(
      'version: 1\npolicies:\n  - name: tagged\n    scope: "atcr.io/acme/*:v*"\n    require: { signature: false }\n  - name: any\n    scope: "atcr.io/acme/*"\n    require: { signature: false }\n',
    );
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(e(input('atcr.io/acme/api:v1', [])).policy).toBe('tagged');
    expect(e(input('atcr.io/acme/api:1', [])).policy).toBe('any');
    expect(e(input(`atcr.io/acme/api@${digest}`, [])).policy).toBe('any');
    expect(e(input(`atcr.io/acme/api:v2@${digest}`, [])).policy).toBe('tagged');
  });

  it('references are normalized before matching (docker.io, library/, index.docker.io, host case)', () => {
    const e = engineOf('version: 1\npolicies:\n  - name: hub\n    scope: "docker.io/library/*"\n    require: { signature: false }\n  - name: reg\n    scope: "registry.example.com/**"\n    require: { signature: false }\n');
    for (const r of ['nginx', 'nginx:1.25', 'library/nginx', 'docker.io/nginx', 'index.docker.io/library/nginx']) expect(e(input(r, [])).policy, r).toBe('hub');
    expect(e(input('Registry.Example.COM/x/y', [])).policy).toBe('reg');
  });
});

describe('signature requirements', () => {
  it('signature: false allows with no violations and empty satisfiedBy, whatever the signatures', () => {
    const e = single('{ signature: false, trustedDIDs: [did:plc:a] }');
    for (const sigs of [[], [sig('did:plc:x')], [{ valid: false, did: 'did:plc:y' }]]) {
      expect(e(input('atcr.io/a/b', sigs))).toEqual({ allowed: true, effect: 'allow', policy: 'p', action: 'enforce', satisfiedBy: [], violations: [] });
    }
  });

  it('no signatures at all: one no-signatures', () => {
    const d = single('{ trustedDIDs: [did:plc:a] }')(input('atcr.io/a/b', []));
    expect(d).toMatchObject({ allowed: false, effect: 'deny', policy: 'p', action: 'enforce', satisfiedBy: [] });
    expect(pairs(d)).toEqual([['no-signatures', undefined]]);
  });

  it('an invalid or unreadable signature gets only invalid-signature, with did and cause', () => {
    // did:plc:x is untrusted and every date is far off, but nothing else is reported for these.
    const e = single('{ trustedDIDs: [did:plc:a], maxAge: 1d, expr: signature.pds == "never" }');
    const sigs = [
      { valid: false, did: 'did:plc:x', signedAt: '2000-01-01T00:00:00Z', error: { code: 'record-digest-mismatch', message: '…' } },
      { valid: 'true', did: 'did:plc:x2', signedAt: '2026-11-25T12:00:00Z' },
      { valid: true, did: 'did:plc:x3', signedAt: '2026-11-25' },
      { valid: true, did: '', signedAt: '2026-11-25T12:00:00Z' },
      { valid: true, signedAt: '2026-11-25T12:00:00Z' },
      { valid: false, did: 'did:plc:x4', error: { code: '' } },
      'not an object',
      null,
    ];
    const d = e(input('atcr.io/a/b', sigs));
    expect(d.effect).toBe('deny');
    expect(d.violations.map((v) => [v.code, v.did, v.cause])).toEqual([
      ['invalid-signature', '', undefined],
      ['invalid-signature', '', undefined],
      ['invalid-signature', '', undefined],
      ['invalid-signature', '', undefined],
      ['invalid-signature', 'did:plc:x', 'record-digest-mismatch'],
      ['invalid-signature', 'did:plc:x2', undefined],
      ['invalid-signature', 'did:plc:x3', undefined],
      ['invalid-signature', 'did:plc:x4', undefined],
    ]);
    // No signature qualified, so no insufficient-signatures.
  });

  it('a kernel error code is reported as given, whatever it looks like; only a valid but unreadable fact says "unreadable"', () => {
    const e = single('{ trustedDIDs: [did:plc:a] }');
    const d = e(input('atcr.io/a/b', [
      { valid: false, did: 'did:plc:a', error: { code: '\u0000unreadable' } },
      { valid: true, did: 'did:plc:b', signedAt: 'soon' },
    ]));
    expect(d.violations.map((v) => [v.did, v.cause, v.message])).toEqual([
      ['did:plc:a', '\u0000unreadable', 'signature by did:plc:a is invalid: \u0000unreadable'],
      ['did:plc:b', undefined, 'signature by did:plc:b is invalid: unreadable'],
    ]);
  });

  it('untrusted-did for a DID outside the list; any DID is trusted when the list is empty and has no owner', () => {
    const strict = single('{ trustedDIDs: [did:plc:a] }');
    const d = strict(input('atcr.io/a/b', [sig('did:plc:b')]));
    expect(pairs(d)).toEqual([['untrusted-did', 'did:plc:b']]);
    const open = single('{ signature: true }');
    expect(open(input('atcr.io/a/b', [sig('did:plc:anyone')]))).toMatchObject({ allowed: true, satisfiedBy: ['did:plc:anyone'] });
  });

  it('owner in the list trusts the input owner only when it is non-empty', () => {
    const e = single('{ trustedDIDs: [owner] }');
    expect(e(input('atcr.io/a/b', [sig('did:plc:alice')], { owner: 'did:plc:alice' }))).toMatchObject({ allowed: true, satisfiedBy: ['did:plc:alice'] });
    expect(pairs(e(input('atcr.io/a/b', [sig('did:plc:alice')], { owner: 'did:plc:bob' })))).toEqual([['untrusted-did', 'did:plc:alice']]);
    // Only `owner` and no owner known: nobody is trusted (not "anybody").
    expect(pairs(e(input('atcr.io/a/b', [sig('did:plc:alice')])))).toEqual([['untrusted-did', 'did:plc:alice']]);
    expect(pairs(e(input('atcr.io/a/b', [sig('')], { owner: '' })))).toEqual([['invalid-signature', '']]);
    const both = single('{ trustedDIDs: [owner, did:plc:ops] }');
    expect(both(input('atcr.io/a/b', [sig('did:plc:ops')]))).toMatchObject({ allowed: true });
  });

  it('the clock skew boundary is exactly now + 5m', () => {
    const e = single('{ signature: true }');
    const at = (t: string) => e(input('atcr.io/a/b', [sig('did:plc:a', t)]));
    expect(at('2026-11-25T12:05:00Z')).toMatchObject({ allowed: true });
    expect(at('2026-11-25T12:05:00.000000000Z')).toMatchObject({ allowed: true });
    expect(pairs(at('2026-11-25T12:05:00.000000001Z'))).toEqual([['signature-from-future', 'did:plc:a']]);
    expect(pairs(at('2026-11-25T12:05:01Z'))).toEqual([['signature-from-future', 'did:plc:a']]);
    // The same instants written with an offset.
    expect(at('2026-11-25T14:05:00+02:00')).toMatchObject({ allowed: true });
    expect(pairs(at('2026-11-25T07:05:00.5-05:00'))).toEqual([['signature-from-future', 'did:plc:a']]);
    // A `now` with fractional seconds moves the boundary with it.
    const d = e({ image: 'atcr.io/a/b', now: '2026-11-25T12:00:00.25Z', signatures: [sig('did:plc:a', '2026-11-25T12:05:00.25Z'), sig('did:plc:b', '2026-11-25T12:05:00.250000001Z')] });
    expect(d.satisfiedBy).toEqual(['did:plc:a']);
    expect(pairs(d)).toEqual([]);
  });

  it('maxAge: a signature exactly maxAge old qualifies; a nanosecond older is expired', () => {
    const e = single('{ maxAge: 1d }');
    const at = (t: string) => e(input('atcr.io/a/b', [sig('did:plc:a', t)]));
    expect(at('2026-11-24T12:00:00Z')).toMatchObject({ allowed: true });
    expect(at('2026-11-24T13:00:00+01:00')).toMatchObject({ allowed: true });
    expect(at('2026-11-24T12:00:00.000000001Z')).toMatchObject({ allowed: true });
    expect(pairs(at('2026-11-24T11:59:59.999999999Z'))).toEqual([['signature-expired', 'did:plc:a']]);
    expect(pairs(at('2026-11-24T06:59:59.9-05:00'))).toEqual([['signature-expired', 'did:plc:a']]);
    expect(at('2026-11-24T06:59:59.9-05:01')).toMatchObject({ allowed: true });
    const frac = e({ image: 'atcr.io/a/b', now: '2026-11-25T12:00:00.5Z', signatures: [sig('did:plc:a', '2026-11-24T12:00:00.5Z'), sig('did:plc:b', '2026-11-24T12:00:00.499Z')] });
    expect(frac.satisfiedBy).toEqual(['did:plc:a']);
  });

  it('require.expr: condition-failed when false for a signature; missing strings read as ""', () => {
    const e = single('{ expr: signature.pds startsWith "https://pds.acme" and signature.handle != "" }');
    const d = e(input('atcr.io/a/b', [sig('did:plc:a', undefined, { pds: 'https://pds.acme.example', handle: 'a.acme' }), sig('did:plc:b', undefined, { pds: 'https://pds.acme.example' }), sig('did:plc:c', undefined, { pds: 42, handle: 'c' })]));
    expect(d.satisfiedBy).toEqual(['did:plc:a']);
    expect(d.effect).toBe('allow');
    expect(d.violations).toEqual([]);
    const none = e(input('atcr.io/a/b', [sig('did:plc:b', undefined, { pds: 'https://pds.acme.example' })]));
    expect(pairs(none)).toEqual([['condition-failed', 'did:plc:b']]);
  });

  it('signature.age compares exactly, fractions included', () => {
    const e = single('{ expr: signature.age <= 1h }');
    const d = e({ image: 'atcr.io/a/b', now: '2026-11-25T12:00:00.1Z', signatures: [sig('did:plc:a', '2026-11-25T11:00:00.1Z'), sig('did:plc:b', '2026-11-25T11:00:00.099999999Z')] });
    expect(d.satisfiedBy).toEqual(['did:plc:a']);
    expect(d.violations).toEqual([]);
  });

  it('minSignatures counts distinct DIDs: the same DID twice is one signer', () => {
    const e = single('{ minSignatures: 2 }');
    const d = e(input('atcr.io/a/b', [sig('did:plc:a'), sig('did:plc:a', '2026-11-21T00:00:00Z')]));
    expect(d).toMatchObject({ allowed: false, effect: 'deny', satisfiedBy: ['did:plc:a'] });
    expect(pairs(d)).toEqual([['insufficient-signatures', undefined]]);
    expect(e(input('atcr.io/a/b', [sig('did:plc:a'), sig('did:plc:b'), sig('did:plc:a')]))).toMatchObject({ allowed: true, satisfiedBy: ['did:plc:a', 'did:plc:b'], violations: [] });
  });

  it('distinct signers are counted right also in the hundreds (each DID signing twice, shuffled)', () => {
    const e = single('{ minSignatures: 1000 }');
    const dids = Array.from({ length: 900 }, (_, k) => `did:plc:s${String(k).padStart(5, '0')}`);
    // Every DID twice, interleaved so that repeats come both early and late.
    const sigs = [...dids, ...[...dids].reverse()].map((d) => sig(d));
    const d = e(input('atcr.io/a/b', sigs));
    expect(d.satisfiedBy).toEqual(dids);
    expect(pairs(d)).toEqual([['insufficient-signatures', undefined]]);
    expect(d.violations[0]!.message).toContain('has 900');
  });

  it('when satisfied, violations of other signatures are cleared', () => {
    const e = single('{ trustedDIDs: [did:plc:a] }');
    const d = e(input('atcr.io/a/b', [sig('did:plc:mallory'), { valid: false, did: 'did:plc:x' }, sig('did:plc:a')]));
    expect(d).toEqual({ allowed: true, effect: 'allow', policy: 'p', action: 'enforce', satisfiedBy: ['did:plc:a'], violations: [] });
  });

  it('insufficient-signatures only when at least one signature qualified', () => {
    const e = single('{ trustedDIDs: [did:plc:a, did:plc:b], minSignatures: 2 }');
    expect(pairs(e(input('atcr.io/a/b', [sig('did:plc:x')])))).toEqual([['untrusted-did', 'did:plc:x']]);
    expect(pairs(e(input('atcr.io/a/b', [sig('did:plc:x'), sig('did:plc:a')])))).toEqual([
      ['untrusted-did', 'did:plc:x'],
      ['insufficient-signatures', undefined],
    ]);
  });

  it('one violation per failed check of a signature', () => {
    const e = single('{ trustedDIDs: [did:plc:a], maxAge: 1d, expr: signature.algorithm == "ES256K" }');
    const future = e(input('atcr.io/a/b', [sig('did:plc:x', '2027-01-01T00:00:00Z')]));
    expect(pairs(future)).toEqual([
      ['untrusted-did', 'did:plc:x'],
      ['signature-from-future', 'did:plc:x'],
      ['condition-failed', 'did:plc:x'],
    ]);
    const old = e(input('atcr.io/a/b', [sig('did:plc:x', '2020-01-01T00:00:00Z', { algorithm: 'ES256' })]));
    expect(pairs(old)).toEqual([
      ['untrusted-did', 'did:plc:x'],
      ['signature-expired', 'did:plc:x'],
      ['condition-failed', 'did:plc:x'],
    ]);
  });

  it('violations are sorted by code (table order), then did, then cause; duplicates are kept', () => {
    const e = single('{ trustedDIDs: [did:plc:ok], maxAge: 30d, minSignatures: 2 }');
    const d = e(
      input('atcr.io/a/b', [
        sig('did:plc:zz', '2020-01-01T00:00:00Z'),
        { valid: false, did: 'did:plc:m', error: { code: 'z-cause' } },
        sig('did:plc:ok'),
        sig('did:plc:B'),
        { valid: false, did: 'did:plc:m', error: { code: 'a-cause' } },
        sig('did:plc:B'),
        sig('did:plc:ok', '2020-01-01T00:00:00Z'),
      ]),
    );
    expect(d.violations.map((v) => [v.code, v.did, v.cause])).toEqual([
      ['invalid-signature', 'did:plc:m', 'a-cause'],
      ['invalid-signature', 'did:plc:m', 'z-cause'],
      ['untrusted-did', 'did:plc:B'],
      ['untrusted-did', 'did:plc:B'],
      ['untrusted-did', 'did:plc:zz'],
      ['signature-expired', 'did:plc:ok'],
      ['signature-expired', 'did:plc:zz'],
      ['insufficient-signatures', undefined, undefined],
    ].map((r) => (r.length === 2 ? [...r, undefined] : r)));
    const rank = d.violations.map((v) => VIOLATION_CODES.indexOf(v.code));
    expect(rank).toEqual([...rank].sort((a, b) => a - b));
  });

  it('satisfiedBy is sorted by code point, also when below minSignatures', () => {
    const e = single('{ minSignatures: 5 }');
    const d = e(input('atcr.io/a/b', [sig('did:plc:b'), sig('did:web:a.example'), sig('did:plc:B'), sig('did:plc:a'), sig('did:plc:b')]));
    expect(d.satisfiedBy).toEqual(['did:plc:B', 'did:plc:a', 'did:plc:b', 'did:web:a.example']);
    expect(pairs(d)).toEqual([['insufficient-signatures', undefined]]);
  });

  it('action decides the effect of a failure: enforce denies, audit and warn allow', () => {
    for (const [action, effect, allowed] of [
      ['enforce', 'deny', false],
      ['audit', 'audit', true],
      ['warn', 'warn', true],
    ] as const) {
      const e = single('{ trustedDIDs: [did:plc:a] }', `    action: ${action}\n`);
      const d = e(input('atcr.io/a/b', [sig('did:plc:x')]));
      expect(d).toMatchObject({ allowed, effect, policy: 'p', action });
      expect(pairs(d)).toEqual([['untrusted-did', 'did:plc:x']]);
      // And a pass is always allow, with the action still reported.
      expect(e(input('atcr.io/a/b', [sig('did:plc:a')]))).toMatchObject({ allowed: true, effect: 'allow', action });
    }
  });

  it('messages follow the recommended texts', () => {
    const e = single('{ trustedDIDs: [did:plc:a], maxAge: 2d, minSignatures: 2 }');
    const d = e(input('atcr.io/a/b', [sig('did:plc:x', '2026-11-25T00:00:00Z'), sig('did:plc:a', '2026-11-25T00:00:00Z'), sig('did:plc:a', '2020-01-01T00:00:00Z')]));
    expect(d.violations.map((v) => v.message)).toEqual([
      'did:plc:x is not trusted by policy p',
      'signature by did:plc:a is older than 2d allowed by policy p',
      'policy p needs 2 distinct signers, has 1',
    ]);
    expect(single('{ signature: true }')(input('atcr.io/a/b', [])).violations[0]!.message).toBe('policy p requires a signature and the image has none');
  });
});
