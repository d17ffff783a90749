// `policy explain`: every policy after inheritance with the origin of each value, and for an
// image, the ranked candidates, the winner and why. Pure data; the CLI renders it.

import type { Location } from '../diagnostics/diagnostic.js';
import { compileCondition } from '../engine/expr.js';
import { compileGlobMatcher } from '../glob/match.js';
import { ScopeIndex } from '../glob/scope-index.js';
import type { IRDocument, IRScope } from '../ir/types.js';
import type { Effective, ResolvedPolicy } from '../policy/inherit.js';
import { parseImageRef, type ImageRef } from '../ref/reference.js';
import { referenceProblem } from '../ref/problem.js';

export interface Origin {
  from: string;
  at: string | null;
}

export interface ExplainedValue<T> extends Origin {
  value: T;
}

export interface ExplainedPolicy {
  name: string;
  at: string;
  description: string;
  scopes: { glob: string; target: string; specificity: IRScope['specificity'] }[];
  extends: string | null;
  chain: string[];
  signature: ExplainedValue<boolean>;
  trustedDIDs: ExplainedValue<string>[];
  minSignatures: ExplainedValue<number>;
  maxAge: ExplainedValue<string | null>;
  expr: ExplainedValue<string | null>;
  when: ExplainedValue<string | null>;
  action: ExplainedValue<string>;
}

export interface Candidate {
  policy: string;
  scope: string;
  specificity: IRScope['specificity'];
  when: boolean | null;
  chosen: boolean;
  reason: string;
}

export interface ImageExplanation {
  image: string;
  normalized: ImageRef | null;
  owner: string;
  candidates: Candidate[];
  chosen: string | null;
  outcome: string;
}

function at(l: Location | null): string | null {
  return l ? `${l.file}:${l.line}:${l.column}` : null;
}

function explained<T, U>(e: Effective<T>, map: (v: T) => U): ExplainedValue<U> {
  return { value: map(e.value), from: e.from, at: at(e.loc) };
}

export function explainPolicies(resolved: readonly ResolvedPolicy[], ir: IRDocument): ExplainedPolicy[] {
  return resolved.map((r, i) => {
    const p = ir.policies[i]!;
    return {
      name: p.name,
      at: at(r.src.loc)!,
      description: p.description,
      scopes: p.scopes.map((s) => ({ glob: s.glob, target: s.target, specificity: s.specificity })),
      extends: r.src.extends?.value ?? null,
      chain: r.chain,
      signature: explained(r.signature, (v) => v),
      trustedDIDs: r.trustedDIDs.map((d) => ({ value: d.value, from: d.from, at: at(d.loc) })),
      minSignatures: explained(r.minSignatures, (v) => v),
      maxAge: explained(r.maxAge, (v) => v?.value ?? null),
      expr: explained(r.expr, (v) => v?.value ?? null),
      when: explained(r.when, (v) => v?.value ?? null),
      action: explained(r.action, (v) => v),
    };
  });
}

function spec(s: IRScope['specificity']): string {
  return `${s.literals} literal characters, ${s.doubleStars} **, ${s.singles} * or ?`;
}

export function explainImage(ir: IRDocument, image: string, owner = ''): ImageExplanation {
  const ref = parseImageRef(image);
  if (!ref) {
    return { image, normalized: null, owner, candidates: [], chosen: null, outcome: `the reference does not parse: ${referenceProblem(image) ?? 'not a valid reference'}; the decision is invalid-image (deny)` };
  }
  const ctx = { image: ref, owner, did: '', handle: '', pds: '', algorithm: '', ageS: 0, ageN: 0 };
  const candidates: Candidate[] = [];
  let chosen: Candidate | null = null;
  let chosenRank = -1;
  for (const c of new ScopeIndex(ir.policies).candidates(ref)) {
    const p = c.policy;
    const subject = (s: IRScope) => (s.target === 'name' ? ref.name : `${ref.name}:${ref.tag}`);
    // The scope that gave the candidate its rank (the index knows the rank, not the scope).
    const best = p.scopes.find((s) => s.rank === c.rank && compileGlobMatcher(s.glob)(subject(s))) ?? p.scopes[0]!;
    const when = p.when ? compileCondition(p.when)(ctx) : null;
    const cand: Candidate = { policy: p.name, scope: best.glob, specificity: best.specificity, when, chosen: false, reason: '' };
    if (when === false) cand.reason = '`when` is false for this image';
    else if (!chosen) {
      cand.chosen = true;
      chosen = cand;
      chosenRank = c.rank;
      cand.reason = `most specific matching policy (${spec(best.specificity)})`;
    } else if (c.rank === chosenRank) {
      cand.reason = `as specific as ${chosen.policy}, which comes first in the merged document`;
      chosen.reason += `; ties with ${p.name} and comes first in the merged document`;
    } else {
      cand.reason = `less specific than ${chosen.policy} (${spec(best.specificity)})`;
    }
    candidates.push(cand);
  }
  const outcome = chosen
    ? `policy ${chosen.policy} decides`
    : `no policy applies: unmatched: ${ir.unmatched} (${ir.unmatched === 'deny' ? 'denied' : ir.unmatched === 'allow' ? 'allowed' : 'allowed and reported'})`;
  return { image, normalized: ref, owner, candidates, chosen: chosen?.policy ?? null, outcome };
}

