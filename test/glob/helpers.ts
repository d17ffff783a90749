// Shared test helpers: policies from globs, an independent glob matcher, small generators.
import fc from 'fast-check';
import { irPolicy, irScope } from '../support/ir.js';
import type { IRPolicy, IRScope } from '../../src/ir/types.js';
import type { ImageRef } from '../../src/ref/reference.js';

export const scope = irScope;

export function policy(index: number, globs: readonly string[]): IRPolicy {
  return irPolicy({ name: `p${index}`, index, scopes: globs });
}

/** A plain recursive reading of the glob semantics over code points (test oracle). */
export function refMatch(glob: string, s: string): boolean {
  const g = [...glob];
  const t = [...s];
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === g.length) r = j === t.length;
    else if (g[i] === '*' && g[i + 1] === '*') r = go(i + 2, j) || (j < t.length && go(i, j + 1));
    else if (g[i] === '*') r = go(i + 1, j) || (j < t.length && t[j] !== '/' && go(i, j + 1));
    else if (g[i] === '?') r = j < t.length && t[j] !== '/' && go(i + 1, j + 1);
    else r = j < t.length && t[j] === g[i] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** What a scope is matched against (trust-policy.md). */
export function subject(sc: IRScope, image: Pick<ImageRef, 'name' | 'tag'>): string {
  return sc.target === 'name-tag' ? `${image.name}:${image.tag}` : image.name;
}

export const globChar = fc.constantFrom('a', 'b', '/', ':', '.', '*', '?', 'é', '😀');
export const textChar = fc.constantFrom('a', 'b', '/', ':', '.', 'é', '😀');
export const smallGlob = fc.array(globChar, { minLength: 1, maxLength: 8 }).map((xs) => xs.join(''));
export const smallText = fc.array(textChar, { maxLength: 8 }).map((xs) => xs.join(''));
