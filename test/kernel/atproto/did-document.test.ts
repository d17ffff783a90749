import * as acrypto from '@atproto/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDidDocument } from '../../../src/kernel/atproto/did-document.js';
import { didWebUrl } from '../../../src/kernel/atproto/did-resolver.js';
import { codeOf } from '../proof/codes.js';

const DID = 'did:plc:abcdefghijklmnopqrstuvwx';
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));


async function doc(method: Record<string, unknown>, over: Record<string, unknown> = {}) {
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: DID,
    alsoKnownAs: ['at://Alice.Example.com'],
    verificationMethod: [{ id: `${DID}#atproto`, controller: DID, ...method }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com/' }],
    ...over,
  };
}

describe('DID documents', () => {
  it('reads a Multikey document: key, PDS and handle', async () => {
    const key = await acrypto.Secp256k1Keypair.create();
    const d = parseDidDocument(enc(await doc({ type: 'Multikey', publicKeyMultibase: key.did().slice('did:key:'.length) })), DID);
    expect(d).toMatchObject({ did: DID, pds: 'https://pds.example.com', handle: 'alice.example.com', keyId: `${DID}#atproto` });
    expect(d.key.algorithm).toBe('ES256K');
    expect(d.key.didKey).toBe(key.did());
  });

  it('reads the legacy secp256k1 and P-256 key types', async () => {
    for (const [type, kp, alg] of [
      ['EcdsaSecp256k1VerificationKey2019', await acrypto.Secp256k1Keypair.create(), 'ES256K'],
      ['EcdsaSecp256r1VerificationKey2019', await acrypto.P256Keypair.create(), 'ES256'],
    ] as const) {
      const raw = acrypto.parseDidKey(kp.did()).keyBytes;
      const d = parseDidDocument(enc(await doc({ type, publicKeyMultibase: acrypto.bytesToMultibase(raw, 'base58btc') })), DID);
      expect(d.key.algorithm).toBe(alg);
      expect(d.key.didKey).toBe(kp.did());
    }
  });

  it.each([
    ['another id', { id: 'did:plc:zzzzzzzzzzzzzzzzzzzzzzzz' }],
    ['no #atproto key', { verificationMethod: [] }],
    ['no #atproto_pds service', { service: [] }],
    ['a PDS that is not http(s)', { service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'ftp://x' }] }],
    ['alsoKnownAs not strings', { alsoKnownAs: [1] }],
  ])('rejects a document with %s', async (_, over) => {
    const key = await acrypto.Secp256k1Keypair.create();
    const d = await doc({ type: 'Multikey', publicKeyMultibase: key.did().slice(8) }, over);
    expect(codeOf(() => parseDidDocument(enc(d), DID))).toBe('did-document-invalid');
  });

  it('rejects an unknown key type and a point that is not on the curve', async () => {
    const d1 = await doc({ type: 'JsonWebKey2020', publicKeyMultibase: 'zabc' });
    expect(codeOf(() => parseDidDocument(enc(d1), DID))).toBe('did-document-invalid');
    const d2 = await doc({ type: 'EcdsaSecp256k1VerificationKey2019', publicKeyMultibase: acrypto.bytesToMultibase(new Uint8Array([2, ...new Uint8Array(32).fill(0xff)]), 'base58btc') });
    expect(codeOf(() => parseDidDocument(enc(d2), DID))).toBe('did-document-invalid');
  });

  it('refuses documents over 64 KiB', async () => {
    const d = await doc({ type: 'Multikey', publicKeyMultibase: 'z' }, { pad: 'x'.repeat(70_000) });
    expect(codeOf(() => parseDidDocument(enc(d), DID))).toBe('did-document-invalid');
  });

  it('never crashes on random bytes or random JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map(enc)), (bytes) => {
        expect(['ok', 'did-document-invalid']).toContain(codeOf(() => parseDidDocument(bytes, DID)));
      }),
      { numRuns: 500 },
    );
  });

  it('never crashes on random verification methods', () => {
    fc.assert(
      fc.property(fc.record({ type: fc.constantFrom('Multikey', 'EcdsaSecp256k1VerificationKey2019', 'EcdsaSecp256r1VerificationKey2019', 'x'), publicKeyMultibase: fc.string() }), (m) => {
        const d = { id: DID, verificationMethod: [{ id: '#atproto', ...m }], service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://p' }] };
        expect(['ok', 'did-document-invalid']).toContain(codeOf(() => parseDidDocument(enc(d), DID)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('did:web', () => {
  it('maps host-level DIDs to their well-known document', () => {
    expect(didWebUrl('did:web:example.com')).toBe('https://example.com/.well-known/did.json');
    expect(didWebUrl('did:web:localhost%3A8443')).toBe('https://localhost:8443/.well-known/did.json');
  });
  it('refuses paths and odd hosts', () => {
    expect(codeOf(() => didWebUrl('did:web:example.com:user:alice'))).toBe('did-resolution-failed');
    expect(codeOf(() => didWebUrl('did:web:exa%2Fmple.com'))).toBe('did-resolution-failed');
    expect(codeOf(() => didWebUrl('did:web:%zz'))).toBe('did-resolution-failed');
  });
});
