import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../../src/serve/cache/errors.js';
import { SingleFlight } from '../../../src/serve/cache/single-flight.js';

function gate<T>() {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

describe('SingleFlight', () => {
  it('N concurrent callers of one key share one computation (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer(), async (n, value) => {
        const sf = new SingleFlight<number>({ deadlineMs: 5000 });
        const g = gate<number>();
        let calls = 0;
        const results = Array.from({ length: n }, () =>
          sf.run('k', () => {
            calls++;
            return g.promise;
          }),
        );
        g.open(value);
        const got = await Promise.all(results);
        expect(calls).toBe(1);
        expect(got.map((r) => r.value)).toEqual(Array(n).fill(value));
        expect(got.filter((r) => !r.joined)).toHaveLength(1);
        expect(sf.size).toBe(0);
      }),
      { numRuns: 50 },
    );
  });

  it('different keys do not share', async () => {
    const sf = new SingleFlight<string>({ deadlineMs: 5000 });
    const [a, b] = await Promise.all([sf.run('a', async () => 'A'), sf.run('b', async () => 'B')]);
    expect([a.value, b.value]).toEqual(['A', 'B']);
    expect(a.joined || b.joined).toBe(false);
  });

  it("one caller's abort rejects that caller only; the others and the computation go on", async () => {
    const sf = new SingleFlight<string>({ deadlineMs: 5000 });
    const g = gate<string>();
    let computeSignal: AbortSignal | undefined;
    const leaving = new AbortController();
    const first = sf.run(
      'k',
      (signal) => {
        computeSignal = signal;
        return g.promise;
      },
      leaving.signal,
    );
    const second = sf.run('k', () => Promise.resolve('other'));
    leaving.abort();
    await expect(first).rejects.toMatchObject({ name: 'LoadError', code: 'aborted' });
    expect(computeSignal!.aborted).toBe(false);
    g.open('facts');
    await expect(second).resolves.toEqual({ value: 'facts', joined: true });
  });

  it('a caller whose signal carries a LoadError gets that error (its own deadline)', async () => {
    const sf = new SingleFlight<string>({ deadlineMs: 5000 });
    const c = new AbortController();
    const p = sf.run('k', () => new Promise<string>(() => {}), c.signal);
    c.abort(new LoadError('deadline', 'k: not ready within 5 ms'));
    await expect(p).rejects.toMatchObject({ code: 'deadline', message: 'k: not ready within 5 ms' });
  });

  it('failures are not remembered: the next caller computes again', async () => {
    const sf = new SingleFlight<number>({ deadlineMs: 5000 });
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('PDS down'));
    };
    await expect(Promise.all([sf.run('k', failing), sf.run('k', failing)])).rejects.toThrow('PDS down');
    expect(calls).toBe(1);
    await expect(sf.run('k', async () => 7)).resolves.toEqual({ value: 7, joined: false });
  });

  it('the shared work has its own deadline: it is aborted, every caller gets a deadline error, the key is free again', async () => {
    const sf = new SingleFlight<number>({ deadlineMs: 30 });
    let seen: unknown;
    // A computation that ignores its signal still cannot hold its callers past the deadline.
    const stuck = (signal: AbortSignal) => {
      signal.addEventListener('abort', () => (seen = signal.reason));
      return new Promise<number>(() => {});
    };
    const all = await Promise.allSettled([sf.run('k', stuck), sf.run('k', stuck)]);
    for (const r of all) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'deadline' } });
    expect(seen).toBeInstanceOf(LoadError);
    expect(sf.size).toBe(0);
    await expect(sf.run('k', async () => 1)).resolves.toEqual({ value: 1, joined: false });
  });

  it('an already-aborted caller is refused without starting anything', async () => {
    const sf = new SingleFlight<number>({ deadlineMs: 100 });
    let calls = 0;
    await expect(sf.run('k', async () => ++calls, AbortSignal.abort())).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(0);
  });
});
