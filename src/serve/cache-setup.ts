// The cache of `serve`, from its flags: the cache library's memory tier (always), the
// Redis tier with --redis (entries authenticated with --cache-key-file's HMAC key), and
// the library's concurrency limits. Exposed to the server as a FactSource.

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { VerifierSettings } from '../kernel/index.js';
import { parseTimeout } from '../cli/io.js';
import { type CacheableFacts, CacheKeyError, ConcurrencyLimiter, FactCache, loadCacheKey, promCacheMetrics, RedisTier, redactRedisUrl } from './cache/index.js';
import type { FactSource } from './facts.js';

export interface CacheFlags {
  cacheTtl: string;
  negativeTtl: string;
  tagTtl: string;
  cacheSize: string;
  redis?: string;
  cacheKeyFile?: string;
  /** Verifications at once (default 64; 8 per image registry). */
  maxVerifications?: string;
}

export interface BuiltCache {
  cache: FactSource;
  /** With --redis: false while Redis is not answering (the instance still serves from memory). */
  redisHealthy?: () => boolean;
  close: () => Promise<void>;
}

/**
 * Deployments sharing one Redis must share facts only when their verification settings
 * agree: the namespace is a hash of the settings that change what facts say.
 */
export function cacheNamespace(settings: VerifierSettings): string {
  const relevant = {
    plcUrl: settings.plcUrl ?? '',
    owners: settings.ownerRegistries ?? [],
    allowPrivate: settings.allowPrivateNetwork ?? false,
    insecure: settings.insecureRegistries ?? [],
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

export function buildCache(
  flags: CacheFlags,
  /** `connect: false` checks every flag and the key file but opens no Redis connection (`serve --check`). */
  opts: { registry: Registry; settings: VerifierSettings; verificationMs: number; logger: Logger; connect?: boolean },
  usage: (message: string) => Error,
): BuiltCache {
  const ms = (flag: string, text: string) => {
    const v = parseTimeout(text);
    if (v === null) throw usage(`${flag} "${text}" is not a duration such as 30s, 5m or 500ms`);
    return v;
  };
  const size = Number(flags.cacheSize);
  if (!Number.isInteger(size) || size <= 0) throw usage(`--cache-size "${flags.cacheSize}" is not a positive whole number`);
  if (flags.redis && !flags.cacheKeyFile) throw usage('--redis needs --cache-key-file FILE: entries are authenticated, so write access to Redis alone cannot forge facts');
  if (!flags.redis && flags.cacheKeyFile) throw usage('--cache-key-file is only used with --redis');
  const maxVerifications = verificationLimit(flags.maxVerifications, usage);
  const metrics = promCacheMetrics(opts.registry);
  let redis: RedisTier | undefined;
  if (flags.redis) {
    let key;
    try {
      key = loadCacheKey(flags.cacheKeyFile!);
    } catch (err) {
      if (err instanceof CacheKeyError) throw usage(err.message);
      throw err;
    }
    try {
      new URL(flags.redis);
    } catch {
      throw usage(`--redis "${redactRedisUrl(flags.redis)}" is not a redis:// URL`);
    }
    if (opts.connect !== false) redis = new RedisTier({
      url: flags.redis,
      key,
      namespace: cacheNamespace(opts.settings),
      metrics,
      onStateChange: (s) => opts.logger[s.healthy ? 'info' : 'warn']({ event: 'redis', state: s.state, healthy: s.healthy, error: s.lastError }, `redis ${s.state}`),
    });
  }
  const cache = new FactCache({
    positiveTtlMs: ms('--cache-ttl', flags.cacheTtl),
    negativeTtlMs: ms('--negative-ttl', flags.negativeTtl),
    tagTtlMs: ms('--tag-ttl', flags.tagTtl),
    maxEntries: size,
    maxTags: size,
    flightDeadlineMs: opts.verificationMs,
    metrics,
    limiter: new ConcurrencyLimiter({ metrics, global: maxVerifications }),
    ...(redis ? { redis } : {}),
  });
  const sweeper = setInterval(() => cache.sweep(), 30_000);
  sweeper.unref();
  const view = (f: CacheableFacts, unavailable: boolean): FactSourceFacts => ({
    digest: f.digest,
    owner: f.owner,
    signatures: f.signatures as FactSourceFacts['signatures'],
    verified: f.verified,
    unavailable,
    offline: false,
    notes: f.notes as string[],
  });
  // One view per entry, so that the server can keep what it derives from it (FactSource.peek).
  const views = new WeakMap<CacheableFacts, FactSourceFacts>();
  return {
    cache: {
      peek(ref) {
        const f = cache.fromMemory(ref);
        if (!f) return undefined;
        let v = views.get(f);
        if (!v) {
          v = Object.freeze(view(f, false));
          views.set(f, v);
        }
        return v;
      },
      async get(ref, verify, deadline) {
        const r = await cache.get(ref, verify, { signal: deadline });
        return { facts: view(r.facts as CacheableFacts, !r.cacheable && r.reason === 'unavailable'), source: r.source };
      },
    },
    ...(redis ? { redisHealthy: () => redis.status().healthy } : {}),
    close: async () => {
      clearInterval(sweeper);
      await redis?.close();
    },
  };
}

/** Verifications at once by default. */
export const DEFAULT_MAX_VERIFICATIONS = 64;

/** `--max-verifications` as a number (default 64), or a usage error. */
export function verificationLimit(text: string | undefined, usage: (message: string) => Error): number {
  if (text === undefined) return DEFAULT_MAX_VERIFICATIONS;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw usage(`--max-verifications "${text}" is not a positive whole number`);
  return n;
}

type FactSourceFacts = Awaited<ReturnType<FactSource['get']>>['facts'];
