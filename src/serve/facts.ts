// The service's one question: what are the facts of this image? Answered by the cache
// when one is configured (src/serve/cache: memory, Redis, one shared verification per
// key) or by a verification. Every lookup answers by its deadline; what is not ready
// then is "deadline" — never a fact — and only definite facts are ever cached.

import { DiscoveryError, type Verifier, type VerifyReport } from '../kernel/index.js';
import { formatImageRef, parseImageRef, type ImageRef } from '../ref/reference.js';
import type { FactsView } from '../verification/decide.js';

/** The kernel's facts for one digest of an image. */
export interface Facts extends FactsView {
  /** `registry/repository:tag@digest`: what was verified, as the policy judged it (pinnedRef). */
  pinned: string;
}

export type FailureKind = 'usage' | 'not-found' | 'invalid' | 'unavailable' | 'refused' | 'deadline';

export type FactsResult = { ok: true; facts: Facts; source?: string } | { ok: false; kind: FailureKind; message: string };

/**
 * A failure that a retry could turn: never cached, never reported as a fact. An owner that
 * could not be asked for counts when a signature is valid (the owner may be what a policy
 * needs); with none valid, no owner could change the answer.
 */
export function isTransient(r: FactsResult): boolean {
  if (!r.ok) return r.kind === 'unavailable' || r.kind === 'deadline';
  return r.facts.unavailable || (r.facts.ownerUnavailable === true && r.facts.signatures.some((s) => s.valid));
}

/**
 * `registry/repository:tag@digest`: the reference as the policy judged it, pinned. The tag
 * stays (the runtime pulls by the digest): a policy scoped on a tag, or reading
 * `image.tag`, decides the pinned reference as it decided the tagged one.
 */
export function pinnedRef(ref: ImageRef, digest: string): string {
  return formatImageRef({ ...ref, digest });
}

/** Verifies one image (by digest when known) under `signal`. */
export type VerifyFn = (image: string, signal: AbortSignal) => Promise<VerifyReport>;

/**
 * Where facts come from: a cache in front of `verify`, or `verify` itself. Rejects with
 * the verifier's DiscoveryError, or any other error for "could not answer in time".
 */
export interface FactSource {
  get(ref: ImageRef, verify: VerifyFn, deadline: AbortSignal): Promise<{ facts: Omit<Facts, 'pinned'>; source: string }>;
  /**
   * Facts already in memory, synchronously (the fast path of a fully cached request): the
   * same object for as long as the entry is unchanged, so that what is derived from it
   * (the answer, its JSON) can be kept with it.
   */
  peek?(ref: ImageRef): Omit<Facts, 'pinned'> | undefined;
}

/** No cache: every lookup verifies, bounded by the caller's deadline. */
export const DIRECT: FactSource = {
  async get(ref, verify, deadline) {
    const report = await verify(formatImageRef(ref), deadline);
    return { facts: factsOf(report), source: 'verified' };
  },
};

export function factsOf(report: VerifyReport): Omit<Facts, 'pinned'> {
  return {
    digest: report.digest,
    owner: report.owner,
    signatures: report.signatures,
    verified: report.verified,
    unavailable: report.unavailable,
    ...(report.ownerUnavailable ? { ownerUnavailable: true as const } : {}),
    offline: report.offline,
    notes: report.notes,
  };
}

export interface FactsOptions {
  verifier: Verifier;
  source?: FactSource;
  /** Registries a caller may make the service contact (`host` or `host:port`); empty: any. */
  allowedRegistries?: string[];
  /** Stops verifications (shutdown). */
  signal?: AbortSignal;
  /** Observes each verification that ran (metrics, logs). */
  onVerified?: (image: string, report: VerifyReport | undefined, error: unknown, ms: number) => void;
  /** Observes where each answer came from (memory, redis, verified, joined). */
  onSource?: (source: string) => void;
}

function failure(err: unknown, image: string, deadline: AbortSignal): FactsResult {
  if (err instanceof DiscoveryError) return { ok: false, kind: err.kind, message: err.message };
  if (deadline.aborted) return { ok: false, kind: 'deadline', message: `${image}: not verified within the request's deadline` };
  return { ok: false, kind: 'unavailable', message: err instanceof Error ? err.message : String(err) };
}

/** Images whose parsed reference and answer are remembered for the fast path (the hot set). */
export const REMEMBERED_ANSWERS = 4096;

interface Remembered {
  ref: ImageRef;
  /** What the source answered; the answer holds while the source answers the same object. */
  facts: Omit<Facts, 'pinned'>;
  result: FactsResult;
}

export class FactService {
  private readonly source: FactSource;
  // Per image string as callers send it: Gatekeeper asks for the same images again and
  // again, and parsing the reference and building the answer cost more than the lookup.
  private readonly remembered = new Map<string, Remembered>();
  private readonly allowed: Set<string> | null;
  private readonly verify: VerifyFn;

  constructor(private readonly opts: FactsOptions) {
    this.source = opts.source ?? DIRECT;
    this.allowed = opts.allowedRegistries && opts.allowedRegistries.length > 0 ? new Set(opts.allowedRegistries.map((r) => r.toLowerCase())) : null;
    this.verify = async (image, signal) => {
      const t0 = performance.now();
      const s = opts.signal ? AbortSignal.any([signal, opts.signal]) : signal;
      try {
        const report = await opts.verifier.verify(image, { signal: s });
        opts.onVerified?.(image, report, undefined, performance.now() - t0);
        return report;
      } catch (err) {
        opts.onVerified?.(image, undefined, err, performance.now() - t0);
        throw err;
      }
    };
  }

  /**
   * The facts of `image` if memory has them, synchronously; undefined otherwise. The
   * memory tier is asked every time (expiry, recency, its metrics); the answer object is
   * the same for as long as the tier's entry is, and must not be changed.
   */
  peek(image: string): FactsResult | undefined {
    if (!this.source.peek) return undefined;
    const known = this.remembered.get(image);
    let ref: ImageRef;
    if (known) {
      ref = known.ref;
    } else {
      const parsed = parseImageRef(image);
      if (!parsed || (this.allowed && !this.allowed.has(parsed.registry))) return undefined;
      ref = parsed;
    }
    const facts = this.source.peek(ref);
    if (!facts) return undefined;
    if (known && known.facts === facts) return known.result;
    const result: FactsResult = Object.freeze({ ok: true, facts: Object.freeze({ ...facts, pinned: pinnedRef(ref, facts.digest) }), source: 'memory' });
    if (!known && this.remembered.size >= REMEMBERED_ANSWERS) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(image, { ref, facts, result });
    return result;
  }

  /** The facts of `image` by `deadline` (the caller's signal); never throws. */
  async lookup(image: string, deadline: AbortSignal): Promise<FactsResult> {
    const ref = parseImageRef(image);
    if (!ref) return { ok: false, kind: 'usage', message: `${JSON.stringify(image)} is not an image reference` };
    if (this.allowed && !this.allowed.has(ref.registry)) {
      return { ok: false, kind: 'refused', message: `registry ${ref.registry} is not among the allowed registries` };
    }
    try {
      const { facts, source } = await this.source.get(ref, this.verify, deadline);
      this.opts.onSource?.(source);
      const r: FactsResult = { ok: true, facts: { ...facts, pinned: pinnedRef(ref, facts.digest) }, source };
      if (deadline.aborted && isTransient(r)) return { ok: false, kind: 'deadline', message: `${image}: not verified within the request's deadline` };
      return r;
    } catch (err) {
      return failure(err, image, deadline);
    }
  }
}
