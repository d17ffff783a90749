import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadlineBelow, deadlineSignal } from '../../../src/serve/cache/deadline.js';
import { LoadError } from '../../../src/serve/cache/errors.js';
import { ConcurrencyLimiter, Semaphore } from '../../../src/serve/cache/limiter.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('Semaphore', () => {
  it('grants in arrival order and never more than the limit', async () => {
    const sem = new Semaphore(2, 10);
    const order: number[] = [];
    const releases = await Promise.all([sem.acquire(), sem.acquire()]);
    const waiting = [0, 1, 2].map((i) => sem.acquire().then((r) => (order.push(i), r)));
    await tick();
    expect(sem.inUse).toBe(2);
    expect(sem.queued).toBe(3);
    releases[0]!();
    releases[0]!(); // a second call of one release frees nothing more
    await tick();
    expect(order).toEqual([0]);
    expect(sem.inUse).toBe(2);
    releases[1]!();
    const r0 = await waiting[0]!;
    r0();
    await Promise.all(waiting.slice(1));
    expect(order).toEqual([0, 1, 2]);
  });

  it('an aborted waiter leaves the queue and gets its error, not a slot later', async () => {
    const sem = new Semaphore(1, 10);
    const release = await sem.acquire();
    const c = new AbortController();
    const leaving = sem.acquire(c.signal);
    const staying = sem.acquire();
    c.abort(new LoadError('deadline', 'k: not ready within 10 ms'));
    await expect(leaving).rejects.toMatchObject({ code: 'deadline' });
    expect(sem.queued).toBe(1);
    release();
    (await staying)();
    expect(sem.idle).toBe(true);
  });

  it('refuses a waiter beyond the queue bound as overloaded', async () => {
    const sem = new Semaphore(1, 1);
    await sem.acquire();
    void sem.acquire();
    await expect(sem.acquire()).rejects.toMatchObject({ code: 'overloaded' });
  });

  it('in-flight never exceeds the limit and every task runs, whatever the arrivals and aborts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ work: fc.integer({ min: 0, max: 3 }), abortAfter: fc.option(fc.integer({ min: 0, max: 3 })) }), { maxLength: 30 }),
        async (limit, tasks) => {
          const sem = new Semaphore(limit, 1000);
          let running = 0;
          let peak = 0;
          let ran = 0;
          const outcomes = await Promise.allSettled(
            tasks.map(async (t) => {
              const c = new AbortController();
              if (t.abortAfter !== null) void (async () => {
                for (let i = 0; i < t.abortAfter!; i++) await tick();
                c.abort();
              })();
              const release = await sem.acquire(c.signal);
              running++;
              peak = Math.max(peak, running);
              for (let i = 0; i < t.work; i++) await tick();
              running--;
              ran++;
              release();
            }),
          );
          expect(peak).toBeLessThanOrEqual(limit);
          expect(ran + outcomes.filter((o) => o.status === 'rejected').length).toBe(tasks.length);
          for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'aborted' });
          expect(sem.idle).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('ConcurrencyLimiter', () => {
  it('bounds each host and the total; a busy host does not hold global slots', async () => {
    const lim = new ConcurrencyLimiter({ global: 3, perHost: 2 });
    const a1 = await lim.acquire(['registry-a']);
    const a2 = await lim.acquire(['registry-a']);
    let a3Granted = false;
    const a3 = lim.acquire(['registry-a']).then((r) => ((a3Granted = true), r));
    // registry-a is full, but b still gets the third global slot.
    const b1 = await lim.acquire(['registry-b']);
    expect(lim.inUse).toBe(3);
    await tick();
    expect(a3Granted).toBe(false);
    a1();
    // a's host slot passes to a3, which then needs the global slot a1 just freed.
    const r3 = await a3;
    expect(lim.inUse).toBe(3);
    for (const r of [a2, b1, r3]) r();
    expect(lim.inUse).toBe(0);
    expect(lim.activeHosts).toBe(0);
  });

  it('a waiter aborted while queued holds nothing afterwards', async () => {
    const lim = new ConcurrencyLimiter({ global: 1, perHost: 4 });
    const held = await lim.acquire(['r']);
    const c = new AbortController();
    const p = lim.acquire(['r', 'pds.example'], c.signal);
    await tick();
    c.abort();
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    held();
    expect(lim.inUse).toBe(0);
    expect(lim.activeHosts).toBe(0);
    await lim.run(['r'], async () => expect(lim.inUse).toBe(1));
  });

  it('run releases on failure', async () => {
    const lim = new ConcurrencyLimiter({ global: 1 });
    await expect(lim.run(['r'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(lim.inUse).toBe(0);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new ConcurrencyLimiter({ global: 0 })).toThrow(/positive integer/);
    expect(() => new ConcurrencyLimiter({ perHost: 1.5 })).toThrow(/positive integer/);
  });
});

describe('deadlines', () => {
  it('stay below the caller budget with room to answer', () => {
    expect(deadlineBelow(3000)).toBe(2400); // Gatekeeper timeout: 3
    expect(deadlineBelow(1000)).toBe(750); // Gatekeeper mutation webhook default 1 s
    expect(deadlineBelow(10_000)).toBe(8000); // Kyverno's default webhook timeout
    expect(deadlineBelow(80)).toBe(40);
    fc.assert(fc.property(fc.integer({ min: 2, max: 120_000 }), (b) => deadlineBelow(b) < b && deadlineBelow(b) >= 1));
    expect(() => deadlineBelow(0)).toThrow(/positive number/);
  });

  it('a deadline signal aborts with a LoadError deadline, or with its parent', async () => {
    const d = deadlineSignal(5, 'atcr.io/a/b:1');
    await new Promise((r) => d.signal.addEventListener('abort', r));
    expect(d.signal.reason).toMatchObject({ code: 'deadline', message: 'atcr.io/a/b:1: not ready within 5 ms' });
    const parent = new AbortController();
    const e = deadlineSignal(10_000, 'x', parent.signal);
    parent.abort(new LoadError('aborted', 'client went away'));
    expect(e.signal.reason).toMatchObject({ code: 'aborted' });
    e.dispose();
  });
});
