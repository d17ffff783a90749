// The offline evidence source on its own: did:web documents are used as bundled and
// flagged unproven; did:plc needs its operation log.

import * as acrypto from '@atproto/crypto';
import { describe, expect, it } from 'vitest';
import { BundleSource } from '../../../src/kernel/verify/offline.js';
import type { Bundle } from '../../../src/kernel/bundle/format.js';
import { codeOfAsync } from '../proof/codes.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const DIGEST = `sha256:${'ab'.repeat(32)}`;

async function bundleFor(did: string, extra: Partial<Bundle['signatures'][number]> = {}): Promise<Bundle> {
  const key = await acrypto.P256Keypair.create();
  const doc = {
    id: did,
    verificationMethod: [{ id: '#atproto', type: 'Multikey', publicKeyMultibase: key.did().slice(8) }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
  };
  return {
    version: 1,
    createdAt: '2026-11-25T12:00:00Z',
    image: { reference: 'example.com/a/b:1', digest: DIGEST, mediaType: 'x', manifest: enc({}) },
    signatures: [{ artifactDigest: DIGEST, artifactManifest: enc({}), did, didDocument: enc(doc), ...extra }],
  };
}

const artifact = { mediaType: 'x', digest: DIGEST, size: 2 };

describe('offline evidence', () => {
  it('takes a did:web document from the bundle and marks it unproven', async () => {
    const did = 'did:web:signer.example.com';
    const src = new BundleSource(await bundleFor(did));
    const resolved = await src.didDocument(artifact, did);
    expect(resolved.unproven).toBe(true);
    expect(resolved.doc.key.algorithm).toBe('ES256');
  });

  it('refuses a did:plc document without its operation log', async () => {
    const did = 'did:plc:abcdefghijklmnopqrstuvwx';
    const src = new BundleSource(await bundleFor(did));
    expect(await codeOfAsync(src.didDocument(artifact, did))).toBe('did-document-invalid');
  });

  it('refuses a document for another DID than the payload names', async () => {
    const src = new BundleSource(await bundleFor('did:web:a.example.com'));
    expect(await codeOfAsync(src.didDocument(artifact, 'did:web:b.example.com'))).toBe('did-resolution-failed');
  });

  it('reports missing evidence with the step’s code', async () => {
    const src = new BundleSource(await bundleFor('did:web:a.example.com'));
    expect(await codeOfAsync(src.payload(artifact))).toBe('payload-invalid');
    expect(await codeOfAsync(src.recordProof(artifact))).toBe('proof-unavailable');
  });
});
