import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createECDH, createPrivateKey, sign } from 'node:crypto';
import * as atcrypto from '@atproto/crypto';
import {
  CryptoError,
  parseDidKey,
  parsePublicKey,
  parseVerificationMethod,
  verifySignature,
  verifyWithKeyAsync,
} from '../../../src/kernel/crypto/index.js';
import { decodeBase58btc, encodeBase58btc } from '../../../src/kernel/crypto/base58.js';

const dir = new URL('../../fixtures/atproto-interop/crypto/', import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T;

interface SigFixture {
  comment: string;
  messageBase64: string;
  algorithm: 'ES256' | 'ES256K';
  didDocSuite: string;
  publicKeyDid: string;
  publicKeyMultibase: string;
  signatureBase64: string;
  validSignature: boolean;
}
const sigFixtures = load<SigFixture[]>('signature-fixtures.json');
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

describe('ATProto signature fixtures', () => {
  it.each(sigFixtures.map((f) => [f.comment, f] as const))('%s', (_name, f) => {
    const msg = b64(f.messageBase64);
    const sig = b64(f.signatureBase64);
    expect(verifySignature(f.publicKeyDid, msg, sig)).toBe(f.validSignature);
    // The legacy DID document form of the same key gives the same answer.
    const key = parseVerificationMethod({ type: f.didDocSuite, publicKeyMultibase: f.publicKeyMultibase });
    expect(key.algorithm).toBe(f.algorithm);
    expect(key.didKey).toBe(f.publicKeyDid);
  });

  it('covers high-S and DER rejections for both curves', () => {
    const invalid = sigFixtures.filter((f) => !f.validSignature).map((f) => f.comment);
    expect(invalid.filter((c) => c.includes('non-low-S'))).toHaveLength(2);
    expect(invalid.filter((c) => c.includes('DER'))).toHaveLength(2);
  });
});

function keyFromScalar(alg: 'ES256K' | 'ES256', hex: string) {
  const curve = alg === 'ES256K' ? 'secp256k1' : 'prime256v1';
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(Buffer.from(hex, 'hex'));
  const pub = ecdh.getPublicKey();
  const jwk = {
    kty: 'EC',
    crv: alg === 'ES256K' ? 'secp256k1' : 'P-256',
    d: Buffer.from(hex, 'hex').toString('base64url'),
    x: pub.subarray(1, 33).toString('base64url'),
    y: pub.subarray(33).toString('base64url'),
  };
  return { priv: createPrivateKey({ key: jwk, format: 'jwk' }), compressed: ecdh.getPublicKey(null, 'compressed') };
}

function base58ToHex(s: string): string {
  const A = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = 0n;
  for (const c of s) n = n * 58n + BigInt(A.indexOf(c));
  return n.toString(16).padStart(64, '0');
}

describe('W3C did:key vectors', () => {
  const k256 = load<{ privateKeyBytesHex: string; publicDidKey: string }[]>('w3c_didkey_K256.json');
  const p256 = load<{ privateKeyBytesBase58: string; publicDidKey: string }[]>('w3c_didkey_P256.json');
  const cases = [
    ...k256.map((v) => ({ alg: 'ES256K' as const, hex: v.privateKeyBytesHex, did: v.publicDidKey })),
    ...p256.map((v) => ({ alg: 'ES256' as const, hex: base58ToHex(v.privateKeyBytesBase58), did: v.publicDidKey })),
  ];

  it.each(cases.map((c) => [c.did, c] as const))('%s parses to its own key and verifies', (_d, c) => {
    const key = parseDidKey(c.did);
    expect(key.algorithm).toBe(c.alg);
    const { priv, compressed } = keyFromScalar(c.alg, c.hex);
    expect(Buffer.from(key.point).equals(compressed)).toBe(true);
    expect(key.didKey).toBe(c.did);
    const msg = new TextEncoder().encode('atcr signature test');
    let sig: Uint8Array = new Uint8Array(sign('sha256', msg, { key: priv, dsaEncoding: 'ieee-p1363' }));
    sig = lowS(c.alg, sig);
    expect(verifySignature(c.did, msg, sig)).toBe(true);
    expect(verifySignature(c.did, new TextEncoder().encode('other'), sig)).toBe(false);
  });
});

const N = {
  ES256K: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};
function lowS(alg: 'ES256K' | 'ES256', sig: Uint8Array): Uint8Array {
  const s = BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex'));
  if (s <= N[alg] >> 1n) return sig;
  const out = new Uint8Array(sig);
  out.set(Buffer.from((N[alg] - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}
function highS(alg: 'ES256K' | 'ES256', sig: Uint8Array): Uint8Array {
  const low = lowS(alg, sig);
  const s = BigInt('0x' + Buffer.from(low.subarray(32)).toString('hex'));
  const out = new Uint8Array(low);
  out.set(Buffer.from((N[alg] - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

describe('agreement with @atproto/crypto', () => {
  for (const [alg, make] of [
    ['ES256K', () => atcrypto.Secp256k1Keypair.create()],
    ['ES256', () => atcrypto.P256Keypair.create()],
  ] as const) {
    it(`${alg}: accepts its signatures and rejects their high-S twins`, async () => {
      const kp = await make();
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (msg) => {
          const sig = await kp.sign(msg);
          expect(verifySignature(kp.did(), msg, sig)).toBe(true);
          expect(await atcrypto.verifySignature(kp.did(), msg, sig)).toBe(true);
          expect(await verifyWithKeyAsync(parsePublicKey(kp.did()), msg, sig)).toBe(true);
          const twin = highS(alg, sig);
          expect(await verifyWithKeyAsync(parsePublicKey(kp.did()), msg, twin)).toBe(false);
          expect(verifySignature(kp.did(), msg, twin)).toBe(false);
          expect(await atcrypto.verifySignature(kp.did(), msg, twin)).toBe(false);
        }),
        { numRuns: 25 },
      );
    });
  }
});

describe('legacy uncompressed keys', () => {
  it('parse to the same did:key and verify the same signatures', () => {
    const { priv } = keyFromScalar('ES256K', '9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0c');
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(Buffer.from('9085d2bef69286a6cbb51623c8fa258629945cd55ca705cc4e66700396894e0c', 'hex'));
    const uncompressed = ecdh.getPublicKey();
    const key = parseVerificationMethod({ type: 'EcdsaSecp256k1VerificationKey2019', publicKeyMultibase: 'z' + encodeBase58btc(uncompressed) });
    expect(key.didKey).toBe('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme');
    const msg = new Uint8Array([1, 2, 3]);
    const sig = lowS('ES256K', new Uint8Array(sign('sha256', msg, { key: priv, dsaEncoding: 'ieee-p1363' })));
    expect(verifySignature(key.didKey, msg, sig)).toBe(true);
  });
});

describe('malformed input', () => {
  const did = sigFixtures[1]!.publicKeyDid;
  it('never accepts random signatures and never throws for them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (sig) => verifySignature(did, new Uint8Array(3), sig) === false));
  });

  it('fails random key strings with a CryptoError code, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `did:key:z${s}`), fc.string().map((s) => `z${s}`)), (s) => {
        try {
          parsePublicKey(s);
          return true;
        } catch (e) {
          return e instanceof CryptoError && ['key-invalid', 'key-unsupported'].includes(e.code);
        }
      }),
    );
  });

  it('rejects a compressed point that is not on the curve', () => {
    // x = 5 has no y on secp256k1 (5^3 + 7 = 132 is a non-residue mod p).
    const bad = new Uint8Array(33);
    bad[0] = 2;
    bad[32] = 5;
    const mb = 'z' + encodeBase58btc(bad);
    expect(() => parseVerificationMethod({ type: 'EcdsaSecp256k1VerificationKey2019', publicKeyMultibase: mb })).toThrowError(
      expect.objectContaining({ code: 'key-invalid' }),
    );
  });

  it('rejects unsupported key types and methods', () => {
    expect(() => parseVerificationMethod({ type: 'Ed25519VerificationKey2020', publicKeyMultibase: 'z6Mk' })).toThrow(CryptoError);
    expect(() => parseDidKey('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toThrowError(
      expect.objectContaining({ code: 'key-unsupported' }),
    );
  });
});

describe('base58btc', () => {
  it('round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => Buffer.from(decodeBase58btc(encodeBase58btc(b))!).equals(Buffer.from(b))));
  });
});
