// Evidence from an offline bundle. Nothing here is trusted more than the network would
// be: the same nine checks run on these bytes. A did:plc document is re-derived from its
// signed operation log (and must agree with the bundled document); a did:web document
// cannot be proven offline and is marked as taken from the bundle.

import { parseDidDocument } from '../atproto/did-document.js';
import { deriveDidDocument, sameDocument } from '../atproto/plc-log.js';
import type { Bundle, BundleSignature } from '../bundle/format.js';
import type { Descriptor } from '../oci/media.js';
import { VerifyError, type VerifyCode } from '../proof/errors.js';
import { matchesDigest } from '../oci/digest.js';
import { DiscoveryError, type EvidenceSource, type ImageEvidence, type ResolvedDocument } from './source.js';

export class BundleSource implements EvidenceSource {
  readonly offline = true;
  private readonly byDigest: Map<string, BundleSignature>;

  constructor(private readonly bundle: Bundle) {
    this.byDigest = new Map(bundle.signatures.map((s) => [s.artifactDigest, s]));
  }

  private entry(artifact: Descriptor): BundleSignature {
    return this.byDigest.get(artifact.digest)!;
  }

  private missing(code: VerifyCode, what: string): never {
    throw new VerifyError(code, `the bundle has no ${what} for this signature`);
  }

  async image(): Promise<ImageEvidence> {
    const { digest, mediaType, manifest } = this.bundle.image;
    if (!matchesDigest(manifest, digest)) throw new DiscoveryError('usage', `the bundle's image manifest does not hash to ${digest}`);
    return { digest, mediaType, manifest };
  }

  async signatures(): Promise<Descriptor[]> {
    // Artifact type and subject are checked in step 1 against the manifest bytes themselves.
    return this.bundle.signatures.map((s) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: s.artifactDigest,
      size: s.artifactManifest.byteLength,
      ...(s.did ? { annotations: { 'io.atcr.signature.did': s.did } } : {}),
    }));
  }

  async artifactManifest(artifact: Descriptor): Promise<Uint8Array> {
    return this.entry(artifact).artifactManifest;
  }

  async payload(artifact: Descriptor): Promise<Uint8Array> {
    return this.entry(artifact).payload ?? this.missing('payload-invalid', 'payload');
  }

  async didDocument(artifact: Descriptor, did: string): Promise<ResolvedDocument> {
    const e = this.entry(artifact);
    if (e.did !== did) this.missing('did-resolution-failed', `DID document of ${did}`);
    if (!e.didDocument) this.missing('did-resolution-failed', `DID document of ${did}`);
    const bundled = parseDidDocument(e.didDocument, did);
    if (did.startsWith('did:plc:')) {
      if (!e.plcAuditLog) this.missing('did-document-invalid', `PLC operation log of ${did}`);
      const derived = await deriveDidDocument(did, e.plcAuditLog);
      if (!sameDocument(derived, bundled)) {
        throw new VerifyError('did-document-invalid', `the bundled DID document of ${did} disagrees with its operation log`);
      }
      return { doc: derived };
    }
    return { doc: bundled, unproven: true };
  }

  async recordProof(artifact: Descriptor): Promise<Uint8Array> {
    return this.entry(artifact).proof ?? this.missing('proof-unavailable', 'record proof');
  }
}
