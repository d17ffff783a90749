// Verification of one image: discovery (the image digest, its signature artifacts),
// then the nine steps for every artifact concurrently, then the owner. Returns the
// kernel's facts with per-step timings; never decides: policies do that.

import type { SignatureFact } from '../ir/decision.js';
import { parseImageRef, type ImageRef } from '../ref/reference.js';
import { DEFAULT_PLC_URL, DidResolver } from './atproto/did-resolver.js';
import type { Bundle, BundleOwner } from './bundle/format.js';
import type { Credentials } from './oci/credentials.js';
import type { RequestGate } from './net/http.js';
import type { RegistryPool } from './oci/pool.js';
import { BundleSource } from './verify/offline.js';
import { OnlineSource, type Recording as SignatureRecording } from './verify/online.js';
import { DEFAULT_OWNER_REGISTRIES, ownerFromBundle, recordRepository, resolveOwner } from './verify/owner.js';
import { DiscoveryError, type EvidenceSource } from './verify/source.js';
import { type StepTiming, verifyOneSignature } from './verify/steps.js';
import { traced, type Trace } from './verify/trace.js';

export { DiscoveryError } from './verify/source.js';
export type { StepTiming } from './verify/steps.js';

/** Evidence kept for export: the image and signatures as read, and the owner's resolution. */
export interface Recording extends SignatureRecording {
  owner?: BundleOwner;
  /** Why the owner's resolution could not be recorded in full. */
  ownerMissing?: string;
}

export interface VerifyOptions {
  /** The image reference as the user wrote it. */
  image: string;
  /** Offline: every byte comes from this bundle; nothing touches the network. */
  bundle?: Bundle;
  plcUrl?: string;
  insecureRegistries?: string[];
  allowPrivateNetwork?: boolean;
  timeoutMs?: number;
  /** Registries whose first path segment is the owner (default atcr.io). */
  ownerRegistries?: string[];
  /** Signatures verified at once. */
  concurrency?: number;
  /** Registry credentials; undefined reads the Docker config file. */
  credentials?: Credentials | null;
  /** A shared resolver (and so a shared DID cache) across many verifications. */
  dids?: DidResolver;
  /** Shared registry grants (tokens per repository) across many verifications. */
  pool?: RegistryPool;
  /** Export: keep every byte read, by artifact digest. */
  recording?: Recording;
  /** Tests point handle lookups at local servers. */
  handleWellKnownUrl?: (handle: string) => string;
  /** DNS servers (`ip` or `ip:port`) for handle lookups instead of the system's. */
  dnsServers?: string[];
  signal?: AbortSignal;
  /** Told of each step as it ends (`verify --verbose`), failures included. */
  trace?: Trace;
  /**
   * Extra trusted CA certificates (PEM) for every HTTPS request of this verification:
   * registry, PLC directory, did:web hosts, PDS and handle hosts. Added to Node's store
   * (and NODE_EXTRA_CA_CERTS), per request: nothing process-wide.
   */
  ca?: string;
  /** Per-host request slots for every request of this verification (net/http.ts RequestGate). */
  gate?: RequestGate;
}

export interface SignatureTimings {
  artifact: string;
  steps: StepTiming[];
}

export interface VerifyReport {
  image: string;
  ref: ImageRef;
  digest: string;
  owner: string;
  signatures: SignatureFact[];
  verified: boolean;
  /** A signature failed because a service could not be reached: its fact is unknown. */
  unavailable: boolean;
  /**
   * The owner could not be resolved because a service was unreachable or the deadline cut
   * it: owner is "" for now, not for good (a policy that trusts `owner` cannot decide).
   */
  ownerUnavailable?: true;
  offline: boolean;
  /** DIDs whose documents were taken from the bundle unproven (offline did:web). */
  unprovenDids: string[];
  notes: string[];
  timings: { resolveMs: number; referrersMs: number; ownerMs: number; signatures: SignatureTimings[] };
  durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Signature artifacts verified per image; more are ignored with a note. */
export const MAX_SIGNATURES = 64;

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function sameImage(requested: ImageRef, bundled: ImageRef, bundleDigest: string): boolean {
  if (requested.registry !== bundled.registry || requested.repository !== bundled.repository) return false;
  if (requested.digest) return requested.digest === bundleDigest;
  return requested.tag === bundled.tag;
}

export async function verifyImage(opts: VerifyOptions): Promise<VerifyReport> {
  const start = performance.now();
  const ref = parseImageRef(opts.image);
  if (!ref) throw new DiscoveryError('usage', `${JSON.stringify(opts.image)} is not an image reference`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const allowPrivateNetwork = opts.allowPrivateNetwork ?? false;
  const ownerRegistries = opts.ownerRegistries ?? DEFAULT_OWNER_REGISTRIES;

  let source: EvidenceSource;
  let dids: DidResolver | null = null;
  if (opts.bundle) {
    const bundled = parseImageRef(opts.bundle.image.reference);
    if (!bundled || !sameImage(ref, bundled, opts.bundle.image.digest)) {
      throw new DiscoveryError('usage', `the bundle is for ${opts.bundle.image.reference}, not ${opts.image}`);
    }
    source = new BundleSource(opts.bundle);
  } else {
    dids =
      opts.dids ??
      new DidResolver({ plcUrl: opts.plcUrl ?? DEFAULT_PLC_URL, timeoutMs, allowPrivate: allowPrivateNetwork, ca: opts.ca, signal: opts.signal, gate: opts.gate });
    source = new OnlineSource(
      ref,
      {
        registry: {
          insecureRegistries: opts.insecureRegistries ?? [],
          allowPrivateNetwork,
          timeoutMs,
          ...(opts.credentials !== undefined ? { credentials: opts.credentials } : {}),
          signal: opts.signal,
          ca: opts.ca,
          gate: opts.gate,
        },
        timeoutMs,
        allowPrivateNetwork,
        signal: opts.signal,
        ca: opts.ca,
        gate: opts.gate,
        ...(opts.pool ? { pool: opts.pool } : {}),
      },
      dids,
      opts.recording,
    );
  }

  const trace = opts.trace;
  const t0 = performance.now();
  const image = await traced(trace, { stage: 'registry', name: source.offline ? 'image (bundle)' : 'resolve' }, () => source.image(), (i) => `${opts.image} → ${i.digest}`);
  const t1 = performance.now();
  const listed = await traced(trace, { stage: 'referrers', name: 'list' }, () => source.signatures(image.digest), (l) => `${l.length} signature artifact${l.length === 1 ? '' : 's'}`);
  const t2 = performance.now();
  // A registry could list any number of artifacts; each costs requests to third parties.
  const artifacts = listed.slice(0, MAX_SIGNATURES);

  const ctx = { imageDigest: image.digest, expectedRepository: recordRepository(ref, ownerRegistries), ...(trace ? { trace } : {}) };
  const [outcomes, owner] = await Promise.all([
    pool(artifacts, opts.concurrency ?? 8, (a) => verifyOneSignature(source, a, ctx)),
    traced(trace, { stage: 'owner', name: 'resolve' }, async () => {
      const o0 = performance.now();
      if (!dids) return { ...(await ownerFromBundle(ref, ownerRegistries, opts.bundle?.owner)), ms: performance.now() - o0 };
      const handles = {
        timeoutMs,
        allowPrivate: allowPrivateNetwork,
        // As for the PDS: plain http only where private networks are allowed (local development).
        allowHttp: allowPrivateNetwork,
        ca: opts.ca,
        signal: opts.signal,
        gate: opts.gate,
        ...(opts.dnsServers ? { dnsServers: opts.dnsServers } : {}),
        ...(opts.handleWellKnownUrl ? { wellKnownUrl: opts.handleWellKnownUrl, dns: false } : {}),
      };
      const r = await resolveOwner(ref, ownerRegistries, dids, handles, opts.recording !== undefined);
      if (opts.recording) {
        if (r.evidence) opts.recording.owner = r.evidence;
        if (r.missing) opts.recording.ownerMissing = r.missing;
      }
      return { ...r, ms: performance.now() - o0 };
    }, (o) => o.owner || '(none)'),
  ]);

  const signatures = outcomes.map((o) => o.fact);
  const notes: string[] = [];
  if (listed.length > artifacts.length) notes.push(`${listed.length} signature artifacts listed; only the first ${MAX_SIGNATURES} were checked`);
  if (owner.note) notes.push(owner.note);
  const unprovenDids = [...new Set(outcomes.filter((o) => o.unprovenDocument).map((o) => o.fact.did))];
  for (const did of unprovenDids) notes.push(`${did}: did:web document taken from the bundle as is (cannot be proven offline)`);
  return {
    image: opts.image,
    ref,
    digest: image.digest,
    owner: owner.owner,
    signatures,
    verified: signatures.some((s) => s.valid),
    unavailable: outcomes.some((o) => o.unavailable),
    ...(owner.unavailable ? { ownerUnavailable: true as const } : {}),
    offline: source.offline,
    unprovenDids,
    notes,
    timings: {
      resolveMs: t1 - t0,
      referrersMs: t2 - t1,
      ownerMs: owner.ms,
      signatures: outcomes.map((o, i) => ({ artifact: artifacts[i]!.digest, steps: o.timings })),
    },
    durationMs: performance.now() - start,
  };
}
