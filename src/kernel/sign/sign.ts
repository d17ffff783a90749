// Signing an image: resolve it in the registry, log in to the signer's PDS, write the
// io.atcr.manifest record (the PDS's commit signature is the actual signature), then
// push the OCI artifact that points at the record, and list it in the tag-schema index
// when the registry has no referrers API.

import { parseImageRef } from '../../ref/reference.js';
import { parsePublicKey } from '../crypto/keys.js';
import { computeDigest } from '../oci/digest.js';
import { OciError } from '../oci/errors.js';
import { addToFallbackIndex, type FallbackIndexOptions } from '../oci/fallback-index.js';
import { MEDIA, type Descriptor } from '../oci/media.js';
import { RegistryClient } from '../oci/client.js';
import type { RegistryOptions } from '../oci/transport.js';
import { MANIFEST_COLLECTION, artifactManifest, manifestRecord, signaturePayload, type SubjectImage } from './artifact.js';
import { SignError } from './errors.js';
import { DEFAULT_OWNER_REGISTRIES, recordRepository } from '../verify/owner.js';
import { createRecord, createSession, repoSigningKey } from './xrpc.js';

export interface SignOptions {
  image: string;
  pds: string;
  identifier: string;
  password: string;
  /** The record's `repository`; default what verifiers expect for this registry. */
  recordRepository?: string;
  /** Registries whose first path segment is the owner (default atcr.io), as for verify. */
  ownerRegistries?: string[];
  registry?: RegistryOptions;
  timeoutMs?: number;
  now?: () => Date;
  fallbackIndex?: FallbackIndexOptions;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM) for the registry and the PDS, for this call only. */
  ca?: string;
}

export interface SignResult {
  image: string;
  digest: string;
  did: string;
  handle: string;
  recordUri: string;
  recordCid: string;
  commitCid?: string;
  commitRev?: string;
  artifactDigest: string;
  /** How verifiers find the artifact: the registry's referrers API or the fallback tag. */
  discovery: 'referrers-api' | 'tag-schema';
}

function registryFailure(e: unknown, what: string): SignError {
  if (e instanceof OciError) {
    const code = e.code === 'network' ? 'registry-unavailable' : e.code === 'auth-failed' ? 'registry-auth-failed' : 'registry-error';
    return new SignError(code, `${what}: ${e.message}`, { cause: e });
  }
  return new SignError('registry-error', `${what}: ${(e as Error).message}`, { cause: e });
}

async function onRegistry<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw registryFailure(e, what);
  }
}

export async function signImage(opts: SignOptions): Promise<SignResult> {
  const ref = parseImageRef(opts.image);
  if (!ref) throw new SignError('reference-invalid', `${opts.image} is not a valid image reference`);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const now = (opts.now ?? (() => new Date()))().toISOString();
  let pdsOrigin: string;
  try {
    pdsOrigin = new URL(opts.pds).origin;
  } catch (cause) {
    throw new SignError('pds-error', `the PDS ${opts.pds} is not a URL`, { cause });
  }
  const client = RegistryClient.forImage(ref, { timeoutMs, signal: opts.signal, ...(opts.ca !== undefined ? { ca: opts.ca } : {}), ...opts.registry });

  // 1. The image: its digest comes from the bytes, whatever the tag says.
  const fetched = await onRegistry(`cannot resolve ${opts.image}`, () => client.resolve(ref));
  const image: SubjectImage = {
    digest: fetched.digest,
    mediaType: fetched.mediaType,
    size: fetched.size,
    schemaVersion: fetched.manifest.schemaVersion,
  };

  // The empty config blob now: it proves push access before anything is written to the
  // PDS, so a registry that refuses us leaves no orphan record behind.
  await onRegistry(`cannot push to ${ref.name}`, () => client.putBlob(new TextEncoder().encode('{}')));

  // 2. The record: this write is what the PDS signs.
  const pdsOpts = { timeoutMs, signal: opts.signal, ca: opts.ca };
  const session = await createSession(opts.pds, opts.identifier, opts.password, pdsOpts);
  const signingKey = await repoSigningKey(opts.pds, session, pdsOpts);
  let algorithm: 'ES256K' | 'ES256' = 'ES256K';
  try {
    if (signingKey) algorithm = parsePublicKey(signingKey).algorithm;
  } catch {
    algorithm = 'ES256K'; // a hint only; verifiers take the key from the DID document
  }
  const record = await createRecord(
    opts.pds,
    session,
    MANIFEST_COLLECTION,
    manifestRecord(opts.recordRepository ?? recordRepository(ref, opts.ownerRegistries ?? DEFAULT_OWNER_REGISTRIES), image, now),
    pdsOpts,
  );

  // 3. The artifact: empty config, the payload as its one layer, the image as subject.
  const payloadBytes = new TextEncoder().encode(
    JSON.stringify(
      signaturePayload({
        image,
        imageName: ref.name,
        did: session.did,
        handle: session.handle,
        pds: pdsOrigin,
        record: { uri: record.uri, cid: record.cid },
        commit: record.commit,
        algorithm,
        signedAt: now,
      }),
    ),
  );
  const pushArtifact = async () => {
    await client.putBlob(new TextEncoder().encode('{}'));
    const payload = await client.putBlob(payloadBytes);
    const artifactBytes = new TextEncoder().encode(JSON.stringify(artifactManifest(image, payload, session.did, now)));
    return client.putManifest(computeDigest(artifactBytes), artifactBytes, MEDIA.ociManifest);
  };
  const pushed = await onRegistry(`cannot push the signature for ${opts.image}`, async () => {
    try {
      return await pushArtifact();
    } catch (e) {
      // distribution 2.8's filesystem storage can lose a blob that two uploads committed at
      // once (two signers, one empty config blob): its manifest push then names a blob it
      // no longer has. Once more, re-uploading what is missing, and the record is not orphaned.
      if (!(e instanceof OciError && e.code === 'blob-unknown')) throw e;
      return pushArtifact();
    }
  });

  // 4. Discovery: a registry that took the subject says so (OCI-Subject) or serves the
  // referrers API; otherwise the artifact must be listed in the fallback tag index.
  let discovery: SignResult['discovery'] = 'referrers-api';
  const supported = pushed.subject === image.digest || (await onRegistry('cannot query referrers', () => client.hasReferrersApi(image.digest)));
  if (!supported) {
    discovery = 'tag-schema';
    const descriptor: Descriptor = {
      mediaType: MEDIA.ociManifest,
      digest: pushed.digest,
      size: pushed.size,
      artifactType: MEDIA.atprotoSignature,
      annotations: { 'io.atcr.signature.did': session.did, 'org.opencontainers.image.created': now },
    };
    await onRegistry('cannot update the referrers fallback index', () =>
      addToFallbackIndex(client, image.digest, descriptor, opts.fallbackIndex),
    );
  }

  const result: SignResult = {
    image: ref.name,
    digest: image.digest,
    did: session.did,
    handle: session.handle,
    recordUri: record.uri,
    recordCid: record.cid,
    artifactDigest: pushed.digest,
    discovery,
  };
  if (record.commit) {
    result.commitCid = record.commit.cid;
    result.commitRev = record.commit.rev;
  }
  return result;
}
