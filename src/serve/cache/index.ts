// The service's caching and load control, independent of HTTP. Typical wiring:
//
//   const metrics = promCacheMetrics(registry);
//   const redis = flags.redis ? new RedisTier({ url: flags.redis, key: loadCacheKey(flags.cacheKeyFile), metrics }) : undefined;
//   const cache = new FactCache({ positiveTtlMs, negativeTtlMs, maxEntries, redis, metrics,
//     limiter: new ConcurrencyLimiter({ global: 64, perHost: 8, metrics }) });
//   setInterval(() => cache.sweep(), 30_000).unref();
//   // per key, under the request's deadline:
//   const d = deadlineSignal(deadlineBelow(providerTimeoutMs), image, req.signal);
//   try { const r = await cache.get(ref, (img, signal) => verifier.verify(img, { signal }), { signal: d.signal }); … }
//   catch (e) { /* LoadError or DiscoveryError: an error for that key, never a fact */ } finally { d.dispose(); }
//
// See docs/caching.md for the tiers, lifetimes, failure modes and metric names.

/** Memory → Redis → one shared, limited verification; only definite facts are stored. */
export { FactCache, DEFAULTS, type FactCacheOptions, type FactsResult, type Source, type Verify } from './fact-cache.js';
/** What may be cached, and the classifier that alone makes it from a kernel report. */
export { classifyReport, type CacheableFacts, type Classification, type ImageFacts, type Polarity, type UncacheableReason } from './facts.js';
/** Cache keys: facts per `registry/repo@digest`, tags per `registry/repo:tag`. */
export { factsKey, factsKeyOf, tagKey, tagKeyOf } from './keys.js';
/** The shared Redis tier (HMAC-authenticated entries, short timeouts, background reconnect). */
export { RedisTier, redactRedisUrl, DEFAULT_REDIS_TIMEOUT_MS, DEFAULT_MAX_ENTRY_BYTES, type RedisTierOptions, type RedisStatus, type RedisState } from './redis-tier.js';
/** The HMAC key from `--cache-key-file` (≥ 32 bytes, never printable). */
export { CacheKey, CacheKeyError, loadCacheKey, MIN_CACHE_KEY_BYTES } from './cache-key.js';
/** Concurrency limits, global and per host, with bounded FIFO queues that honour abort signals. */
export { ConcurrencyLimiter, Semaphore, type LimiterOptions, type Release } from './limiter.js';
/** Coalescing of concurrent computations of one key. */
export { SingleFlight, waitFor, type Joined, type SingleFlightOptions } from './single-flight.js';
/** Deadlines below a caller's budget (Gatekeeper Provider timeout, Kyverno webhook timeout). */
export { deadlineBelow, deadlineSignal, type Deadline, type DeadlineOptions } from './deadline.js';
/** Load-control failures: transient, thrown, never cached. */
export { LoadError, type LoadErrorCode } from './errors.js';
/** Metrics: the hooks the library calls, and a prom-client implementation. */
export { promCacheMetrics, noopMetrics, type CacheMetrics, type EntryKind, type Tier, type RejectReason } from './metrics.js';
/** The bounded LRU with per-entry expiry the tiers are built on. */
export { BoundedLru, type EvictionReason, type LruOptions } from './lru.js';
export { systemClock, type Clock } from './clock.js';
