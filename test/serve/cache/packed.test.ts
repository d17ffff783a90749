import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SignatureFact } from '../../../src/ir/decision.js';
import { compactFacts, type CacheableFacts, type ImageFacts } from '../../../src/serve/cache/facts.js';
import { PackedFacts, pack, unpack } from '../../../src/serve/cache/packed.js';
import { digestOf, sampleReport, validSignature } from './sample.js';

// Strings a packer could trip on: the separator, slashes, empty, non-Latin-1, lone surrogates.
const odd = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', '/', '\u0000', 'a\u0000b', '\u0000/', 'at://', 'at://did:plc:x/c/', '\ud800', '😀/x', '='),
  fc.array(fc.constantFrom('a', '/', '\u0000', ':', '='), { maxLength: 8 }).map((a) => a.join('')),
);
const realistic = fc.constantFrom(...[0, 1, 2, 3].map((s) => validSignature(s, digestOf('img'), `seed ${s}`)));
const FIELDS = ['valid', 'did', 'signedAt', 'handle', 'pds', 'algorithm', 'digest', 'recordUri', 'recordCid', 'commitCid', 'commitRev', 'keyId', 'error'] as const;

/** Absent four times in five. */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

/** A signature with any subset of the fields, in any order, with odd or realistic values. */
const signature = (imageDigest: string) =>
  fc
    .tuple(
      realistic,
      fc.shuffledSubarray([...FIELDS]),
      fc.dictionary(fc.constantFrom(...FIELDS), odd, { maxKeys: 3 }),
      fc.boolean(),
      fc.boolean(),
      rarely(fc.record({ code: odd, message: odd })),
      rarely(fc.constantFrom('future', 'extra', 'constructor', 'toString', '__proto__')),
    )
    .map(([base, order, overrides, valid, ownDigest, error, extra]) => {
      const s: Record<string, unknown> = {};
      for (const k of ['valid', 'did', ...order]) {
        if (k in s) continue;
        if (k === 'valid') s.valid = valid;
        else if (k === 'error') {
          if (error) s.error = error;
        } else if (k === 'digest') s.digest = ownDigest ? imageDigest : (overrides.digest ?? imageDigest);
        else s[k] = overrides[k] ?? (base as unknown as Record<string, unknown>)[k];
      }
      if (extra) s[extra] = 'x';
      return s as unknown as SignatureFact;
    });

const facts = fc
  .tuple(fc.oneof(fc.constant(digestOf('img')), odd), odd, odd, fc.array(odd, { maxLength: 2 }))
  .chain(([digest, repository, owner, notes]) =>
    fc.array(signature(digest), { maxLength: 3 }).map(
      (signatures): ImageFacts => ({ registry: 'atcr.io', repository, digest, owner, verified: signatures.some((s) => s.valid), signatures, notes }),
    ),
  );

/** Exactly equal: the same values and the same key order at every level, and frozen. */
function expectSame(got: CacheableFacts, want: CacheableFacts): void {
  expect(got).toStrictEqual(want);
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
  expect(got.signatures.map((s) => Object.keys(s))).toStrictEqual(want.signatures.map((s) => Object.keys(s)));
  expect(Object.isFrozen(got) && Object.isFrozen(got.signatures) && got.signatures.every((s) => Object.isFrozen(s))).toBe(true);
}

describe('packed facts (the memory tier form)', () => {
  it('unpack(pack(f)) is exactly f, for any facts, odd strings and key orders included', () => {
    let packed = 0;
    fc.assert(
      fc.property(facts, (f) => {
        const c = compactFacts(f);
        expectSame(unpack(pack(c)), c);
        // Twice from one packed entry: unpacking does not disturb what is stored.
        const p = pack(c);
        if (p instanceof PackedFacts) packed++;
        unpack(p);
        expectSame(unpack(p), c);
      }),
      { numRuns: 2000 },
    );
    // The generator reaches the packed form often, not only the kept-as-is one.
    expect(packed).toBeGreaterThan(200);
  });

  it('packs the kernel shape of valid signatures, and keeps what it cannot pack exactly as it was', () => {
    const c = compactFacts(sampleReport(7) as unknown as ImageFacts);
    expect(pack(c)).toBeInstanceOf(PackedFacts);
    expectSame(unpack(pack(c)), c);
    const sep = compactFacts({ ...c, signatures: [{ ...c.signatures[0]!, commitRev: 'a\u0000b' }] });
    expect(pack(sep)).toBe(sep);
    const otherDigest = compactFacts({ ...c, signatures: [{ ...c.signatures[0]!, digest: digestOf('other') }] });
    expect(pack(otherDigest)).toBe(otherDigest);
    const failed = compactFacts({ ...c, signatures: [{ valid: false, did: 'did:plc:x', error: { code: 'record-invalid', message: 'no' } }] });
    expect(pack(failed)).toBe(failed);
  });

  it('keeps a record URI without the usual at://did/collection/rkey form exactly', () => {
    const c = compactFacts(sampleReport(3) as unknown as ImageFacts);
    for (const recordUri of ['', 'rkey-only', 'at://did:plc:x/', '/', 'at://did:plc:x/c/r/extra']) {
      const f = compactFacts({ ...c, signatures: [{ ...c.signatures[0]!, recordUri }] });
      expect(pack(f)).toBeInstanceOf(PackedFacts);
      expectSame(unpack(pack(f)), f);
    }
  });
});
