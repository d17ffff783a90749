// Policy inheritance (trust-policy.md "Inheritance"): each policy's chain of parents up to
// `defaults`, and the effective value of every field with the place it came from.

import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import type { Action } from '../ir/types.js';
import type { ExprSrc, Loc, PolicySrc, RequireSrc } from './document.js';
import type { Program } from './load.js';
import { nearest } from '../text/nearest.js';

/** An effective value and where it was defined (`from` is a policy name, `defaults` or `built-in`). */
export interface Effective<T> {
  value: T;
  from: string;
  loc: Location | null;
}

export interface ResolvedPolicy {
  src: PolicySrc;
  index: number;
  /** Names nearest first: this policy, its parents, then `defaults`. */
  chain: string[];
  parent: ResolvedPolicy | null;
  signature: Effective<boolean>;
  minSignatures: Effective<number>;
  maxAge: Effective<Loc<string> | null>;
  expr: Effective<ExprSrc | null>;
  when: Effective<ExprSrc | null>;
  action: Effective<Action>;
  /** Union over the chain and defaults, first definition of each DID kept. */
  trustedDIDs: (Loc<string> & { from: string })[];
}

export const DEFAULTS_NAME = 'defaults';
export const BUILT_IN = 'built-in';

interface Layer {
  name: string;
  require: RequireSrc;
  action?: Loc<Action>;
  when?: ExprSrc;
}

export function resolveInheritance(program: Program): { policies: ResolvedPolicy[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, PolicySrc>();
  for (const p of program.policies) {
    const prev = byName.get(p.name.value);
    if (prev) {
      diagnostics.push({
        ...p.name.loc,
        rule: 'duplicate-policy-name',
        severity: 'error',
        message: `policy name "${p.name.value}" is already used at ${prev.name.loc.file}:${prev.name.loc.line}:${prev.name.loc.column}; rename one of them`,
      });
      continue;
    }
    byName.set(p.name.value, p);
  }

  // Parent links; a missing parent or a cycle is reported once, at the `extends` value.
  const broken = new Set<string>();
  for (const p of byName.values()) {
    if (p.extends && !byName.has(p.extends.value)) {
      const names = [...byName.keys()].filter((n) => n !== p.name.value);
      const hint = nearest(p.extends.value, names);
      diagnostics.push({
        ...p.extends.loc,
        rule: 'unknown-parent',
        severity: 'error',
        message: `policy "${p.name.value}" extends "${p.extends.value}", which does not exist${hint ? ` (did you mean "${hint}"?)` : ''}`,
      });
      broken.add(p.name.value);
    }
  }
  for (const p of byName.values()) {
    const seen: string[] = [];
    let cur: PolicySrc | undefined = p;
    while (cur && !broken.has(cur.name.value)) {
      if (seen.includes(cur.name.value)) {
        if (cur.name.value === p.name.value) {
          diagnostics.push({
            ...p.extends!.loc,
            rule: 'inheritance-cycle',
            severity: 'error',
            message: `policies extend each other in a cycle: ${[...seen, p.name.value].join(' → ')}; remove one \`extends\``,
          });
        }
        broken.add(p.name.value);
        break;
      }
      seen.push(cur.name.value);
      cur = cur.extends ? byName.get(cur.extends.value) : undefined;
    }
  }
  if (broken.size > 0) return { policies: [], diagnostics };

  const defaultsLayer: Layer = { name: DEFAULTS_NAME, ...program.defaults };
  const resolved = new Map<string, ResolvedPolicy>();
  const resolve = (p: PolicySrc): ResolvedPolicy => {
    const hit = resolved.get(p.name.value);
    if (hit) return hit;
    const parent = p.extends ? resolve(byName.get(p.extends.value)!) : null;
    const layers: Layer[] = [];
    for (let cur: PolicySrc | undefined = p; cur; cur = cur.extends ? byName.get(cur.extends.value) : undefined) {
      layers.push({ name: cur.name.value, require: cur.require, action: cur.action, when: cur.when });
    }
    layers.push(defaultsLayer);
    const nearestOf = <T>(pick: (l: Layer) => Loc<T> | undefined, builtIn: T): Effective<T> => {
      for (const l of layers) {
        const v = pick(l);
        if (v) return { value: v.value, from: l.name, loc: v.loc };
      }
      return { value: builtIn, from: BUILT_IN, loc: null };
    };
    const nearestLoc = <T extends Loc<unknown>>(pick: (l: Layer) => T | undefined): Effective<T | null> => {
      for (const l of layers) {
        const v = pick(l);
        if (v) return { value: v, from: l.name, loc: v.loc };
      }
      return { value: null, from: BUILT_IN, loc: null };
    };
    // Defaults first so that the global list keeps its origin when a child repeats a DID.
    const trusted: ResolvedPolicy['trustedDIDs'] = [];
    const seen = new Set<string>();
    for (const l of [...layers].reverse()) {
      for (const d of l.require.trustedDIDs ?? []) {
        if (seen.has(d.value)) continue;
        seen.add(d.value);
        trusted.push({ ...d, from: l.name });
      }
    }
    const r: ResolvedPolicy = {
      src: p,
      index: program.policies.indexOf(p),
      chain: layers.map((l) => l.name),
      parent,
      signature: nearestOf((l) => l.require.signature, true),
      minSignatures: nearestOf((l) => l.require.minSignatures, 1),
      maxAge: nearestLoc((l) => l.require.maxAge),
      expr: nearestLoc((l) => l.require.expr),
      when: nearestLoc((l) => l.when),
      action: nearestOf((l) => l.action, 'enforce' as Action),
      trustedDIDs: trusted,
    };
    resolved.set(p.name.value, r);
    return r;
  };
  const policies = [...byName.values()].map(resolve);
  policies.sort((a, b) => a.index - b.index);
  return { policies, diagnostics };
}
