// The facts of an image, from the nearest tier that has them: memory, then Redis, then a
// verification (one per key at a time, within the concurrency limits). Only definite
// facts are stored (facts.ts); decisions are never cached here, because the policy, and
// the time it is evaluated at, belong to each request.

import type { ImageRef } from '../../ref/reference.js';
import type { VerifyReport } from '../../kernel/verify.js';
import { type Clock, systemClock } from './clock.js';
import { type CacheableFacts, classifyReport, estimateBytes, type ImageFacts, polarityOf, reviveFacts, type UncacheableReason } from './facts.js';
import { factsKey, tagKey } from './keys.js';
import { flat } from './intern.js';
import { ConcurrencyLimiter } from './limiter.js';
import { BoundedLru } from './lru.js';
import { pack, type StoredFacts, Unpacker } from './packed.js';
import { type CacheMetrics, noopMetrics } from './metrics.js';
import type { RedisTier } from './redis-tier.js';
import { SingleFlight } from './single-flight.js';

export const DEFAULTS = {
  positiveTtlMs: 5 * 60_000,
  negativeTtlMs: 30_000,
  tagTtlMs: 30_000,
  maxEntries: 100_000,
  maxBytes: 256 * 1024 * 1024,
  maxTags: 100_000,
  flightDeadlineMs: 10_000,
} as const;

export interface FactCacheOptions {
  /** Lifetime of facts with a valid signature (default 5 min): the revocation latency. */
  positiveTtlMs?: number;
  /** Lifetime of facts with no valid signature (default 30 s): how soon a new signature counts. */
  negativeTtlMs?: number;
  /** Lifetime of a tag → digest resolution (default 30 s): how soon a moved tag is seen. */
  tagTtlMs?: number;
  /** Facts held in memory (default 100,000). */
  maxEntries?: number;
  /** Estimated bytes of facts held in memory (default 256 MiB). */
  maxBytes?: number;
  /** Tag resolutions held in memory (default 100,000). */
  maxTags?: number;
  /** A verification's own deadline, whoever waits for it (default 10 s). */
  flightDeadlineMs?: number;
  /** Shared tier; absent: memory only. */
  redis?: RedisTier;
  /** Concurrency limits for verifications; absent: 64 at once, 8 per registry host. */
  limiter?: ConcurrencyLimiter;
  metrics?: CacheMetrics;
  clock?: Clock;
}

/** Verifies one image: `image` is `registry/repo@digest` when the digest is known. */
export type Verify = (image: string, signal: AbortSignal) => Promise<VerifyReport>;

/** Where the facts came from. */
export type Source = 'memory' | 'redis' | 'verified' | 'joined';

export type FactsResult =
  | { cacheable: true; facts: CacheableFacts; source: Source }
  /** A verification whose facts are for this request only; `report` says what failed. */
  | { cacheable: false; reason: UncacheableReason; facts: ImageFacts; report: VerifyReport; source: 'verified' | 'joined' };

interface Computed {
  report: VerifyReport;
  classification: ReturnType<typeof classifyReport>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function reviveDigest(v: unknown): string | null {
  return typeof v === 'string' && DIGEST.test(v) ? v : null;
}

export class FactCache {
  private readonly facts: BoundedLru<StoredFacts>;
  // As many as the server remembers answers for (serve/facts.ts REMEMBERED_ANSWERS): the
  // hot set is answered with the same objects, so those answers hold.
  private readonly unpacker = new Unpacker(4096);
  private readonly tags: BoundedLru<string>;
  private readonly flights: SingleFlight<Computed>;
  private readonly limiter: ConcurrencyLimiter;
  private readonly metrics: CacheMetrics;
  private readonly clock: Clock;
  private readonly redis: RedisTier | undefined;
  private readonly ttl: { positive: number; negative: number; tag: number };

  constructor(opts: FactCacheOptions = {}) {
    this.metrics = opts.metrics ?? noopMetrics;
    this.clock = opts.clock ?? systemClock;
    this.redis = opts.redis;
    this.ttl = {
      positive: positive('positiveTtlMs', opts.positiveTtlMs ?? DEFAULTS.positiveTtlMs),
      negative: positive('negativeTtlMs', opts.negativeTtlMs ?? DEFAULTS.negativeTtlMs),
      tag: positive('tagTtlMs', opts.tagTtlMs ?? DEFAULTS.tagTtlMs),
    };
    this.facts = new BoundedLru({
      maxEntries: opts.maxEntries ?? DEFAULTS.maxEntries,
      maxBytes: opts.maxBytes ?? DEFAULTS.maxBytes,
      onEvict: (_k, _v, reason) => reason !== 'replaced' && reason !== 'deleted' && this.metrics.evicted('facts', reason),
    });
    this.tags = new BoundedLru({
      maxEntries: opts.maxTags ?? DEFAULTS.maxTags,
      onEvict: (_k, _v, reason) => reason !== 'replaced' && reason !== 'deleted' && this.metrics.evicted('tag', reason),
    });
    this.metrics.trackSize('facts', () => ({ entries: this.facts.size, bytes: this.facts.bytes }));
    this.metrics.trackSize('tag', () => ({ entries: this.tags.size, bytes: 0 }));
    this.flights = new SingleFlight({ deadlineMs: opts.flightDeadlineMs ?? DEFAULTS.flightDeadlineMs, onJoin: () => this.metrics.coalesced() });
    this.limiter = opts.limiter ?? new ConcurrencyLimiter({ metrics: this.metrics });
  }

  /**
   * The facts for `ref`. Cached facts when a tier has them; else one verification shared
   * by every concurrent caller of the same key, run within the limits under its own
   * deadline. Rejects with a LoadError (`deadline`, `aborted`, `overloaded`) when `signal`
   * aborts or no slot is free in time, and with the verifier's own error (e.g. the
   * kernel's DiscoveryError) when it throws; nothing of either is cached.
   */
  async get(ref: ImageRef, verify: Verify, opts: { signal?: AbortSignal } = {}): Promise<FactsResult> {
    const cached = await this.cached(ref);
    if (cached) return cached;
    const digest = ref.digest || this.tags.peek(tagKey(ref.registry, ref.repository, ref.tag || 'latest'), this.clock.now());
    const tk = ref.digest ? null : tagKey(ref.registry, ref.repository, ref.tag || 'latest');
    const fk = digest ? factsKey(ref.registry, ref.repository, digest) : null;
    // Known digest: verify by digest (the facts are per digest). Unknown: resolve the tag
    // during verification; concurrent callers of one tag share that.
    const image = fk ?? tk!;
    const { value, joined } = await this.flights.run(
      fk ?? tk!,
      (signal) => this.limiter.run([ref.registry], () => this.compute(verify, image, tk, signal), signal, image),
      opts.signal,
    );
    const source = joined ? 'joined' : 'verified';
    const c = value.classification;
    if (c.cacheable) return { cacheable: true, facts: c.facts, source };
    const r = value.report;
    const facts: ImageFacts = {
      registry: r.ref.registry,
      repository: r.ref.repository,
      digest: r.digest,
      owner: r.owner,
      verified: r.verified,
      signatures: r.signatures,
      notes: r.notes,
    };
    return { cacheable: false, reason: c.reason, facts, report: r, source };
  }

  /**
   * Facts from the memory tier only, synchronously: the fast path for a batch of keys
   * (a Gatekeeper request of 100 images) before anything is awaited.
   */
  fromMemory(ref: ImageRef): CacheableFacts | undefined {
    const now = this.clock.now();
    const keys = this.keysOf(ref);
    let digest: string | undefined = ref.digest || undefined;
    if (!digest) {
      digest = this.tags.get(keys.tag!, now);
      this.metrics.lookup('memory', 'tag', digest !== undefined);
      if (!digest) return undefined;
    }
    if (keys.digest !== digest) {
      keys.digest = digest;
      keys.facts = flat(factsKey(ref.registry, ref.repository, digest));
    }
    const hit = this.facts.get(keys.facts, now);
    this.metrics.lookup('memory', 'facts', hit !== undefined);
    return hit === undefined ? undefined : this.unpacker.facts(hit);
  }

  // The key strings of a reference a caller holds on to (the server keeps the parsed
  // references of the images it is asked about): built, flattened and hashed once, where
  // a key built per lookup is a rope that every Map lookup first copies and hashes.
  private readonly refKeys = new WeakMap<ImageRef, { tag: string | null; digest: string; facts: string }>();

  private keysOf(ref: ImageRef): { tag: string | null; digest: string; facts: string } {
    let keys = this.refKeys.get(ref);
    if (!keys) {
      keys = { tag: ref.digest ? null : flat(tagKey(ref.registry, ref.repository, ref.tag || 'latest')), digest: '', facts: '' };
      this.refKeys.set(ref, keys);
    }
    return keys;
  }

  /** Cached facts only (memory, then Redis); null when no tier has them. */
  async cached(ref: ImageRef): Promise<FactsResult | null> {
    let digest: string | null = ref.digest || null;
    if (!digest) digest = await this.tagDigest(tagKey(ref.registry, ref.repository, ref.tag || 'latest'));
    if (!digest) return null;
    const key = factsKey(ref.registry, ref.repository, digest);
    const now = this.clock.now();
    const hit = this.facts.get(key, now);
    this.metrics.lookup('memory', 'facts', hit !== undefined);
    if (hit) return { cacheable: true, facts: this.unpacker.facts(hit), source: 'memory' };
    if (!this.redis) return null;
    const shared = await this.redis.get('facts', key, reviveFacts);
    if (!shared) return null;
    // A replica with a longer TTL cannot extend what this one promises.
    const expiresAt = Math.min(shared.expiresAt, this.clock.now() + this.ttlOf(shared.value));
    this.memorize(key, shared.value, expiresAt);
    return { cacheable: true, facts: shared.value, source: 'redis' };
  }

  /** Forgets an image's facts in memory (Redis entries expire on their own). */
  invalidate(ref: ImageRef): void {
    if (ref.digest) this.facts.delete(factsKey(ref.registry, ref.repository, ref.digest));
    else this.tags.delete(tagKey(ref.registry, ref.repository, ref.tag || 'latest'));
  }

  /** Drops expired memory entries; run it from a timer (O(entries)). */
  sweep(): number {
    const now = this.clock.now();
    return this.facts.sweep(now) + this.tags.sweep(now);
  }

  /** Entry counts and estimated bytes of the memory tier, and verifications running. */
  stats(): { facts: number; bytes: number; tags: number; inFlight: number } {
    return { facts: this.facts.size, bytes: this.facts.bytes, tags: this.tags.size, inFlight: this.flights.size };
  }

  private async tagDigest(tk: string): Promise<string | null> {
    const hit = this.tags.get(tk, this.clock.now());
    this.metrics.lookup('memory', 'tag', hit !== undefined);
    if (hit) return hit;
    if (!this.redis) return null;
    const shared = await this.redis.get('tag', tk, reviveDigest);
    if (!shared) return null;
    if (this.tags.set(tk, shared.value, Math.min(shared.expiresAt, this.clock.now() + this.ttl.tag), this.clock.now())) this.metrics.stored('memory', 'tag');
    return shared.value;
  }

  private async compute(verify: Verify, image: string, tk: string | null, signal: AbortSignal): Promise<Computed> {
    const report = await verify(image, signal);
    const classification = classifyReport(report);
    const now = this.clock.now();
    // The registry answered which digest the tag names: that holds whatever the signatures' services did.
    if (tk && DIGEST.test(report.digest)) {
      const expiresAt = now + this.ttl.tag;
      if (this.tags.set(flat(tk), flat(report.digest), expiresAt, now)) this.metrics.stored('memory', 'tag');
      void this.redis?.set('tag', tk, report.digest, expiresAt);
    }
    if (classification.cacheable) {
      const f = classification.facts;
      const key = factsKey(f.registry, f.repository, f.digest);
      const expiresAt = now + this.ttlOf(f);
      this.memorize(key, f, expiresAt);
      void this.redis?.set('facts', key, f, expiresAt);
    } else {
      this.metrics.uncacheable(classification.reason);
    }
    return { report, classification };
  }

  private memorize(key: string, f: CacheableFacts, expiresAt: number): void {
    if (this.facts.set(flat(key), pack(f), expiresAt, this.clock.now(), estimateBytes(key, f))) this.metrics.stored('memory', 'facts');
  }

  private ttlOf(f: ImageFacts): number {
    return polarityOf(f) === 'positive' ? this.ttl.positive : this.ttl.negative;
  }
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number of ms, not ${v}`);
  return v;
}
