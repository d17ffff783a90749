// Where verification gets its evidence. Online, from the registry, the PLC directory or
// did:web host, and the PDS; offline, from a bundle. The nine steps (steps.ts) see only
// this interface, so both modes run the very same checks.

import type { DidDocument } from '../atproto/did-document.js';
import type { PayloadDescriptor } from '../proof/artifact.js';
import type { Descriptor } from '../oci/media.js';

export interface ImageEvidence {
  digest: string;
  mediaType: string;
  manifest: Uint8Array;
}

export interface ResolvedDocument {
  doc: DidDocument;
  /** Offline did:web: the document could not be proven and was taken from the bundle as is. */
  unproven?: boolean;
}

export interface EvidenceSource {
  readonly offline: boolean;
  /** Discovery 1: the image's digest and manifest. */
  image(): Promise<ImageEvidence>;
  /** Discovery 2: signature artifact descriptors referring to the image. */
  signatures(imageDigest: string): Promise<Descriptor[]>;
  /** Step 1: the artifact manifest bytes (checked by the caller). */
  artifactManifest(artifact: Descriptor): Promise<Uint8Array>;
  /** Step 2: the payload blob bytes (checked by the caller). */
  payload(artifact: Descriptor, payload: PayloadDescriptor): Promise<Uint8Array>;
  /** Step 4: the signer's DID document, parsed and checked for `did`. */
  didDocument(artifact: Descriptor, did: string): Promise<ResolvedDocument>;
  /** Step 5: the getRecord CAR from the signer's PDS. */
  recordProof(artifact: Descriptor, pds: string, did: string, rkey: string): Promise<Uint8Array>;
}

/**
 * Discovery failed: no facts can be produced. `kind` picks the exit code: `usage` is the
 * caller's mistake (a bad reference, a bundle for another image), `not-found` and
 * `invalid` are definite answers about the image, `unavailable` means we could not ask.
 */
export class DiscoveryError extends Error {
  constructor(
    readonly kind: 'usage' | 'not-found' | 'unavailable' | 'invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DiscoveryError';
  }
}
