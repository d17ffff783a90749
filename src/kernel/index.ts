// The kernel as a library: a `Verifier` built once from one settings object, holding
// what is worth sharing between verifications (the DID resolver and its cache, the
// registry grants), and `verify(image, { signal })` per call. The CLI, the service and
// the plugins all go through here; nothing in it is process-wide.

import { DEFAULT_PLC_URL, DidResolver } from './atproto/did-resolver.js';
import type { Bundle } from './bundle/format.js';
import { exportBundle, type ExportResult } from './export.js';
import type { Trace } from './verify/trace.js';
import type { Credentials } from './oci/credentials.js';
import type { RequestGate } from './net/http.js';
import { DEFAULT_POOL_SIZE, RegistryPool } from './oci/pool.js';
import { parseImageRef } from '../ref/reference.js';
import { DiscoveryError, type VerifyOptions, type VerifyReport, verifyImage } from './verify.js';
import { discoveryError } from './verify/online.js';
import { DEFAULT_OWNER_REGISTRIES } from './verify/owner.js';

export { DEFAULT_PLC_URL } from './atproto/did-resolver.js';
export { BundleError, parseBundle, type Bundle } from './bundle/format.js';
export type { ExportResult } from './export.js';
export type { Credentials } from './oci/credentials.js';
export type { Trace, TraceEvent } from './verify/trace.js';
export { VerifyError, type VerifyCode } from './proof/errors.js';
export { DiscoveryError, MAX_SIGNATURES, type StepTiming, type VerifyReport } from './verify.js';
export { DEFAULT_OWNER_REGISTRIES } from './verify/owner.js';
export { parseCaCertificates } from './net/ca.js';
export type { RequestGate } from './net/http.js';

/** Per-request deadline when the settings name none. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface VerifierSettings {
  /** PLC directory for did:plc (default https://plc.directory). */
  plcUrl?: string;
  /** Deadline of each network request (default 10 s). A call's overall budget is its signal. */
  timeoutMs?: number;
  /** Let URLs from DID documents, payloads and registries reach loopback/private addresses. */
  allowPrivateNetwork?: boolean;
  /** Registry hosts (`host` or `host:port`) reached over plain http. */
  insecureRegistries?: string[];
  /** Extra trusted CA certificates (PEM) for every HTTPS request of this verifier only. */
  ca?: string;
  /** Registry credentials for every registry; undefined reads the Docker config file, null is anonymous. */
  credentials?: Credentials | null;
  /** Docker config file for credentials (default `$DOCKER_CONFIG/config.json`). */
  dockerConfigPath?: string;
  /** Registries whose first path segment is the owner (default atcr.io). */
  ownerRegistries?: string[];
  /** DNS servers (`ip` or `ip:port`) for handle lookups instead of the system's. */
  dnsServers?: string[];
  /** Tests point handle lookups at local servers (DNS is then skipped). */
  handleWellKnownUrl?: (handle: string) => string;
  /** Signatures of one image verified at once (default 8). */
  concurrency?: number;
  /** How long a DID document is reused (default 60 s). */
  didCacheTtlMs?: number;
  /** Repositories whose registry tokens are kept (default 4096). */
  registryPoolSize?: number;
  /**
   * Slots every request of this verifier takes per upstream host (registry, token service,
   * PLC, did:web, PDS, handle host): a service's bound on what it asks of one host at once.
   */
  requestGate?: RequestGate;
}

export interface VerifyCallOptions {
  /** The caller's budget: aborting it stops every request of this call, DID resolution included. */
  signal?: AbortSignal;
  /** Offline: every byte comes from this bundle; nothing touches the network. */
  bundle?: Bundle;
  /** Told of each step as it ends (`verify --verbose`). */
  trace?: Trace;
}

export class Verifier {
  readonly settings: Readonly<VerifierSettings>;
  /** Shared by every verification of this verifier: one DID cache, one in-flight lookup per DID. */
  readonly dids: DidResolver;
  readonly registries: RegistryPool;
  private readonly timeoutMs: number;

  constructor(settings: VerifierSettings = {}) {
    this.settings = Object.freeze({ ...settings });
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const allowPrivate = settings.allowPrivateNetwork ?? false;
    this.dids = new DidResolver({
      plcUrl: settings.plcUrl ?? DEFAULT_PLC_URL,
      timeoutMs: this.timeoutMs,
      allowPrivate,
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
      ...(settings.didCacheTtlMs !== undefined ? { cacheTtlMs: settings.didCacheTtlMs } : {}),
      ...(settings.requestGate ? { gate: settings.requestGate } : {}),
    });
    this.registries = new RegistryPool(
      {
        insecureRegistries: settings.insecureRegistries ?? [],
        allowPrivateNetwork: allowPrivate,
        timeoutMs: this.timeoutMs,
        ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
        ...(settings.dockerConfigPath !== undefined ? { dockerConfigPath: settings.dockerConfigPath } : {}),
        ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
        ...(settings.requestGate ? { gate: settings.requestGate } : {}),
      },
      settings.registryPoolSize ?? DEFAULT_POOL_SIZE,
    );
  }

  /** The kernel options of one call: these settings, the shared parts, the caller's signal. */
  private options(image: string, call: VerifyCallOptions): VerifyOptions {
    const s = this.settings;
    return {
      image,
      plcUrl: s.plcUrl ?? DEFAULT_PLC_URL,
      insecureRegistries: s.insecureRegistries ?? [],
      allowPrivateNetwork: s.allowPrivateNetwork ?? false,
      timeoutMs: this.timeoutMs,
      ownerRegistries: s.ownerRegistries ?? DEFAULT_OWNER_REGISTRIES,
      dids: this.dids,
      pool: this.registries,
      ...(s.credentials !== undefined ? { credentials: s.credentials } : {}),
      ...(s.concurrency !== undefined ? { concurrency: s.concurrency } : {}),
      ...(s.ca !== undefined ? { ca: s.ca } : {}),
      ...(s.dnsServers && s.dnsServers.length > 0 ? { dnsServers: s.dnsServers } : {}),
      ...(s.handleWellKnownUrl ? { handleWellKnownUrl: s.handleWellKnownUrl } : {}),
      ...(s.requestGate ? { gate: s.requestGate } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
      ...(call.bundle ? { bundle: call.bundle } : {}),
      ...(call.trace ? { trace: call.trace } : {}),
    };
  }

  /**
   * The kernel's facts for `image` (never a decision). Throws DiscoveryError when the
   * image itself cannot be found or read (kind `unavailable` for an outage).
   */
  verify(image: string, call: VerifyCallOptions = {}): Promise<VerifyReport> {
    return verifyImage(this.options(image, call));
  }

  /**
   * The digest `image` names now: itself when it carries one, else what its tag resolves
   * to in the registry (the manifest bytes hashed, never the registry's word alone).
   * Throws DiscoveryError like `verify`.
   */
  async resolveDigest(image: string, call: Omit<VerifyCallOptions, 'bundle'> = {}): Promise<string> {
    const ref = parseImageRef(image);
    if (!ref) throw new DiscoveryError('usage', `${JSON.stringify(image)} is not an image reference`);
    if (ref.digest) return ref.digest;
    try {
      return (await this.registries.client(ref, call.signal).resolve(ref)).digest;
    } catch (err) {
      throw discoveryError(err, `image ${ref.registry}/${ref.repository}`);
    }
  }

  /** An offline bundle of everything `verify` reads for `image`, checked offline before it is returned. */
  export(image: string, call: Omit<VerifyCallOptions, 'bundle'> = {}, now = new Date()): Promise<ExportResult> {
    const { bundle: _none, ...opts } = this.options(image, call);
    return exportBundle(opts, now);
  }
}
