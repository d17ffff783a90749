// The cache's observations. The library calls this interface; `promCacheMetrics` is the
// implementation the service registers on its prom-client Registry (names in
// docs/caching.md). Labels are closed sets: no image, key or host ever becomes a label.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { Tally } from '../tally.js';
import type { EvictionReason } from './lru.js';
import type { UncacheableReason } from './facts.js';

export type Tier = 'memory' | 'redis';
export type EntryKind = 'facts' | 'tag';
/** Why a Redis entry was ignored. */
export type RejectReason = 'forged' | 'malformed' | 'oversize' | 'expired';
export type RedisOp = 'get' | 'set' | 'connection';
export type LimitScope = 'global' | 'host';

export interface CacheMetrics {
  lookup(tier: Tier, kind: EntryKind, hit: boolean): void;
  stored(tier: Tier, kind: EntryKind): void;
  evicted(kind: EntryKind, reason: EvictionReason): void;
  uncacheable(reason: UncacheableReason): void;
  rejected(reason: RejectReason): void;
  redisError(op: RedisOp): void;
  redisUp(up: boolean): void;
  /** A request joined a verification already running for its key. */
  coalesced(): void;
  /** Verifications running (+1 on start, −1 on end). */
  inFlight(delta: number): void;
  /** Time a verification waited for a slot, in seconds. */
  queueWait(scope: LimitScope, seconds: number): void;
  /** A waiter left the queue without a slot. */
  queueRejected(reason: 'deadline' | 'aborted' | 'overloaded'): void;
  /** Sizes read at scrape time. */
  trackSize(kind: EntryKind, read: () => { entries: number; bytes: number }): void;
}

export const noopMetrics: CacheMetrics = {
  lookup() {},
  stored() {},
  evicted() {},
  uncacheable() {},
  rejected() {},
  redisError() {},
  redisUp() {},
  coalesced() {},
  inFlight() {},
  queueWait() {},
  queueRejected() {},
  trackSize() {},
};

/** Registers the cache's metrics on `registry` (prefix default `atcr_verify_`). Call once per registry. */
export function promCacheMetrics(registry: Registry, prefix = 'atcr_verify_'): CacheMetrics {
  const registers = [registry];
  // Counted per image on the request path: tallied, added to the counter at each scrape.
  const lookupTally = new Tally(['tier', 'kind', 'result'] as const);
  const lookupSlot = (tier: Tier, kind: EntryKind) => ({ hit: lookupTally.slot({ tier, kind, result: 'hit' }), miss: lookupTally.slot({ tier, kind, result: 'miss' }) });
  const lookupSlots = {
    memory: { facts: lookupSlot('memory', 'facts'), tag: lookupSlot('memory', 'tag') },
    redis: { facts: lookupSlot('redis', 'facts'), tag: lookupSlot('redis', 'tag') },
  };
  const lookups: Counter<'tier' | 'kind' | 'result'> = new Counter({
    name: `${prefix}cache_lookups_total`,
    help: 'Cache lookups by tier, entry kind and result',
    labelNames: ['tier', 'kind', 'result'],
    registers,
    collect: () => lookupTally.flush(lookups),
  });
  const stores = new Counter({ name: `${prefix}cache_stores_total`, help: 'Entries written by tier and kind', labelNames: ['tier', 'kind'], registers });
  const evictions = new Counter({ name: `${prefix}cache_evictions_total`, help: 'Memory entries removed, by kind and reason', labelNames: ['kind', 'reason'], registers });
  const uncacheable = new Counter({ name: `${prefix}cache_uncacheable_total`, help: 'Verification reports not cached, by reason', labelNames: ['reason'], registers });
  const rejected = new Counter({ name: `${prefix}cache_redis_rejected_total`, help: 'Redis entries ignored, by reason (forged = HMAC mismatch)', labelNames: ['reason'], registers });
  const redisErrors = new Counter({ name: `${prefix}cache_redis_errors_total`, help: 'Redis command and connection errors', labelNames: ['op'], registers });
  const redisUp = new Gauge({ name: `${prefix}cache_redis_up`, help: '1 when the Redis tier is connected and answering', registers });
  const coalesced = new Counter({ name: `${prefix}verifications_coalesced_total`, help: 'Requests that joined a verification already running', registers });
  const inFlight = new Gauge({ name: `${prefix}verifications_in_flight`, help: 'Verifications running now', registers });
  const queueWait = new Histogram({
    name: `${prefix}verification_queue_wait_seconds`,
    help: 'Time a verification waited for a concurrency slot',
    labelNames: ['scope'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const queueRejected = new Counter({ name: `${prefix}verification_queue_rejected_total`, help: 'Waiters that left the queue without a slot', labelNames: ['reason'], registers });
  const sizes = new Map<EntryKind, () => { entries: number; bytes: number }>();
  new Gauge({
    name: `${prefix}cache_entries`,
    help: 'Entries in the memory tier',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [kind, read] of sizes) this.set({ kind }, read().entries);
    },
  });
  new Gauge({
    name: `${prefix}cache_bytes`,
    help: 'Estimated bytes held by the memory tier',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [kind, read] of sizes) this.set({ kind }, read().bytes);
    },
  });
  redisUp.set(0);
  return {
    lookup: (tier, kind, hit) => {
      const slots = lookupSlots[tier][kind];
      (hit ? slots.hit : slots.miss).n++;
    },
    stored: (tier, kind) => stores.inc({ tier, kind }),
    evicted: (kind, reason) => evictions.inc({ kind, reason }),
    uncacheable: (reason) => uncacheable.inc({ reason }),
    rejected: (reason) => rejected.inc({ reason }),
    redisError: (op) => redisErrors.inc({ op }),
    redisUp: (up) => redisUp.set(up ? 1 : 0),
    coalesced: () => coalesced.inc(),
    inFlight: (delta) => inFlight.inc(delta),
    queueWait: (scope, seconds) => queueWait.observe({ scope }, seconds),
    queueRejected: (reason) => queueRejected.inc({ reason }),
    trackSize: (kind, read) => void sizes.set(kind, read),
  };
}
