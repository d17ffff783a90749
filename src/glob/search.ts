// Breadth-first search for the shortest string leading to a goal state, shared by the
// intersection and cover checks. States are non-negative integers (packed tuples); each
// parent link packs the previous state and the symbol class read, so the witness can be
// spelled back without storing strings.

export type SearchResult = ({ found: true; classes: number[] } | { found: false; overBudget: boolean }) & {
  /** Distinct states reached: the work a budget is charged. */
  explored: number;
};

export interface SearchSpec {
  starts: Iterable<number>;
  /** Number of symbol classes; successors report classes below it. */
  classes: number;
  /** Calls edge(next, cls) for every transition out of state. */
  successors(state: number, edge: (next: number, cls: number) => void): void;
  goal(state: number): boolean;
  /** Give up after this many distinct states (plus the extra work `cost` reports). */
  budget?: number;
  /** Work done beyond visiting states (e.g. building subset states), counted against the budget. */
  cost?: () => number;
}

export function shortestPath(spec: SearchSpec): SearchResult {
  const k = spec.classes;
  const budget = spec.budget ?? Infinity;
  const parent = new Map<number, number>();
  const queue: number[] = [];
  for (const s of spec.starts) {
    if (!parent.has(s)) {
      parent.set(s, -1);
      queue.push(s);
    }
  }
  let current = 0;
  const edge = (next: number, cls: number): void => {
    if (parent.has(next)) return;
    parent.set(next, current * k + cls);
    queue.push(next);
  };
  for (let q = 0; q < queue.length; q++) {
    current = queue[q]!;
    if (spec.goal(current)) return { found: true, classes: pathTo(parent, current, k), explored: parent.size + (spec.cost?.() ?? 0) };
    if (parent.size + (spec.cost?.() ?? 0) > budget) return { found: false, overBudget: true, explored: parent.size + (spec.cost?.() ?? 0) };
    spec.successors(current, edge);
  }
  return { found: false, overBudget: false, explored: parent.size + (spec.cost?.() ?? 0) };
}

function pathTo(parent: ReadonlyMap<number, number>, state: number, k: number): number[] {
  const out: number[] = [];
  for (let link = parent.get(state)!; link !== -1; link = parent.get(Math.floor(link / k))!) out.push(link % k);
  return out.reverse();
}
