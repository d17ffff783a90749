// Evidence from the network: the registry (through the OCI client), the DID's PLC
// directory or did:web host, and the PDS the DID document names. With a recorder, every
// byte read is also kept for an offline bundle (export).

import type { DidResolver } from '../atproto/did-resolver.js';
import type { RequestGate } from '../net/http.js';
import { type FetchPolicy, getBytes } from '../atproto/fetch.js';
import type { BundleSignature } from '../bundle/format.js';
import { RegistryClient } from '../oci/client.js';
import type { RegistryPool } from '../oci/pool.js';
import { OciError } from '../oci/errors.js';
import type { Descriptor } from '../oci/media.js';
import type { RegistryOptions } from '../oci/transport.js';
import { MAX_ARTIFACT_BYTES, SIGNATURE_ARTIFACT_TYPE, type PayloadDescriptor } from '../proof/artifact.js';
import { MAX_CAR_BYTES } from '../proof/car.js';
import { VerifyError, type VerifyCode } from '../proof/errors.js';
import { MAX_PAYLOAD_BYTES } from '../proof/payload.js';
import { MANIFEST_COLLECTION } from '../proof/record-proof.js';
import type { ImageRef } from '../../ref/reference.js';
import { DiscoveryError, type EvidenceSource, type ImageEvidence, type ResolvedDocument } from './source.js';

export interface OnlineOptions {
  registry: RegistryOptions;
  timeoutMs: number;
  /** URLs from DID documents and payloads may reach loopback/private addresses (tests, local development). */
  allowPrivateNetwork: boolean;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM) for the PDS. */
  ca?: string;
  /** Registry grants shared across verifications; without it the client starts anonymous. */
  pool?: RegistryPool;
  /** Per-host request slots for the PDS requests (net/http.ts RequestGate). */
  gate?: RequestGate;
}

/** Evidence kept for export: the image, and per artifact (by digest) what was read. */
export interface Recording {
  image?: ImageEvidence;
  signatures: Map<string, BundleSignature>;
}

/** Registry failures that mean "could not ask", not "the answer is no". */
function ociUnavailable(err: OciError): boolean {
  return err.code === 'network' || err.code === 'auth-failed' || (err.code === 'registry-error' && (err.status ?? 0) >= 500);
}

function stepError(err: unknown, code: VerifyCode): never {
  if (err instanceof VerifyError) throw err;
  if (err instanceof OciError) throw new VerifyError(code, err.message, { cause: err, unavailable: ociUnavailable(err) });
  throw err;
}

export class OnlineSource implements EvidenceSource {
  readonly offline = false;
  readonly client: RegistryClient;
  private readonly pdsPolicy: FetchPolicy;
  private readonly signal: AbortSignal | undefined;

  constructor(
    readonly ref: ImageRef,
    opts: OnlineOptions,
    /** Shared with owner resolution, so one cache serves both. */
    readonly dids: DidResolver,
    private readonly recording?: Recording,
  ) {
    this.client = opts.pool ? opts.pool.client(ref, opts.signal) : RegistryClient.forImage(ref, opts.registry);
    this.signal = opts.signal;
    // A PDS on plain http is only acceptable where private networks are (local development).
    this.pdsPolicy = {
      timeoutMs: opts.timeoutMs,
      allowPrivate: opts.allowPrivateNetwork,
      allowHttp: opts.allowPrivateNetwork,
      signal: opts.signal,
      ca: opts.ca,
      gate: opts.gate,
    };
  }

  private record(artifact: Descriptor): BundleSignature | undefined {
    return this.recording?.signatures.get(artifact.digest);
  }

  async image(): Promise<ImageEvidence> {
    try {
      const m = await this.client.resolve(this.ref);
      const image = { digest: m.digest, mediaType: m.mediaType, manifest: m.bytes };
      if (this.recording) this.recording.image = image;
      return image;
    } catch (err) {
      throw discoveryError(err, `image ${this.ref.registry}/${this.ref.repository}`);
    }
  }

  async signatures(imageDigest: string): Promise<Descriptor[]> {
    try {
      const { descriptors } = await this.client.referrers(imageDigest, SIGNATURE_ARTIFACT_TYPE);
      // One entry per artifact, in a stable order, whatever the registry sent.
      const seen = new Map(descriptors.map((d) => [d.digest, d]));
      return [...seen.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
    } catch (err) {
      throw discoveryError(err, `signatures of ${imageDigest}`);
    }
  }

  async artifactManifest(artifact: Descriptor): Promise<Uint8Array> {
    try {
      // Fetched by digest, so the client checks the bytes against it before we see them.
      const m = await this.client.getManifest(artifact.digest);
      if (m.bytes.length > MAX_ARTIFACT_BYTES) {
        throw new VerifyError('artifact-invalid', `artifact manifest of ${m.bytes.length} bytes is too large`);
      }
      this.recording?.signatures.set(artifact.digest, { artifactDigest: artifact.digest, artifactManifest: m.bytes });
      return m.bytes;
    } catch (err) {
      return stepError(err, 'artifact-invalid');
    }
  }

  async payload(artifact: Descriptor, payload: PayloadDescriptor): Promise<Uint8Array> {
    try {
      const bytes = await this.client.getBlob(payload, MAX_PAYLOAD_BYTES);
      const r = this.record(artifact);
      if (r) r.payload = bytes;
      return bytes;
    } catch (err) {
      return stepError(err, 'payload-invalid');
    }
  }

  async didDocument(artifact: Descriptor, did: string): Promise<ResolvedDocument> {
    const { raw, doc } = await this.dids.resolve(did, this.signal);
    const r = this.record(artifact);
    if (r) {
      r.did = did;
      r.didDocument = raw;
      if (did.startsWith('did:plc:')) r.plcAuditLog = await this.dids.auditLog(did, this.signal);
    }
    return { doc };
  }

  async recordProof(artifact: Descriptor, pds: string, did: string, rkey: string): Promise<Uint8Array> {
    const q = new URLSearchParams({ did, collection: MANIFEST_COLLECTION, rkey });
    const url = `${pds}/xrpc/com.atproto.sync.getRecord?${q.toString()}`;
    const res = await getBytes(url, 'proof-unavailable', MAX_CAR_BYTES, this.pdsPolicy, 'application/vnd.ipld.car');
    if (res.status !== 200) throw new VerifyError('proof-unavailable', `${pds} answered ${res.status} for the record proof`);
    const r = this.record(artifact);
    if (r) r.proof = res.body;
    return res.body;
  }
}

/** A registry failure during discovery, as the kind of DiscoveryError it amounts to. */
export function discoveryError(err: unknown, what: string): DiscoveryError {
  if (err instanceof OciError) {
    if (ociUnavailable(err)) return new DiscoveryError('unavailable', `${what}: ${err.message}`, { cause: err });
    if (err.code === 'reference-invalid' || err.code === 'insecure-refused') {
      return new DiscoveryError('usage', `${what}: ${err.message}`, { cause: err });
    }
    if (err.code === 'not-found') return new DiscoveryError('not-found', `${what} not found in the registry`, { cause: err });
    return new DiscoveryError('invalid', `${what}: ${err.message}`, { cause: err });
  }
  return new DiscoveryError('unavailable', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

