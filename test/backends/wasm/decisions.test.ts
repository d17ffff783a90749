// Decisions of the compiled module (through the OPA SDK) on cases computed by hand from
// docs/ir.md: policy selection, references, times at the boundaries, trust, ordering.
import { describe, expect, it } from 'vitest';
import { loadWasmEngine } from '../../../src/backends/wasm/index.js';
import type { IRExpr } from '../../../src/ir/types.js';
import { doc, NOW, policy, sig } from './ir-fixtures.js';

const codes = (d: { violations: { code: string; did?: string }[] }) => d.violations.map((v) => [v.code, v.did ?? null]);

describe('policy selection', () => {
  const ir = doc([
    policy('broad', ['atcr.io/**']),
    policy('team', ['atcr.io/alice/*']),
    policy('team-twin', ['atcr.io/alice/*']),
    policy('tagged', ['atcr.io/alice/app:v*']),
    policy('not-latest', ['atcr.io/bob/*'], {}, {
      when: { kind: 'compare', type: 'bool', op: '!=', operandType: 'string', left: { kind: 'path', type: 'string', path: 'image.tag' }, right: { kind: 'string', type: 'string', value: 'latest' } },
    }),
    policy('hub', ['docker.io/library/*'], { signature: false }),
  ]);
  const pick = async (image: string) => (await loadWasmEngine(ir)).evaluate({ image, now: NOW, signatures: [] }).policy;

  it('takes the most specific scope, and the first policy on a tie', async () => {
    expect(await pick('atcr.io/alice/web')).toBe('team');
    expect(await pick('atcr.io/alice/deep/web')).toBe('broad');
  });

  it('matches name:tag scopes against the tag', async () => {
    expect(await pick('atcr.io/alice/app:v2')).toBe('tagged');
    expect(await pick('atcr.io/alice/app:1.0')).toBe('team');
  });

  it('drops a policy whose `when` is false', async () => {
    expect(await pick('atcr.io/bob/app:1.0')).toBe('not-latest');
    expect(await pick('atcr.io/bob/app')).toBe('broad');
  });

  it('normalizes Docker Hub short forms and index.docker.io', async () => {
    const e = await loadWasmEngine(ir);
    for (const image of ['alpine', 'alpine:3', 'library/alpine', 'index.docker.io/library/alpine', 'DOCKER.IO/alpine']) {
      expect(e.evaluate({ image, now: NOW, signatures: [] })).toMatchObject({ allowed: true, effect: 'allow', policy: 'hub' });
    }
  });

  it('decides by `unmatched` when no policy applies', async () => {
    const input = { image: 'ghcr.io/x/y:1', now: NOW, signatures: [] };
    const deny = (await loadWasmEngine(doc([], 'deny'))).evaluate(input);
    const allow = (await loadWasmEngine(doc([], 'allow'))).evaluate(input);
    const audit = (await loadWasmEngine(doc([], 'audit'))).evaluate(input);
    expect([deny.allowed, deny.effect, codes(deny)]).toEqual([false, 'deny', [['no-matching-policy', null]]]);
    expect([allow.allowed, allow.effect, codes(allow)]).toEqual([true, 'allow', []]);
    expect([audit.allowed, audit.effect, codes(audit)]).toEqual([true, 'audit', [['no-matching-policy', null]]]);
  });

  it('rejects unparseable references whatever `unmatched` says', async () => {
    const e = await loadWasmEngine(doc([], 'allow'));
    for (const image of ['', 'UPPER/Case', 'a//b', 'app:', 'x@sha256:abc', `atcr.io/${'a'.repeat(250)}`, 'ex\u00e4mple.com/app']) {
      const d = e.evaluate({ image, now: NOW, signatures: [] });
      expect([d.allowed, d.effect, d.policy, codes(d)]).toEqual([false, 'deny', null, [['invalid-image', null]]]);
    }
  });
});

describe('signatures', () => {
  const devops = 'did:plc:devops';
  const base = (extra = {}, req = {}) =>
    doc([policy('prod', ['atcr.io/**'], { trustedDIDs: [devops], maxAgeSeconds: 86400, ...req }, extra)]);
  const fresh = (did: string) => sig(did, '2026-11-25T11:00:00Z');
  const evalWith = async (signatures: unknown[], req = {}, owner?: string) =>
    (await loadWasmEngine(base({}, req))).evaluate({ image: 'atcr.io/a/b:1', now: NOW, owner, signatures });

  it('allows within the 5-minute skew and not a nanosecond beyond', async () => {
    expect((await evalWith([sig(devops, '2026-11-25T12:05:00Z')])).allowed).toBe(true);
    expect((await evalWith([sig(devops, '2026-11-25T17:35:00.000000000+05:30')])).allowed).toBe(true);
    const d = await evalWith([sig(devops, '2026-11-25T12:05:00.000000001Z')]);
    expect([d.allowed, codes(d)]).toEqual([false, [['signature-from-future', devops]]]);
  });

  it('allows a signature exactly maxAge old and not a nanosecond older', async () => {
    expect((await evalWith([sig(devops, '2026-11-24T12:00:00Z')])).allowed).toBe(true);
    const d = await evalWith([sig(devops, '2026-11-24T03:59:59.999999999-08:00')]);
    expect(codes(d)).toEqual([['signature-expired', devops]]);
  });

  it('reports every failed check of a valid signature, and only invalid-signature for an invalid one', async () => {
    const d = await evalWith([
      sig('did:plc:mallory', '2026-01-01T00:00:00Z'),
      { valid: false, did: 'did:plc:x', error: { code: 'record-digest-mismatch', message: '…' } },
      sig('did:plc:y', 'not a time'),
    ]);
    expect(codes(d)).toEqual([
      ['invalid-signature', 'did:plc:x'],
      ['invalid-signature', 'did:plc:y'],
      ['untrusted-did', 'did:plc:mallory'],
      ['signature-expired', 'did:plc:mallory'],
    ]);
    expect(d.violations[0]!.cause).toBe('record-digest-mismatch');
    expect(d.violations[1]!.cause).toBeUndefined();
  });

  it('trusts the owner only when the input names one', async () => {
    const req = { trustedDIDs: [], trustOwner: true };
    expect((await evalWith([fresh('did:plc:alice')], req, 'did:plc:alice')).allowed).toBe(true);
    const d = await evalWith([fresh('did:plc:alice')], req, '');
    expect(codes(d)).toEqual([['untrusted-did', 'did:plc:alice']]);
  });

  it('counts distinct signers for minSignatures and keeps duplicate violations', async () => {
    const d = await evalWith([fresh(devops), fresh(devops), fresh('did:plc:m'), fresh('did:plc:m')], { minSignatures: 2 });
    expect(d).toMatchObject({ allowed: false, effect: 'deny', satisfiedBy: [devops] });
    expect(codes(d)).toEqual([
      ['untrusted-did', 'did:plc:m'],
      ['untrusted-did', 'did:plc:m'],
      ['insufficient-signatures', null],
    ]);
  });

  it('gives audit and warn effects that are allowed', async () => {
    for (const action of ['audit', 'warn'] as const) {
      const e = await loadWasmEngine(base({ action }));
      const d = e.evaluate({ image: 'atcr.io/a/b', now: NOW, signatures: [] });
      expect([d.allowed, d.effect, d.action, codes(d)]).toEqual([true, action, action, [['no-signatures', null]]]);
    }
  });

  it('sorts satisfiedBy by code point, not by UTF-16 unit', async () => {
    const astral = 'did:plc:\u{1F600}';
    const fullwidth = 'did:plc:\uFF21';
    const d = await evalWith([fresh(astral), fresh(fullwidth)], { trustedDIDs: [] });
    expect(d.satisfiedBy).toEqual([fullwidth, astral]);
  });

  it('evaluates require.expr per signature with signature.age in nanoseconds', async () => {
    const expr: IRExpr = {
      kind: 'and',
      type: 'bool',
      args: [
        { kind: 'startsWith', type: 'bool', left: { kind: 'path', type: 'string', path: 'signature.pds' }, right: { kind: 'string', type: 'string', value: 'https://pds.example.com' } },
        { kind: 'compare', type: 'bool', op: '<=', operandType: 'duration', left: { kind: 'path', type: 'duration', path: 'signature.age' }, right: { kind: 'duration', type: 'duration', seconds: 3600 } },
      ],
    };
    const d = await evalWith(
      [sig(devops, '2026-11-25T11:00:00Z'), sig(devops, '2026-11-25T10:59:59.5Z'), sig(devops, NOW, { pds: 'https://evil' })],
      { expr },
    );
    expect(d.allowed).toBe(true);
    expect(codes(d)).toEqual([]);
    const strict = await evalWith([sig(devops, '2026-11-25T10:59:59.5Z')], { expr });
    expect(codes(strict)).toEqual([['condition-failed', devops]]);
  });

  it('matches `?` against one code point, surrogate pairs included', async () => {
    const when: IRExpr = { kind: 'matches', type: 'bool', left: { kind: 'path', type: 'string', path: 'owner' }, glob: 'x?', regex: '^x[^/]$' };
    const e = await loadWasmEngine(doc([policy('p', ['**'], { signature: false }, { when })]));
    const owners = { 'x\u{1F600}': 'p', 'x\uD800': 'p', 'xy': 'p', 'x/': null, 'x\u{1F600}y': null };
    for (const [owner, expected] of Object.entries(owners)) {
      expect(e.evaluate({ image: 'alpine', now: NOW, owner, signatures: [] }).policy).toBe(expected);
    }
  });
});
