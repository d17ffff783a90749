import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkArtifactManifest, SIGNATURE_ARTIFACT_TYPE } from '../../../src/kernel/proof/artifact.js';
import { codeOf } from './codes.js';
import { parsePayload, parseRecordUri } from '../../../src/kernel/proof/payload.js';

const IMAGE = `sha256:${'ab'.repeat(32)}`;
const DID = 'did:plc:abcdefghijklmnopqrstuvwx';
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;


const payload = (over: Record<string, unknown> = {}) => ({
  $type: 'io.atcr.signature',
  version: 1,
  subject: { digest: IMAGE, mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: 'atcr.io/alice/app' },
  atproto: { did: DID, handle: 'alice.test', pds: 'https://pds.example', record: { uri: `at://${DID}/io.atcr.manifest/3kaaaaaaaaaa2`, cid: 'bafy' } },
  signature: { algorithm: 'ES256K', keyId: `${DID}#atproto` },
  signedAt: '2026-11-20T08:00:00Z',
  ...over,
});

describe('payload', () => {
  it('reads the fields verification uses', () => {
    const bytes = enc(payload());
    const p = parsePayload(bytes, { digest: sha(bytes), size: bytes.length });
    expect(p).toMatchObject({ subjectDigest: IMAGE, did: DID, recordDid: DID, rkey: '3kaaaaaaaaaa2' });
    expect(p.hints.handle).toBe('alice.test');
  });

  it('checks the descriptor digest and size', () => {
    const bytes = enc(payload());
    expect(codeOf(() => parsePayload(bytes, { digest: sha(bytes), size: bytes.length + 1 }))).toBe('payload-invalid');
    expect(codeOf(() => parsePayload(bytes, { digest: IMAGE, size: bytes.length }))).toBe('payload-invalid');
  });

  it.each([
    ['wrong $type', { $type: 'x' }],
    ['wrong version', { version: 2 }],
    ['no subject', { subject: null }],
    ['bad DID', { atproto: { did: 'did:key:z', record: { uri: 'at://did:key:z/io.atcr.manifest/a' } } }],
    ['record in another collection', { atproto: { did: DID, record: { uri: `at://${DID}/app.bsky.feed.post/a` } } }],
    ['non-string hint', { signedAt: 5 }],
  ])('rejects %s', (_, over) => {
    expect(codeOf(() => parsePayload(enc(payload(over))))).toBe('payload-invalid');
  });

  it('refuses payloads over 64 KiB', () => {
    expect(codeOf(() => parsePayload(enc(payload({ pad: 'x'.repeat(70_000) }))))).toBe('payload-invalid');
  });

  it('never crashes on random bytes or random JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map((j) => enc(j))), (bytes) => {
        expect(['ok', 'payload-invalid']).toContain(codeOf(() => parsePayload(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('parses record URIs strictly', () => {
    expect(parseRecordUri(`at://${DID}/io.atcr.manifest/3k2`)).toEqual({ did: DID, rkey: '3k2' });
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(['ok', 'payload-invalid']).toContain(codeOf(() => parseRecordUri(s)));
      }),
    );
  });
});

describe('artifact manifest', () => {
  const layerBytes = enc(payload());
  const manifest = (over: Record<string, unknown> = {}) => ({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: SIGNATURE_ARTIFACT_TYPE,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
    layers: [{ mediaType: SIGNATURE_ARTIFACT_TYPE, digest: sha(layerBytes), size: layerBytes.length }],
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: IMAGE, size: 100 },
    ...over,
  });
  const check = (m: unknown, digest?: string) => {
    const bytes = enc(m);
    return codeOf(() => checkArtifactManifest(bytes, digest ?? sha(bytes), IMAGE));
  };

  it('accepts the spec example and returns the payload descriptor', () => {
    const bytes = enc(manifest());
    expect(checkArtifactManifest(bytes, sha(bytes), IMAGE)).toEqual({ digest: sha(layerBytes), size: layerBytes.length });
  });

  it.each([
    ['another subject', { subject: { mediaType: 'x', digest: `sha256:${'0'.repeat(64)}`, size: 1 } }],
    ['another artifact type', { artifactType: 'application/vnd.dev.cosign' }],
    ['two layers', { layers: [manifest().layers[0], manifest().layers[0]] }],
    ['a layer of another type', { layers: [{ ...manifest().layers[0], mediaType: 'text/plain' }] }],
    ['schemaVersion 1', { schemaVersion: 1 }],
  ])('rejects %s', (_, over) => {
    expect(check(manifest(over))).toBe('artifact-invalid');
  });

  it('rejects bytes that do not hash to the descriptor digest', () => {
    expect(check(manifest(), IMAGE)).toBe('artifact-invalid');
  });

  it('never crashes on random bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map(enc)), (bytes) => {
        expect(['ok', 'artifact-invalid']).toContain(codeOf(() => checkArtifactManifest(bytes, sha(bytes), IMAGE)));
      }),
      { numRuns: 500 },
    );
  });
});
