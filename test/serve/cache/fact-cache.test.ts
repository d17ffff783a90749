import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../../src/kernel/verify.js';
import { DiscoveryError } from '../../../src/kernel/verify.js';
import { parseImageRef } from '../../../src/ref/reference.js';
import { FactCache, type Verify } from '../../../src/serve/cache/fact-cache.js';
import { ConcurrencyLimiter } from '../../../src/serve/cache/limiter.js';
import { promCacheMetrics } from '../../../src/serve/cache/metrics.js';
import { sampleReport, unavailableSignature } from './sample.js';

const ref = (s: string) => parseImageRef(s)!;

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A verifier that answers from a table of images to reports, counting calls. */
function verifier(reports: (image: string) => VerifyReport) {
  const calls: string[] = [];
  const verify: Verify = async (image) => {
    calls.push(image);
    return reports(image);
  };
  return { verify, calls };
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return v?.value ?? 0;
}

describe('FactCache (memory tier)', () => {
  it('verifies once, then answers a tag and its digest from memory until the TTLs pass', async () => {
    const clock = fakeClock();
    const registry = new Registry();
    const metrics = promCacheMetrics(registry);
    const cache = new FactCache({ clock, metrics, positiveTtlMs: 60_000, tagTtlMs: 10_000 });
    const report = sampleReport(1);
    const v = verifier((image) => ({ ...report, image, ref: ref(image) }));

    const first = await cache.get(ref(report.image), v.verify);
    expect(first).toMatchObject({ cacheable: true, source: 'verified' });
    expect(v.calls).toEqual(['atcr.io/owner1/app1:1.0']);

    expect(await cache.get(ref(report.image), v.verify)).toMatchObject({ cacheable: true, source: 'memory' });
    expect(await cache.get(ref(`atcr.io/owner1/app1@${report.digest}`), v.verify)).toMatchObject({ source: 'memory' });
    expect(v.calls).toHaveLength(1);

    // The tag resolution expires first: the tag is verified again, pinned to nothing.
    clock.advance(10_001);
    expect(await cache.get(ref(`atcr.io/owner1/app1@${report.digest}`), v.verify)).toMatchObject({ source: 'memory' });
    expect(await cache.get(ref(report.image), v.verify)).toMatchObject({ source: 'verified' });
    expect(v.calls).toEqual(['atcr.io/owner1/app1:1.0', 'atcr.io/owner1/app1:1.0']);

    clock.advance(60_001);
    expect(await cache.get(ref(`atcr.io/owner1/app1@${report.digest}`), v.verify)).toMatchObject({ source: 'verified' });
    expect(v.calls[2]).toBe(`atcr.io/owner1/app1@${report.digest}`);
    expect(await metric(registry, 'atcr_verify_cache_lookups_total', { tier: 'memory', kind: 'facts', result: 'hit' })).toBe(3);
  });

  it('keeps negative facts for the shorter negative TTL', async () => {
    const clock = fakeClock();
    const cache = new FactCache({ clock, positiveTtlMs: 60_000, negativeTtlMs: 5_000 });
    const r = sampleReport(2, { image: 'atcr.io/o/unsigned@sha256:' + '1'.repeat(64), signatures: [] });
    const v = verifier(() => r);
    expect(await cache.get(r.ref, v.verify)).toMatchObject({ cacheable: true, source: 'verified', facts: { verified: false } });
    clock.advance(4_999);
    expect(await cache.get(r.ref, v.verify)).toMatchObject({ source: 'memory' });
    clock.advance(2);
    expect(await cache.get(r.ref, v.verify)).toMatchObject({ source: 'verified' });
  });

  it('never stores a report with an unreachable service: each request verifies again', async () => {
    const registry = new Registry();
    const cache = new FactCache({ metrics: promCacheMetrics(registry) });
    const r = sampleReport(3, { image: 'atcr.io/o/app@sha256:' + '2'.repeat(64), unavailable: true });
    r.signatures.push(unavailableSignature('did:plc:pdsdown'));
    const v = verifier(() => r);
    const got = await cache.get(r.ref, v.verify);
    expect(got).toMatchObject({ cacheable: false, reason: 'unavailable', source: 'verified' });
    expect(await cache.get(r.ref, v.verify)).toMatchObject({ cacheable: false });
    expect(v.calls).toHaveLength(2);
    expect(cache.stats().facts).toBe(0);
    expect(await metric(registry, 'atcr_verify_cache_uncacheable_total', { reason: 'unavailable' })).toBe(2);
  });

  it('never stores a discovery failure; the error reaches every waiting caller', async () => {
    const cache = new FactCache();
    let calls = 0;
    const failing: Verify = async () => {
      calls++;
      throw new DiscoveryError('unavailable', 'registry down');
    };
    const img = ref('registry.example/a/b:1');
    const both = await Promise.allSettled([cache.get(img, failing), cache.get(img, failing)]);
    expect(both.map((b) => b.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    await expect(cache.get(img, failing)).rejects.toThrow('registry down');
    expect(calls).toBe(2);
  });

  it('concurrent requests of one image share one verification', async () => {
    const cache = new FactCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = sampleReport(4);
    let calls = 0;
    const slow: Verify = async () => {
      calls++;
      await gate;
      return r;
    };
    const all = Array.from({ length: 20 }, () => cache.get(r.ref, slow));
    await new Promise((res) => setImmediate(res));
    release();
    const got = await Promise.all(all);
    expect(calls).toBe(1);
    expect(got.filter((g) => g.source === 'joined')).toHaveLength(19);
  });

  it("a request past its deadline gets a deadline error while the verification completes for the cache", async () => {
    const cache = new FactCache({ limiter: new ConcurrencyLimiter({ global: 1 }) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = sampleReport(5);
    const slow: Verify = async () => {
      await gate;
      return r;
    };
    const c = new AbortController();
    const p = cache.get(r.ref, slow, { signal: c.signal });
    await new Promise((res) => setTimeout(res, 5));
    expect(cache.stats().inFlight).toBe(1);
    c.abort();
    await expect(p).rejects.toMatchObject({ name: 'LoadError', code: 'aborted' });
    release();
    // The next request finds what the abandoned verification stored.
    await new Promise((res) => setTimeout(res, 10));
    expect(await cache.get(r.ref, slow)).toMatchObject({ source: 'memory' });
  });

  it('a verification that overruns its own deadline is an error for every caller, and nothing is cached', async () => {
    const cache = new FactCache({ flightDeadlineMs: 20 });
    const hang: Verify = (_image, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const img = ref('atcr.io/o/slow:1');
    await expect(cache.get(img, hang)).rejects.toMatchObject({ code: 'deadline' });
    expect(cache.stats()).toMatchObject({ facts: 0, tags: 0, inFlight: 0 });
  });

  it('evicts the least recently used facts beyond the entry bound', async () => {
    const registry = new Registry();
    const cache = new FactCache({ maxEntries: 2, metrics: promCacheMetrics(registry) });
    const reports = [0, 1, 2].map((i) => sampleReport(i, { image: `atcr.io/o/app${i}@sha256:${String(i).repeat(64)}` }));
    const v = verifier((image) => reports.find((r) => r.image === image)!);
    for (const r of reports) await cache.get(r.ref, v.verify);
    expect(cache.stats().facts).toBe(2);
    expect(await cache.get(reports[0]!.ref, v.verify)).toMatchObject({ source: 'verified' });
    expect(await metric(registry, 'atcr_verify_cache_evictions_total', { kind: 'facts', reason: 'capacity' })).toBe(2);
    expect(await metric(registry, 'atcr_verify_cache_entries', { kind: 'facts' })).toBe(2);
  });

  it('refuses lifetimes that are not positive', () => {
    expect(() => new FactCache({ negativeTtlMs: 0 })).toThrow(/negativeTtlMs must be a positive number of ms/);
  });
});

describe('FactCache.fromMemory', () => {
  it('answers a tag or digest synchronously from memory, and nothing that was never verified', async () => {
    const cache = new FactCache();
    const r = sampleReport(11);
    const img = ref(r.image);
    expect(cache.fromMemory(img)).toBeUndefined();
    await cache.get(img, async () => r);
    expect(cache.fromMemory(img)?.digest).toBe(r.digest);
    expect(cache.fromMemory(ref(`atcr.io/owner11/app11@${r.digest}`))?.signatures).toHaveLength(3);
    expect(cache.fromMemory(ref('atcr.io/owner11/app11:2.0'))).toBeUndefined();
  });
});

describe('FactCache memory hits', () => {
  it('answer exactly the facts verified, and the same object while the entry is among the recently answered', async () => {
    const cache = new FactCache();
    const r = sampleReport(12);
    const img = ref(r.image);
    const verified = await cache.get(img, async () => r);
    const first = cache.fromMemory(img)!;
    // The server's remembered answers (serve/facts.ts) hold only while this is the same object.
    expect(cache.fromMemory(img)).toBe(first);
    expect((await cache.get(img, async () => r)).facts).toBe(first);
    expect(first).toStrictEqual(verified.facts);
    expect(JSON.stringify(first)).toBe(JSON.stringify(verified.facts));
    // Once 4,096 other entries were answered it is rebuilt: equal, a new object.
    for (let i = 0; i < 4096; i++) {
      const other = sampleReport(1000 + i);
      await cache.get(ref(other.image), async () => other);
      cache.fromMemory(ref(other.image));
    }
    const again = cache.fromMemory(img)!;
    expect(again).not.toBe(first);
    expect(again).toStrictEqual(first);
  });
});
