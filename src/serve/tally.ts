// Counts taken on the request path as plain numbers, added to their prom-client counter
// when it is collected (a scrape of /metrics). prom-client's `inc` with labels builds,
// validates and hashes the label set on every call; at 100 images a request, a few such
// counts per image cost more than answering them from the cache.

import type { Counter } from 'prom-client';

/** The count of one label combination: hold it and add to `n`. */
export interface TallySlot {
  n: number;
}

export class Tally<L extends string> {
  private readonly slots = new Map<string, { labels: Record<L, string>; slot: TallySlot }>();

  constructor(private readonly labelNames: readonly L[]) {}

  /** The slot of `labels` (created on first use; label sets are closed, so slots are few). */
  slot(labels: Record<L, string>): TallySlot {
    let id = '';
    for (const name of this.labelNames) id += `${labels[name]}\u0000`;
    let entry = this.slots.get(id);
    if (!entry) {
      entry = { labels: { ...labels }, slot: { n: 0 } };
      this.slots.set(id, entry);
    }
    return entry.slot;
  }

  /** Adds everything counted since the last flush to `counter` (call it from the counter's `collect`). */
  flush(counter: Counter<L>): void {
    for (const { labels, slot } of this.slots.values()) {
      if (slot.n === 0) continue;
      counter.inc(labels, slot.n);
      slot.n = 0;
    }
  }
}
