// Integration with a real redis-server: replicas sharing facts, forged and moved
// entries, and Redis going away and coming back.

import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheKey } from '../../../src/serve/cache/cache-key.js';
import { FactCache, type Verify } from '../../../src/serve/cache/fact-cache.js';
import { classifyReport } from '../../../src/serve/cache/facts.js';
import { factsKey } from '../../../src/serve/cache/keys.js';
import { promCacheMetrics } from '../../../src/serve/cache/metrics.js';
import { RedisTier } from '../../../src/serve/cache/redis-tier.js';
import { RedisServer } from './redis-server.js';
import { sampleReport } from './sample.js';

const KEY = new CacheKey(Buffer.from('an hmac key of forty bytes, for tests!!!'));
const OTHER_KEY = new CacheKey(Buffer.from('another key of at least thirty-two bytes'));

let server: RedisServer;
let raw: Redis;
const tiers: RedisTier[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  raw = client();
});

function client(): Redis {
  const c = new Redis(server.url, { maxRetriesPerRequest: 1 });
  // The test's own client sees the outage too; the assertions are about the tier's.
  c.on('error', () => {});
  return c;
}

afterAll(async () => {
  for (const t of tiers) await t.close();
  raw?.disconnect();
  await server?.stop();
});

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function replica(opts: { key?: CacheKey; namespace?: string } = {}) {
  const registry = new Registry();
  const metrics = promCacheMetrics(registry);
  const redis = new RedisTier({ url: server.url, key: opts.key ?? KEY, metrics, namespace: opts.namespace ?? 'it', breakerMs: 200 });
  tiers.push(redis);
  await until('the Redis tier to connect', () => redis.status().healthy);
  const cache = new FactCache({ redis, metrics });
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
    return m?.values.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value ?? 0;
  };
  return { cache, redis, value };
}

function counting(reports: Map<string, ReturnType<typeof sampleReport>>) {
  const calls: string[] = [];
  const verify: Verify = async (image) => {
    calls.push(image);
    const r = reports.get(image);
    if (!r) throw new Error(`no report for ${image}`);
    return r;
  };
  return { verify, calls };
}

let n = 100;
/** A fresh image, pinned by digest, with its report. */
function image() {
  const i = n++;
  const r = sampleReport(i, { image: `atcr.io/owner${i}/app@sha256:${i.toString(16).padStart(64, '0')}` });
  return { r, key: factsKey(r.ref.registry, r.ref.repository, r.digest) };
}

describe('Redis tier', () => {
  it('a second replica answers from what the first verified, without verifying', async () => {
    const a = await replica();
    const b = await replica();
    const { r, key } = image();
    const va = counting(new Map([[key, r]]));
    const vb = counting(new Map());
    expect(await a.cache.get(r.ref, va.verify)).toMatchObject({ source: 'verified' });
    await until('the entry to reach Redis', async () => (await raw.exists(a.redis.redisKey('facts', key))) === 1);
    const got = await b.cache.get(r.ref, vb.verify);
    expect(got).toMatchObject({ cacheable: true, source: 'redis' });
    expect(got.facts).toEqual(classifyReport(r).cacheable && (classifyReport(r) as { facts: unknown }).facts);
    expect(vb.calls).toEqual([]);
    // Now in b's memory too.
    expect(await b.cache.get(r.ref, vb.verify)).toMatchObject({ source: 'memory' });
    expect(await b.value('atcr_verify_cache_lookups_total', { tier: 'redis', kind: 'facts', result: 'hit' })).toBe(1);
    // Redis expires it as well.
    expect(await raw.pttl(a.redis.redisKey('facts', key))).toBeGreaterThan(60_000);
  });

  it('shares tag resolutions too', async () => {
    const a = await replica();
    const b = await replica();
    const r = sampleReport(n++);
    const key = factsKey(r.ref.registry, r.ref.repository, r.digest);
    const va = counting(new Map([['atcr.io/' + r.ref.repository + ':1.0', r]]));
    await a.cache.get(r.ref, va.verify);
    await until('the tag to reach Redis', async () => (await raw.exists(a.redis.redisKey('facts', key))) === 1 && (await raw.exists(a.redis.redisKey('tag', `atcr.io/${r.ref.repository}:1.0`))) === 1);
    const vb = counting(new Map());
    expect(await b.cache.get(r.ref, vb.verify)).toMatchObject({ source: 'redis', facts: { digest: r.digest } });
    expect(vb.calls).toEqual([]);
  });

  it('ignores and counts an entry written with another key, or with its value or expiry altered', async () => {
    const forger = new RedisTier({ url: server.url, key: OTHER_KEY, namespace: 'it' });
    tiers.push(forger);
    const b = await replica();
    const forgeries: Array<(rkey: string, json: string, exp: number) => string> = [
      // Write access to Redis, but not the key.
      (rkey, json, exp) => forger.seal(rkey, json, exp),
      // A genuine entry whose value was changed: every signature from the attacker's DID.
      (rkey, json, exp) => b.redis.seal(rkey, json, exp).replace(/did:plc:[a-z2-7]{24}/g, 'did:plc:attackerattackerattacker'),
      // A genuine entry whose expiry was pushed out.
      (rkey, json, exp) => b.redis.seal(rkey, json, exp).replace(`\n${exp}\n`, `\n${exp + 86_400_000}\n`),
    ];
    let forged = 0;
    for (const forge of forgeries) {
      const { r, key } = image();
      const c = classifyReport(r);
      if (!c.cacheable) throw new Error('unreachable');
      const rkey = b.redis.redisKey('facts', key);
      await raw.set(rkey, forge(rkey, JSON.stringify(c.facts), Date.now() + 60_000), 'PX', 60_000);
      const v = counting(new Map([[key, r]]));
      expect(await b.cache.get(r.ref, v.verify)).toMatchObject({ source: 'verified' });
      expect(v.calls).toEqual([key]);
      expect(await b.value('atcr_verify_cache_redis_rejected_total', { reason: 'forged' })).toBe(++forged);
    }
  });

  it('rejects a genuine entry moved to another image’s key, and another namespace’s entry', async () => {
    const b = await replica();
    const victim = image();
    const other = image();
    const c = classifyReport(other.r);
    if (!c.cacheable) throw new Error('unreachable');
    // A valid entry for `other`, copied under `victim`'s key.
    const genuine = b.redis.seal(b.redis.redisKey('facts', other.key), JSON.stringify(c.facts), Date.now() + 60_000);
    await raw.set(b.redis.redisKey('facts', victim.key), genuine, 'PX', 60_000);
    const v = counting(new Map([[victim.key, victim.r]]));
    expect(await b.cache.get(victim.r.ref, v.verify)).toMatchObject({ source: 'verified', facts: { digest: victim.r.digest } });
    expect(await b.value('atcr_verify_cache_redis_rejected_total', { reason: 'forged' })).toBe(1);

    const elsewhere = await replica({ namespace: 'other-cluster' });
    const third = image();
    const moved = elsewhere.redis.seal(elsewhere.redis.redisKey('facts', third.key), JSON.stringify((classifyReport(third.r) as { facts: unknown }).facts), Date.now() + 60_000);
    await raw.set(b.redis.redisKey('facts', third.key), moved, 'PX', 60_000);
    await b.cache.get(third.r.ref, counting(new Map([[third.key, third.r]])).verify);
    expect(await b.value('atcr_verify_cache_redis_rejected_total', { reason: 'forged' })).toBe(2);
  });

  it('ignores malformed and oversized entries, and a value of the wrong type', async () => {
    const b = await replica();
    const bad = image();
    await raw.set(b.redis.redisKey('facts', bad.key), 'not an entry at all', 'PX', 60_000);
    await b.cache.get(bad.r.ref, counting(new Map([[bad.key, bad.r]])).verify);
    expect(await b.value('atcr_verify_cache_redis_rejected_total', { reason: 'malformed' })).toBe(1);

    const big = image();
    await raw.set(b.redis.redisKey('facts', big.key), 'v1\n' + 'x'.repeat(300 * 1024), 'PX', 60_000);
    await b.cache.get(big.r.ref, counting(new Map([[big.key, big.r]])).verify);
    expect(await b.value('atcr_verify_cache_redis_rejected_total', { reason: 'oversize' })).toBe(1);

    // Authentic but not facts (a replica of another version, say): a miss, not a crash.
    const odd = image();
    const rkey = b.redis.redisKey('facts', odd.key);
    await raw.set(rkey, b.redis.seal(rkey, '{"digest": 5}', Date.now() + 60_000), 'PX', 60_000);
    expect(await b.cache.get(odd.r.ref, counting(new Map([[odd.key, odd.r]])).verify)).toMatchObject({ source: 'verified' });
    expect(await b.value('atcr_verify_cache_redis_rejected_total', { reason: 'malformed' })).toBe(2);

    const wrongType = image();
    await raw.rpush(b.redis.redisKey('facts', wrongType.key), 'x');
    expect(await b.cache.get(wrongType.r.ref, counting(new Map([[wrongType.key, wrongType.r]])).verify)).toMatchObject({ source: 'verified' });
  });

  it('Redis stopped mid-run: answers from memory and the network, says unhealthy, recovers when Redis returns', async () => {
    const a = await replica();
    const known = image();
    const v = counting(new Map([[known.key, known.r]]));
    await a.cache.get(known.r.ref, v.verify);

    await server.stop();
    await until('the tier to notice', () => !a.redis.status().healthy);
    expect(a.redis.status().state).toBe('down');
    expect(await a.value('atcr_verify_cache_redis_up')).toBe(0);

    expect(await a.cache.get(known.r.ref, v.verify)).toMatchObject({ source: 'memory' });
    const fresh = image();
    const vf = counting(new Map([[fresh.key, fresh.r]]));
    expect(await a.cache.get(fresh.r.ref, vf.verify)).toMatchObject({ cacheable: true, source: 'verified' });
    expect(await a.cache.get(fresh.r.ref, vf.verify)).toMatchObject({ source: 'memory' });
    // ioredis keeps trying in the background; each refused attempt is counted.
    await until('a failed reconnect', async () => (await a.value('atcr_verify_cache_redis_errors_total', { op: 'connection' })) > 0);

    await server.restart();
    raw.disconnect();
    raw = client();
    await until('the tier to reconnect', () => a.redis.status().healthy, 15_000);
    expect(await a.value('atcr_verify_cache_redis_up')).toBe(1);
    const later = image();
    await a.cache.get(later.r.ref, counting(new Map([[later.key, later.r]])).verify);
    await until('writes to resume', async () => (await raw.exists(a.redis.redisKey('facts', later.key))) === 1);
  });

  it('a frozen Redis costs a request at most the command timeout: the answer still comes, and the breaker opens', async () => {
    const a = await replica();
    server.pause(true);
    try {
      const { r, key } = image();
      const v = counting(new Map([[key, r]]));
      expect(await a.cache.get(r.ref, v.verify)).toMatchObject({ source: 'verified' });
      expect(a.redis.status()).toMatchObject({ healthy: false, lastError: expect.stringMatching(/timed out/i) });
      expect(await a.value('atcr_verify_cache_redis_errors_total', { op: 'get' })).toBe(1);
    } finally {
      server.pause(false);
    }
    await until('the tier to recover', async () => {
      await a.cache.get(image().r.ref, async () => sampleReport(1)).catch(() => {});
      return a.redis.status().healthy;
    });
  });

  it('refuses a URL that is not redis://, without echoing a password', () => {
    expect(() => new RedisTier({ url: 'http://user:hunter2@host:6379', key: KEY })).toThrow('--redis http://user:***@host:6379/: only redis:// and rediss:// URLs');
  });
});
