// The nine steps on recorded bytes with no servers: bundles built in memory from a real
// signed repository, each edited so that exactly one step fails, in the spec's order.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../../src/kernel/bundle/format.js';
import { verifyImage } from '../../../src/kernel/verify.js';
import { makeRepo, manifestRecord } from '../proof/repo-fixture.js';

const DID = 'did:web:signer.example.com';
const RKEY = '3kaaaaaaaaaa2';
const REF = 'registry.example.com/alice/app:1.0';
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const IMAGE_MANIFEST = enc({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] });
const IMAGE = sha(IMAGE_MANIFEST);
const OTHER = `sha256:${'0'.repeat(64)}`;

interface Knobs {
  artifactSubject?: string;
  payloadSize?: number;
  payloadSubject?: string;
  documentId?: string;
  recordUriDid?: string;
  otherSigningKey?: boolean;
  /** The signer deleted the record: the repository no longer has it. */
  deleted?: boolean;
  /** The CAR proves another key's path: it shows the record's entry but not its block. */
  proofFor?: string;
  recordDigest?: string;
  recordRepository?: string;
}

/** A one-signature bundle for REF whose signer is a did:web with a real signed repository. */
async function bundle(k: Knobs = {}): Promise<Bundle> {
  const records: Record<string, Record<string, unknown>> = k.deleted ? {} : { [RKEY]: manifestRecord(k.recordDigest ?? IMAGE, k.recordRepository ?? 'alice/app') };
  const repo = await makeRepo(records, { filler: 10, did: DID });
  const stranger = await makeRepo({}, { filler: 0, did: DID });
  const docKey = (k.otherSigningKey ? stranger : repo).didKey;
  const document = {
    id: k.documentId ?? DID,
    alsoKnownAs: ['at://alice.example.com'],
    verificationMethod: [{ id: '#atproto', type: 'Multikey', controller: DID, publicKeyMultibase: docKey.slice('did:key:'.length) }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
  };
  const payload = enc({
    $type: 'io.atcr.signature',
    version: 1,
    subject: { digest: k.payloadSubject ?? IMAGE, mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: REF },
    atproto: { did: DID, record: { uri: `at://${k.recordUriDid ?? DID}/io.atcr.manifest/${RKEY}`, cid: 'bafy' } },
  });
  const artifact = enc({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.atproto.signature.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
    layers: [{ mediaType: 'application/vnd.atproto.signature.v1+json', digest: sha(payload), size: k.payloadSize ?? payload.length }],
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: k.artifactSubject ?? IMAGE, size: IMAGE_MANIFEST.length },
  });
  return {
    version: 1,
    createdAt: '2026-11-25T12:00:00Z',
    image: { reference: REF, digest: IMAGE, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifest: IMAGE_MANIFEST },
    signatures: [
      {
        artifactDigest: sha(artifact),
        artifactManifest: artifact,
        payload,
        did: DID,
        didDocument: enc(document),
        proof: await repo.proof(k.proofFor ?? RKEY),
      },
    ],
  };
}

async function outcome(k: Knobs) {
  const report = await verifyImage({ image: REF, bundle: await bundle(k) });
  const fact = report.signatures[0]!;
  return { code: fact.error?.code ?? 'valid', steps: report.timings.signatures[0]!.steps.map((s) => s.step) };
}

describe('the nine steps, offline, on recorded bytes', () => {
  it('accepts the untouched bundle after all nine steps, marking the did:web unproven', async () => {
    const report = await verifyImage({ image: REF, bundle: await bundle() });
    expect(report.signatures[0]).toMatchObject({
      valid: true,
      did: DID,
      handle: 'alice.example.com',
      pds: 'https://pds.example.com',
      algorithm: 'ES256K',
      keyId: `${DID}#atproto`,
      digest: IMAGE,
      recordUri: `at://${DID}/io.atcr.manifest/${RKEY}`,
    });
    expect(report.timings.signatures[0]!.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(report.unprovenDids).toEqual([DID]);
    expect(report.notes.join(' ')).toContain('taken from the bundle');
  });

  it.each([
    [1, 'artifact-invalid', { artifactSubject: OTHER }],
    [2, 'payload-invalid', { payloadSize: 3 }],
    [3, 'subject-mismatch', { payloadSubject: OTHER }],
    [4, 'did-document-invalid', { documentId: 'did:web:someone-else.example.com' }],
    [5, 'proof-unavailable', { recordUriDid: 'did:web:someone-else.example.com' }],
    [6, 'commit-signature-invalid', { otherSigningKey: true }],
    [7, 'record-deleted', { deleted: true }],
    [7, 'proof-invalid', { proofFor: '3kzzzzzzzzzz2' }],
    [8, 'record-digest-mismatch', { recordDigest: OTHER }],
    [9, 'repository-mismatch', { recordRepository: 'alice/other' }],
  ] as const)('step %i fails with %s and stops there', async (step, code, knobs) => {
    const o = await outcome(knobs);
    expect(o.code).toBe(code);
    expect(o.steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].slice(0, step));
  });
});
