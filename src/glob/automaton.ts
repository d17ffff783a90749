// Language questions on scope globs, for the lint rules `overlapping-scopes` (can two
// scopes match the same image?) and `unreachable-policy` (is every image one scope
// matches also matched by others?). Both are decided over the strings `name:tag` that
// real images present (shapes.ts SUBJECT), on a symbolic alphabet (alphabet.ts):
// intersection by a breadth-first search of the product of two scope NFAs (polynomial,
// shortest witness); cover by a subset construction of the outer scopes' union, explored
// lazily alongside the inner scopes, with a state budget. Overlap asks both at once: an
// image two scopes match that no more specific scope takes. See docs/scopes.md.

import type { IRScope } from '../ir/types.js';
import { parseImageRef } from '../ref/reference.js';
import { alphabetFor, type Alphabet } from './alphabet.js';
import { literalSuffixOf } from './glob.js';
import { scopeNfa, scopeTokens, type ScopeNfa } from './nfa.js';
import { shortestPath } from './search.js';
import { WorkBudget } from './budget.js';
import { PREFERRED, SUBJECT, shapeTable, type Shape } from './shapes.js';

export const DEFAULT_COVER_BUDGET = 200_000;

/** What a bounded question gave: an image, none, or no answer within the budget. */
export type Answer = { image: string } | { image: null } | 'unknown';

/**
 * An image both scopes match, or null when none can. The witness is the image's `name`
 * when both scopes target names, otherwise `name:tag` (the tag is `""` only when the
 * scopes allow nothing else, as for a digest-only reference). Readable names
 * (`host.domain/component:tag`) are preferred when one exists.
 */
export function scopesIntersect(a: IRScope, b: IRScope): string | null {
  const r = decidedIntersection([a, b], []);
  return r === 'unknown' ? null : r.image; // no budget: never unknown
}

/**
 * An image every one of `inners` matches and none of `outers` does — what the inner
 * scopes decide together once more specific scopes have taken theirs — or null when there
 * is none; 'unknown' when the budget runs out first. Presented as scopesIntersect does.
 */
export function decidedIntersection(inners: readonly IRScope[], outers: readonly IRScope[], budget?: WorkBudget): Answer {
  const namesOnly = inners.every((s) => s.target === 'name');
  const preferred = escapingImage(inners, outers, PREFERRED, budget);
  if (preferred === 'unknown') return 'unknown';
  if (preferred !== null && isNormalized(preferred)) return { image: present(preferred, namesOnly) };
  const any = escapingImage(inners, outers, SUBJECT, budget);
  if (any === 'unknown') return 'unknown';
  return { image: any === null ? null : present(any, namesOnly) };
}

export type CoverResult = { covered: true } | { covered: false; witness: string } | { covered: 'unknown' };

/** Every image matched by inner is matched by some outer; 'unknown' past the state budget. */
export function scopeCoveredBy(
  inner: IRScope,
  outers: readonly IRScope[],
  budget: number | WorkBudget = DEFAULT_COVER_BUDGET,
): boolean | 'unknown' {
  return coverCounterexample(inner, outers, budget).covered;
}

/**
 * Like scopeCoveredBy, with an image (`name:tag`) that inner matches and no outer does
 * when there is one. The budget bounds the product states explored: a number for this
 * question alone, or a WorkBudget shared by a whole check (charged what was explored).
 */
export function coverCounterexample(
  inner: IRScope,
  outers: readonly IRScope[],
  budget: number | WorkBudget = DEFAULT_COVER_BUDGET,
): CoverResult {
  const shared = typeof budget === 'number' ? new WorkBudget(budget) : budget;
  const r = escapingImage([inner], outers, SUBJECT, shared);
  if (r === 'unknown') return { covered: 'unknown' };
  return r === null ? { covered: true } : { covered: false, witness: r };
}

/**
 * Shortest `name:tag` in the shape that every inner NFA accepts and the subset
 * construction of the outers' union does not, found by a breadth-first search of their
 * product (explored lazily); 'unknown' when the budget runs out first.
 */
function escapingImage(inners: readonly IRScope[], outers: readonly IRScope[], shape: Shape, budget?: WorkBudget): string | null | 'unknown' {
  const innerTokens = inners.map(scopeTokens);
  // An outer whose literal ends contradict an inner's cannot match any of its images.
  const relevant = outers.filter((o) => inners.every((i) => compatibleEnds(i, o)));
  const outerTokens = relevant.map(scopeTokens);
  const alphabet = alphabetFor([...innerTokens, ...outerTokens]);
  const nfas = innerTokens.map((t, j) => scopeNfa(t, inners[j]!.target === 'name', alphabet));
  const union = new UnionDfa(
    outerTokens.map((t, i) => scopeNfa(t, relevant[i]!.target === 'name', alphabet)),
    alphabet.reps.length,
  );
  const table = shapeTable(shape, alphabet);
  const k = alphabet.reps.length;
  const nS = shape.stateCount;
  const m = nfas.length;
  // State (outer subset d, inner states i_0..i_{m-1}, shape state s) packed in mixed radix:
  // ((d * n_0 + i_0) * n_1 + i_1 …) * nS + s.
  const pack = (d: number, is: readonly number[], st: number): number => {
    let key = d;
    for (let j = 0; j < m; j++) key = key * nfas[j]!.stateCount + is[j]!;
    return key * nS + st;
  };
  const unpack = (key: number): { d: number; is: number[]; st: number } => {
    const st = key % nS;
    let rest = Math.floor(key / nS);
    const is = new Array<number>(m);
    for (let j = m - 1; j >= 0; j--) {
      const n = nfas[j]!.stateCount;
      is[j] = rest % n;
      rest = Math.floor(rest / n);
    }
    return { d: rest, is, st };
  };
  const d0 = union.start();
  const starts: number[] = [];
  const combine = (j: number, acc: number[], each: (is: number[]) => void, choices: readonly (readonly number[])[]): void => {
    if (j === m) return each(acc);
    for (const x of choices[j]!) {
      acc[j] = x;
      combine(j + 1, acc, each, choices);
    }
  };
  combine(0, new Array<number>(m), (is) => starts.push(pack(d0, is, shape.start)), nfas.map((n) => n.start));
  const limit = budget ? Math.min(DEFAULT_COVER_BUDGET, budget.remaining) : Infinity;
  if (limit <= 0) return 'unknown';
  const result = shortestPath({
    starts,
    classes: k,
    budget: limit,
    // The subset construction of many outers costs per NFA state it steps, not per product state.
    cost: () => union.work,
    goal: (key) => {
      const { d, is, st } = unpack(key);
      return shape.accepts(st) && is.every((i, j) => nfas[j]!.accepts(i)) && !union.accepting(d);
    },
    successors: (key, edge) => {
      const { d, is, st } = unpack(key);
      for (let cls = 0; cls < k; cls++) {
        const s2 = table[st * k + cls]!;
        if (s2 < 0) continue;
        const next = is.map((i, j) => nfas[j]!.step(i, cls));
        if (next.some((n) => n.length === 0)) continue;
        // An outer subset that accepts stays accepting only while outers read on; it is
        // still stepped, since acceptance is decided at the end of the string.
        const d2 = union.step(d, cls);
        combine(0, new Array<number>(m), (is2) => edge(pack(d2, is2, s2), cls), next);
      }
    },
  });
  budget?.spend(result.explored);
  if (result.found) return spell(result.classes, alphabet);
  return result.overBudget ? 'unknown' : null;
}

function spell(classes: readonly number[], alphabet: Alphabet): string {
  return String.fromCodePoint(...classes.map((c) => alphabet.reps[c]!));
}

/** A preferred witness is kept only if it is exactly what normalization produces. */
function isNormalized(nameTag: string): boolean {
  const colon = nameTag.lastIndexOf(':');
  const r = parseImageRef(nameTag);
  return r !== null && r.name === nameTag.slice(0, colon) && r.tag === nameTag.slice(colon + 1);
}

function present(nameTag: string, namesOnly: boolean): string {
  return namesOnly ? nameTag.slice(0, nameTag.lastIndexOf(':')) : nameTag;
}

/** Both scopes' subjects start with `name`, so literal prefixes must agree as far as both go. */
function compatibleEnds(a: IRScope, b: IRScope): boolean {
  const n = Math.min(a.literalPrefix.length, b.literalPrefix.length);
  if (a.literalPrefix.slice(0, n) !== b.literalPrefix.slice(0, n)) return false;
  if (a.target !== b.target) return true;
  const sa = literalSuffixOf(scopeTokens(a));
  const sb = literalSuffixOf(scopeTokens(b));
  const m = Math.min(sa.length, sb.length);
  return sa.slice(sa.length - m) === sb.slice(sb.length - m);
}

/** The subset construction of several NFAs' union, built as far as it is explored. */
class UnionDfa {
  private readonly owner: Int32Array;
  private readonly local: Int32Array;
  private readonly offsets: number[] = [];
  private readonly ids = new Map<string, number>();
  private readonly sets: number[][] = [];
  private readonly accept: boolean[] = [];
  private readonly transitions = new Map<number, number>();
  private readonly mark: Uint32Array;
  private gen = 0;
  /** NFA states stepped so far building subset states: the construction's cost. */
  work = 0;

  constructor(
    private readonly nfas: readonly ScopeNfa[],
    private readonly k: number,
  ) {
    let total = 0;
    for (const n of nfas) {
      this.offsets.push(total);
      total += n.stateCount;
    }
    this.owner = new Int32Array(total);
    this.local = new Int32Array(total);
    nfas.forEach((n, j) => {
      for (let s = 0; s < n.stateCount; s++) {
        this.owner[this.offsets[j]! + s] = j;
        this.local[this.offsets[j]! + s] = s;
      }
    });
    this.mark = new Uint32Array(total);
  }

  start(): number {
    const set: number[] = [];
    this.nfas.forEach((n, j) => n.start.forEach((s) => set.push(this.offsets[j]! + s)));
    return this.intern(set);
  }

  accepting(d: number): boolean {
    return this.accept[d]!;
  }

  step(d: number, cls: number): number {
    const tkey = d * this.k + cls;
    const known = this.transitions.get(tkey);
    if (known !== undefined) return known;
    this.gen++;
    this.work += this.sets[d]!.length;
    const out: number[] = [];
    for (const g of this.sets[d]!) {
      const j = this.owner[g]!;
      for (const s of this.nfas[j]!.step(this.local[g]!, cls)) {
        const g2 = this.offsets[j]! + s;
        if (this.mark[g2] === this.gen) continue;
        this.mark[g2] = this.gen;
        out.push(g2);
      }
    }
    const id = this.intern(out);
    this.transitions.set(tkey, id);
    return id;
  }

  private intern(set: number[]): number {
    set.sort((x, y) => x - y);
    const key = set.join(',');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.ids.set(key, id);
      this.sets.push(set);
      this.accept.push(set.some((g) => this.nfas[this.owner[g]!]!.accepts(this.local[g]!)));
    }
    return id;
  }
}
