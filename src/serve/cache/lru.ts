// A bounded in-memory map: least recently used entries go first once the entry count
// or the estimated byte total is over its bound, and every entry carries its own expiry.
// Expired entries are dropped when touched or swept; until then they only count toward
// the bounds, which capacity eviction keeps anyway.

export type EvictionReason = 'capacity' | 'expired' | 'replaced' | 'deleted';

export interface LruOptions<V> {
  /** Most entries held (≥ 1). */
  maxEntries: number;
  /** Most estimated bytes held; `Infinity` for a count bound only. */
  maxBytes?: number;
  /** Called for every entry that leaves other than by `clear`. */
  onEvict?: (key: string, value: V, reason: EvictionReason) => void;
}

interface Slot<V> {
  key: string;
  value: V;
  expiresAt: number;
  bytes: number;
  /** Towards the least recently used end. */
  older: Slot<V> | null;
  /** Towards the most recently used end. */
  newer: Slot<V> | null;
}

export class BoundedLru<V> {
  // Recency is a doubly linked list beside the Map: moving an entry on use is a few
  // pointer writes. (Re-inserting into the Map on every hit churned its hash table:
  // a cached request of 100 images spent a tenth of its time in that and the GC after.)
  private readonly map = new Map<string, Slot<V>>();
  private oldest: Slot<V> | null = null;
  private newest: Slot<V> | null = null;
  private totalBytes = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(private readonly opts: LruOptions<V>) {
    if (!Number.isInteger(opts.maxEntries) || opts.maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, not ${opts.maxEntries}`);
    const maxBytes = opts.maxBytes ?? Infinity;
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, not ${maxBytes}`);
    this.maxEntries = opts.maxEntries;
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes of the entries held. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The value if present and `now < expiresAt`; a hit becomes the most recently used. */
  get(key: string, now: number): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= now) {
      this.remove(key, slot, 'expired');
      return undefined;
    }
    if (slot !== this.newest) {
      this.unlink(slot);
      this.append(slot);
    }
    return slot.value;
  }

  /** Like `get`, without changing the order or removing anything. */
  peek(key: string, now: number): V | undefined {
    const slot = this.map.get(key);
    return slot !== undefined && slot.expiresAt > now ? slot.value : undefined;
  }

  /** Remaining lifetime in ms, or 0 when absent or expired. */
  ttl(key: string, now: number): number {
    const slot = this.map.get(key);
    return slot !== undefined && slot.expiresAt > now ? slot.expiresAt - now : 0;
  }

  /**
   * Stores `value` until `expiresAt`. An entry larger than `maxBytes` on its own, or
   * already expired, is not stored (and replaces nothing). Returns whether it was stored.
   */
  set(key: string, value: V, expiresAt: number, now: number, bytes = 0): boolean {
    if (expiresAt <= now || bytes > this.maxBytes) return false;
    const old = this.map.get(key);
    if (old !== undefined) this.remove(key, old, 'replaced');
    const slot: Slot<V> = { key, value, expiresAt, bytes, older: null, newer: null };
    this.map.set(key, slot);
    this.append(slot);
    this.totalBytes += bytes;
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const lru = this.oldest!;
      this.remove(lru.key, lru, lru.expiresAt <= now ? 'expired' : 'capacity');
    }
    return true;
  }

  delete(key: string): boolean {
    const slot = this.map.get(key);
    if (slot === undefined) return false;
    this.remove(key, slot, 'deleted');
    return true;
  }

  /** Drops every expired entry; returns how many. O(size): call it from a timer, not per request. */
  sweep(now: number): number {
    let n = 0;
    for (let slot = this.oldest; slot !== null; ) {
      const next = slot.newer;
      if (slot.expiresAt <= now) {
        this.remove(slot.key, slot, 'expired');
        n++;
      }
      slot = next;
    }
    return n;
  }

  clear(): void {
    this.map.clear();
    this.oldest = this.newest = null;
    this.totalBytes = 0;
  }

  /** Keys from least to most recently used (tests and diagnostics). */
  keys(): string[] {
    const out: string[] = [];
    for (let s = this.oldest; s !== null; s = s.newer) out.push(s.key);
    return out;
  }

  private append(slot: Slot<V>): void {
    slot.older = this.newest;
    slot.newer = null;
    if (this.newest) this.newest.newer = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: Slot<V>): void {
    if (slot.older) slot.older.newer = slot.newer;
    else this.oldest = slot.newer;
    if (slot.newer) slot.newer.older = slot.older;
    else this.newest = slot.older;
    slot.older = slot.newer = null;
  }

  private remove(key: string, slot: Slot<V>, reason: EvictionReason): void {
    this.map.delete(key);
    this.unlink(slot);
    this.totalBytes -= slot.bytes;
    this.opts.onEvict?.(key, slot.value, reason);
  }
}
