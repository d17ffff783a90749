// IR expressions → JavaScript closures, compiled once per policy. The type checker has
// guaranteed operand types, so evaluation cannot fail.

import type { IRExpr, PathName } from '../ir/types.js';
import type { ImageRef } from '../ref/reference.js';
import { compileGlobMatcher } from '../glob/match.js';
import { holds } from '../ir/compare-op.js';

/** What an expression can read: the image, its owner, and (in require.expr) one signature. */
export interface EvalContext {
  image: ImageRef;
  owner: string;
  did: string;
  handle: string;
  pds: string;
  algorithm: string;
  /** signature.age as whole seconds plus nanoseconds in [0, 1e9). */
  ageS: number;
  ageN: number;
}

type Fn<T> = (c: EvalContext) => T;

function stringPath(path: PathName): Fn<string> {
  switch (path) {
    case 'image.registry':
      return (c) => c.image.registry;
    case 'image.repository':
      return (c) => c.image.repository;
    case 'image.name':
      return (c) => c.image.name;
    case 'image.namespace':
      return (c) => c.image.namespace;
    case 'image.tag':
      return (c) => c.image.tag;
    case 'image.digest':
      return (c) => c.image.digest;
    case 'owner':
      return (c) => c.owner;
    case 'signature.did':
      return (c) => c.did;
    case 'signature.handle':
      return (c) => c.handle;
    case 'signature.pds':
      return (c) => c.pds;
    case 'signature.algorithm':
      return (c) => c.algorithm;
    case 'signature.age':
      throw new Error('signature.age is not a string');
  }
}

function str(e: IRExpr): Fn<string> {
  if (e.kind === 'string') {
    const v = e.value;
    return () => v;
  }
  if (e.kind === 'path') return stringPath(e.path);
  throw new Error(`not a string expression: ${e.kind}`);
}

function list(e: IRExpr): Fn<string[]> {
  if (e.kind !== 'list') throw new Error(`not a list expression: ${e.kind}`);
  const items = e.items.map(str);
  if (items.every((_, i) => e.items[i]!.kind === 'string')) {
    const v = e.items.map((it) => (it as { value: string }).value);
    return () => v;
  }
  return (c) => items.map((f) => f(c));
}

/** A duration as (seconds, nanoseconds) getters. */
function dur(e: IRExpr): { s: Fn<number>; n: Fn<number> } {
  if (e.kind === 'duration') {
    const v = e.seconds;
    return { s: () => v, n: () => 0 };
  }
  if (e.kind === 'path' && e.path === 'signature.age') return { s: (c) => c.ageS, n: (c) => c.ageN };
  throw new Error(`not a duration expression: ${e.kind}`);
}

function compare(e: Extract<IRExpr, { kind: 'compare' }>): Fn<boolean> {
  const op = e.op;
  switch (e.operandType) {
    case 'string': {
      const l = str(e.left);
      const r = str(e.right);
      return op === '==' ? (c) => l(c) === r(c) : (c) => l(c) !== r(c);
    }
    case 'bool': {
      const l = bool(e.left);
      const r = bool(e.right);
      return op === '==' ? (c) => l(c) === r(c) : (c) => l(c) !== r(c);
    }
    case 'number': {
      const l = (e.left as { value: number }).value;
      const r = (e.right as { value: number }).value;
      const v = holds(op, l < r ? -1 : l > r ? 1 : 0);
      return () => v;
    }
    case 'duration': {
      const l = dur(e.left);
      const r = dur(e.right);
      return (c) => {
        const ls = l.s(c);
        const rs = r.s(c);
        const sign = ls !== rs ? (ls < rs ? -1 : 1) : l.n(c) - r.n(c);
        return holds(op, sign < 0 ? -1 : sign > 0 ? 1 : 0);
      };
    }
    case 'list': {
      const l = list(e.left);
      const r = list(e.right);
      const eq = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
      return op === '==' ? (c) => eq(l(c), r(c)) : (c) => !eq(l(c), r(c));
    }
  }
}

export function bool(e: IRExpr): Fn<boolean> {
  switch (e.kind) {
    case 'bool': {
      const v = e.value;
      return () => v;
    }
    case 'compare':
      return compare(e);
    case 'in': {
      const l = str(e.left);
      const r = list(e.right);
      return (c) => r(c).includes(l(c));
    }
    case 'matches': {
      const l = str(e.left);
      // A linear-time glob matcher: a regex of a hostile glob could backtrack for ages on
      // a string taken from the request.
      const m = compileGlobMatcher(e.glob);
      return (c) => m(l(c));
    }
    case 'startsWith': {
      const l = str(e.left);
      const r = str(e.right);
      return (c) => l(c).startsWith(r(c));
    }
    case 'endsWith': {
      const l = str(e.left);
      const r = str(e.right);
      return (c) => l(c).endsWith(r(c));
    }
    case 'and': {
      const args = e.args.map(bool);
      return (c) => args.every((f) => f(c));
    }
    case 'or': {
      const args = e.args.map(bool);
      return (c) => args.some((f) => f(c));
    }
    case 'not': {
      const a = bool(e.arg);
      return (c) => !a(c);
    }
    default:
      throw new Error(`not a boolean expression: ${e.kind}`);
  }
}

export const compileCondition = bool;
