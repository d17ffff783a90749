// The documents signing writes, built as pure data (signature-format.md): the
// io.atcr.manifest record, the signature payload, and the OCI artifact manifest.

import { EMPTY_CONFIG, MEDIA } from '../oci/media.js';

export const MANIFEST_COLLECTION = 'io.atcr.manifest';

export interface SubjectImage {
  digest: string;
  mediaType: string;
  size: number;
  schemaVersion: number;
}

export function manifestRecord(repository: string, image: SubjectImage, createdAt: string): Record<string, unknown> {
  return {
    $type: MANIFEST_COLLECTION,
    repository,
    digest: image.digest,
    mediaType: image.mediaType,
    schemaVersion: image.schemaVersion,
    createdAt,
  };
}

export interface PayloadInput {
  image: SubjectImage;
  /** registry + "/" + repository, as in `atcr.io/alice/myapp`. */
  imageName: string;
  did: string;
  handle: string;
  pds: string;
  record: { uri: string; cid: string };
  commit?: { cid: string; rev: string };
  algorithm: 'ES256K' | 'ES256';
  signedAt: string;
}

export function signaturePayload(p: PayloadInput): Record<string, unknown> {
  const atproto: Record<string, unknown> = { did: p.did, handle: p.handle, pds: p.pds, record: p.record };
  if (p.commit) atproto.commit = p.commit;
  return {
    $type: 'io.atcr.signature',
    version: 1,
    subject: { digest: p.image.digest, mediaType: p.image.mediaType, repository: p.imageName },
    atproto,
    signature: { algorithm: p.algorithm, keyId: `${p.did}#atproto` },
    signedAt: p.signedAt,
  };
}

export function artifactManifest(
  image: SubjectImage,
  payload: { digest: string; size: number },
  did: string,
  created: string,
): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    artifactType: MEDIA.atprotoSignature,
    config: { ...EMPTY_CONFIG },
    layers: [{ mediaType: MEDIA.atprotoSignature, digest: payload.digest, size: payload.size }],
    subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
    annotations: { 'io.atcr.signature.did': did, 'org.opencontainers.image.created': created },
  };
}
