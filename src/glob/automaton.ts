// Language questions on scope globs, for the lint rules `overlapping-scopes` (can two
// scopes match the same image?) and `unreachable-policy` (is every image one scope
// matches also matched by others?). Both are decided over the strings `name:tag` that
// real images present (shapes.ts SUBJECT), on a symbolic alphabet (alphabet.ts):
// intersection by a breadth-first search of the product of two scope NFAs (polynomial,
// shortest witness); cover by a subset construction of the outer scopes' union, explored
// lazily alongside the inner scope, with a state budget. See docs/scopes.md.

import type { IRScope } from '../ir/types.js';
import { parseImageRef } from '../ref/reference.js';
import { alphabetFor, type Alphabet } from './alphabet.js';
import { literalSuffixOf } from './glob.js';
import { scopeNfa, scopeTokens, type ScopeNfa } from './nfa.js';
import { shortestPath } from './search.js';
import { PREFERRED, SUBJECT, shapeTable, type Shape } from './shapes.js';

export const DEFAULT_COVER_BUDGET = 200_000;

/**
 * An image both scopes match, or null when none can. The witness is the image's `name`
 * when both scopes target names, otherwise `name:tag` (the tag is `""` only when the
 * scopes allow nothing else, as for a digest-only reference). Readable names
 * (`host.domain/component:tag`) are preferred when one exists.
 */
export function scopesIntersect(a: IRScope, b: IRScope): string | null {
  const ta = scopeTokens(a);
  const tb = scopeTokens(b);
  const alphabet = alphabetFor([ta, tb]);
  const nfas = [
    scopeNfa(ta, a.target === 'name', alphabet),
    scopeNfa(tb, b.target === 'name', alphabet),
  ] as const;
  const namesOnly = a.target === 'name' && b.target === 'name';
  const preferred = productWitness(nfas, PREFERRED, alphabet);
  if (preferred !== null && isNormalized(preferred)) return present(preferred, namesOnly);
  const any = productWitness(nfas, SUBJECT, alphabet);
  return any === null ? null : present(any, namesOnly);
}

export type CoverResult = { covered: true } | { covered: false; witness: string } | { covered: 'unknown' };

/** Every image matched by inner is matched by some outer; 'unknown' past the state budget. */
export function scopeCoveredBy(
  inner: IRScope,
  outers: readonly IRScope[],
  budget: number = DEFAULT_COVER_BUDGET,
): boolean | 'unknown' {
  return coverCounterexample(inner, outers, budget).covered;
}

/**
 * Like scopeCoveredBy, with an image (`name:tag`) that inner matches and no outer does
 * when there is one. The budget bounds the product states explored.
 */
export function coverCounterexample(
  inner: IRScope,
  outers: readonly IRScope[],
  budget: number = DEFAULT_COVER_BUDGET,
): CoverResult {
  const innerTokens = scopeTokens(inner);
  // An outer whose literal ends contradict inner's cannot match any of inner's images.
  const relevant = outers.filter((o) => compatibleEnds(inner, o));
  const outerTokens = relevant.map(scopeTokens);
  const alphabet = alphabetFor([innerTokens, ...outerTokens]);
  const innerNfa = scopeNfa(innerTokens, inner.target === 'name', alphabet);
  const union = new UnionDfa(
    outerTokens.map((t, i) => scopeNfa(t, relevant[i]!.target === 'name', alphabet)),
    alphabet.reps.length,
  );
  const shape = shapeTable(SUBJECT, alphabet);
  const k = alphabet.reps.length;
  const nI = innerNfa.stateCount;
  const nS = SUBJECT.stateCount;
  // State (inner NFA state i, outer subset d, shape state s) packed as (d * nI + i) * nS + s.
  const d0 = union.start();
  const result = shortestPath({
    starts: innerNfa.start.map((i) => (d0 * nI + i) * nS + SUBJECT.start),
    classes: k,
    budget,
    goal: (key) => {
      const s = key % nS;
      const i = Math.floor(key / nS) % nI;
      return innerNfa.accepts(i) && SUBJECT.accepts(s) && !union.accepting(Math.floor(key / (nS * nI)));
    },
    successors: (key, edge) => {
      const s = key % nS;
      const i = Math.floor(key / nS) % nI;
      const d = Math.floor(key / (nS * nI));
      for (let cls = 0; cls < k; cls++) {
        const s2 = shape[s * k + cls]!;
        if (s2 < 0) continue;
        const nextI = innerNfa.step(i, cls);
        if (nextI.length === 0) continue;
        const d2 = union.step(d, cls);
        for (const i2 of nextI) edge((d2 * nI + i2) * nS + s2, cls);
      }
    },
  });
  if (result.found) return { covered: false, witness: spell(result.classes, alphabet) };
  return result.overBudget ? { covered: 'unknown' } : { covered: true };
}

/** Shortest `name:tag` accepted by both NFAs and the shape, or null. */
function productWitness(nfas: readonly [ScopeNfa, ScopeNfa], shape: Shape, alphabet: Alphabet): string | null {
  const [A, B] = nfas;
  const table = shapeTable(shape, alphabet);
  const k = alphabet.reps.length;
  const nB = B.stateCount;
  const nS = shape.stateCount;
  // State (a, b, shape state s) packed as (a * nB + b) * nS + s.
  const result = shortestPath({
    starts: A.start.flatMap((a) => B.start.map((b) => (a * nB + b) * nS + shape.start)),
    classes: k,
    goal: (key) => shape.accepts(key % nS) && B.accepts(Math.floor(key / nS) % nB) && A.accepts(Math.floor(key / (nS * nB))),
    successors: (key, edge) => {
      const s = key % nS;
      const b = Math.floor(key / nS) % nB;
      const a = Math.floor(key / (nS * nB));
      for (let cls = 0; cls < k; cls++) {
        const s2 = table[s * k + cls]!;
        if (s2 < 0) continue;
        const nextA = A.step(a, cls);
        if (nextA.length === 0) continue;
        const nextB = B.step(b, cls);
        for (const a2 of nextA) for (const b2 of nextB) edge((a2 * nB + b2) * nS + s2, cls);
      }
    },
  });
  return result.found ? spell(result.classes, alphabet) : null;
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
