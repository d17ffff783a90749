// Aho–Corasick over UTF-16 code units: finds every stored key occurring anywhere in a
// text in one left-to-right pass, so the scope index can key a glob on a literal run in
// its middle (`*.io/team-7/**` on `.io/team-7/`) and still not try every glob per image.

class AcNode<T> {
  readonly next = new Map<number, AcNode<T>>();
  fail: AcNode<T> | null = null;
  /** The nearest node on the failure chain (this one included) that holds values. */
  out: AcNode<T> | null = null;
  values: T[] | null = null;
}

export class AhoCorasick<T> {
  private readonly root = new AcNode<T>();
  private built = false;

  add(key: string, value: T): void {
    if (this.built) throw new Error('AhoCorasick: add after build');
    if (key.length === 0) throw new Error('AhoCorasick: empty key');
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      let child = node.next.get(c);
      if (child === undefined) {
        child = new AcNode<T>();
        node.next.set(c, child);
      }
      node = child;
    }
    (node.values ??= []).push(value);
  }

  /** Computes failure and output links breadth-first; call once after the last add. */
  build(): void {
    this.built = true;
    const queue: AcNode<T>[] = [];
    this.root.fail = this.root;
    for (const child of this.root.next.values()) {
      child.fail = this.root;
      child.out = child.values !== null ? child : null;
      queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      for (const [c, child] of node.next) {
        let f = node.fail!;
        while (f !== this.root && !f.next.has(c)) f = f.fail!;
        const target = f.next.get(c);
        child.fail = target !== undefined && target !== child ? target : this.root;
        child.out = child.values !== null ? child : child.fail.out;
        queue.push(child);
      }
    }
  }

  forEachValue(visit: (value: T) => void): void {
    const stack = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      node.values?.forEach(visit);
      for (const child of node.next.values()) stack.push(child);
    }
  }

  /** Calls visit(values, end) for every key occurrence; end is the offset just past it. */
  scan(text: string, visit: (values: readonly T[], end: number) => void): void {
    const root = this.root;
    let node = root;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let child = node.next.get(c);
      while (child === undefined && node !== root) {
        node = node.fail!;
        child = node.next.get(c);
      }
      node = child ?? root;
      for (let o = node.out; o !== null; o = o.fail!.out) visit(o.values!, i + 1);
    }
  }
}
