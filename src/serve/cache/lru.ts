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
  value: V;
  expiresAt: number;
  bytes: number;
}

export class BoundedLru<V> {
  // A Map iterates in insertion order: re-inserting on use makes the first key the LRU.
  private readonly map = new Map<string, Slot<V>>();
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
    this.map.delete(key);
    this.map.set(key, slot);
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
    this.map.set(key, { value, expiresAt, bytes });
    this.totalBytes += bytes;
    while (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const lruKey = this.map.keys().next().value as string;
      const slot = this.map.get(lruKey)!;
      this.remove(lruKey, slot, slot.expiresAt <= now ? 'expired' : 'capacity');
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
    for (const [key, slot] of this.map) {
      if (slot.expiresAt <= now) {
        this.remove(key, slot, 'expired');
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.map.clear();
    this.totalBytes = 0;
  }

  /** Keys from least to most recently used (tests and diagnostics). */
  keys(): string[] {
    return [...this.map.keys()];
  }

  private remove(key: string, slot: Slot<V>, reason: EvictionReason): void {
    this.map.delete(key);
    this.totalBytes -= slot.bytes;
    this.opts.onEvict?.(key, slot.value, reason);
  }
}
