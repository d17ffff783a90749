import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedLru, type EvictionReason } from '../../../src/serve/cache/lru.js';

// The reference model: a list in recency order (least recent first), scanned naively.
interface Row {
  key: string;
  value: number;
  expiresAt: number;
  bytes: number;
}

class Model {
  rows: Row[] = [];
  evicted: Array<[string, EvictionReason]> = [];
  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}
  private take(key: string): Row | undefined {
    const i = this.rows.findIndex((r) => r.key === key);
    return i < 0 ? undefined : this.rows.splice(i, 1)[0];
  }
  get(key: string, now: number): number | undefined {
    const r = this.take(key);
    if (!r) return undefined;
    if (r.expiresAt <= now) {
      this.evicted.push([key, 'expired']);
      return undefined;
    }
    this.rows.push(r);
    return r.value;
  }
  set(key: string, value: number, expiresAt: number, now: number, bytes: number): boolean {
    if (expiresAt <= now || bytes > this.maxBytes) return false;
    if (this.take(key)) this.evicted.push([key, 'replaced']);
    this.rows.push({ key, value, expiresAt, bytes });
    const total = () => this.rows.reduce((n, r) => n + r.bytes, 0);
    while (this.rows.length > this.maxEntries || total() > this.maxBytes) {
      const r = this.rows.shift()!;
      this.evicted.push([r.key, r.expiresAt <= now ? 'expired' : 'capacity']);
    }
    return true;
  }
  delete(key: string): boolean {
    const had = this.take(key) !== undefined;
    if (had) this.evicted.push([key, 'deleted']);
    return had;
  }
  sweep(now: number): number {
    const gone = this.rows.filter((r) => r.expiresAt <= now);
    this.rows = this.rows.filter((r) => r.expiresAt > now);
    for (const r of gone) this.evicted.push([r.key, 'expired']);
    return gone.length;
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const op = fc.oneof(
  fc.record({ kind: fc.constant('get' as const), key }),
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer(), ttl: fc.integer({ min: -5, max: 50 }), bytes: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('sweep' as const) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30 }) }),
);

describe('BoundedLru', () => {
  it('behaves like the reference model for any sequence of operations (fake clock)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }), fc.array(op, { maxLength: 80 }), (maxEntries, maxBytes, ops) => {
        const evicted: Array<[string, EvictionReason]> = [];
        const lru = new BoundedLru<number>({ maxEntries, maxBytes, onEvict: (k, _v, reason) => evicted.push([k, reason]) });
        const model = new Model(maxEntries, maxBytes);
        let now = 1000;
        for (const o of ops) {
          switch (o.kind) {
            case 'get':
              expect(lru.get(o.key, now)).toBe(model.get(o.key, now));
              break;
            case 'set':
              expect(lru.set(o.key, o.value, now + o.ttl, now, o.bytes)).toBe(model.set(o.key, o.value, now + o.ttl, now, o.bytes));
              break;
            case 'delete':
              expect(lru.delete(o.key)).toBe(model.delete(o.key));
              break;
            case 'sweep':
              expect(lru.sweep(now)).toBe(model.sweep(now));
              break;
            case 'tick':
              now += o.ms;
              break;
          }
          expect(lru.keys()).toEqual(model.rows.map((r) => r.key));
          expect(lru.bytes).toBe(model.rows.reduce((n, r) => n + r.bytes, 0));
          expect(lru.size).toBeLessThanOrEqual(maxEntries);
          expect(lru.bytes).toBeLessThanOrEqual(maxBytes);
          for (const r of model.rows) expect(lru.peek(r.key, now)).toBe(r.expiresAt > now ? r.value : undefined);
        }
        expect(evicted).toEqual(model.evicted);
      }),
      { numRuns: 300 },
    );
  });

  it('never returns an entry at or after its expiry', () => {
    const lru = new BoundedLru<string>({ maxEntries: 10 });
    lru.set('k', 'v', 1100, 1000);
    expect(lru.get('k', 1099)).toBe('v');
    expect(lru.ttl('k', 1099)).toBe(1);
    expect(lru.get('k', 1100)).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it('refuses bounds that are not positive', () => {
    expect(() => new BoundedLru({ maxEntries: 0 })).toThrow(/maxEntries must be a positive integer/);
    expect(() => new BoundedLru({ maxEntries: 1, maxBytes: 0 })).toThrow(/maxBytes must be positive/);
  });
});
