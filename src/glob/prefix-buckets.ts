// Scopes filed by their literal prefix. Two scopes can match one image only when one's
// literal prefix is a prefix of the other's (both subjects start with `name`), so the
// scopes that may meet a given one are found by its own prefixes (hash probes) and by
// the prefixes that extend it (a range of the sorted keys) — not by testing every pair.

export class PrefixBuckets<T> {
  private readonly byPrefix = new Map<string, T[]>();
  private sorted: string[] | null = null;

  add(prefix: string, item: T): void {
    const list = this.byPrefix.get(prefix);
    if (list) list.push(item);
    else this.byPrefix.set(prefix, [item]);
    this.sorted = null;
  }

  /** Every item whose prefix is a prefix of `prefix` or extends it, each once, in a fixed order. */
  *compatible(prefix: string): Generator<T> {
    for (let n = 0; n <= prefix.length; n++) {
      const list = this.byPrefix.get(prefix.slice(0, n));
      if (list) yield* list;
    }
    const keys = (this.sorted ??= [...this.byPrefix.keys()].sort());
    // The keys that extend `prefix` sort right after it.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! <= prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) yield* this.byPrefix.get(keys[i]!)!;
  }
}
