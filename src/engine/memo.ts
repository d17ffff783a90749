// A bounded memo for pure functions of strings on the decision path. Admission and batch
// workloads repeat the same image references and timestamps; parsing them once per engine
// is the cheapest decision. Full: start over (no LRU bookkeeping on the hot path).

export class Memo<V> {
  private readonly map = new Map<string, V>();

  constructor(
    private readonly compute: (key: string) => V,
    private readonly max = 4096,
  ) {}

  get(key: string): V {
    let v = this.map.get(key);
    if (v === undefined && !this.map.has(key)) {
      v = this.compute(key);
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(key, v);
    }
    return v as V;
  }
}
