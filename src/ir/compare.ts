// How engines are compared (decision.md): allowed, effect, policy, action, satisfiedBy and
// the multiset of (code, did) pairs in violations. Messages are free text.

import type { Decision } from './decision.js';

/** Field-by-field differences between two decisions, empty when they agree. */
export function decisionDifferences(a: Decision, b: Decision): string[] {
  const diffs: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  for (const k of ['allowed', 'effect', 'policy', 'action'] as const) {
    if (a[k] !== b[k]) diffs.push(`${k}: ${show(a[k])} vs ${show(b[k])}`);
  }
  if (show(a.satisfiedBy) !== show(b.satisfiedBy)) diffs.push(`satisfiedBy: ${show(a.satisfiedBy)} vs ${show(b.satisfiedBy)}`);
  const pa = a.violations.map((v) => (v.did ? `${v.code}(${v.did})` : v.code)).sort();
  const pb = b.violations.map((v) => (v.did ? `${v.code}(${v.did})` : v.code)).sort();
  if (show(pa) !== show(pb)) diffs.push(`violations: ${show(pa)} vs ${show(pb)}`);
  return diffs;
}
