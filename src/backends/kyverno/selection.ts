// Which IR policy governs an image, as one JMESPath value. Every (policy, scope) pair is
// ordered at compile time by scope rank (larger first) and then policy index, so the
// first pair whose scope matches and whose policy's `when` holds names the winner: that
// pair carries the largest rank among candidates, and a tie goes to the lower index.

import type { IRDocument, IRPolicy, IRScope } from '../../ir/types.js';
import { and, paren, strLit } from './jmespath-text.js';
import { compileBool, imageScope } from './expr.js';

export interface Candidate {
  policy: IRPolicy;
  scope: IRScope;
}

export const FACTS = 'atcrFacts';

export function orderedCandidates(ir: IRDocument): Candidate[] {
  const pairs: Candidate[] = [];
  for (const policy of ir.policies) for (const scope of policy.scopes) pairs.push({ policy, scope });
  // Array.prototype.sort is stable: pairs of one policy keep their scope order.
  return pairs.sort((a, b) => b.scope.rank - a.scope.rank || a.policy.index - b.policy.index);
}

function scopeTarget(scope: IRScope): string {
  const name = `${FACTS}.image.name`;
  return scope.target === 'name' ? name : `join(':', [${name}, ${FACTS}.image.tag])`;
}

/**
 * The winner's name, or `""` when no policy applies (or the image did not parse).
 * `whenText` holds each policy's compiled `when` (absent: always).
 */
export function winnerExpression(candidates: readonly Candidate[], whenText: ReadonlyMap<number, string>): string {
  const terms = candidates.map((c) => {
    const test = [`regex_match(${strLit(c.scope.regex)}, ${scopeTarget(c.scope)})`];
    const when = whenText.get(c.policy.index);
    if (when !== undefined) test.push(when);
    return `${and(test)} && ${strLit(c.policy.name)}`;
  });
  const chain = terms.length === 0 ? strLit('') : [...terms, strLit('')].map(paren).join(' || ');
  return `${FACTS}.parseError == ${strLit('')} && ${paren(chain)} || ${strLit('')}`;
}

/** Each policy's `when`, compiled against the image facts. */
export function compileWhen(policy: IRPolicy): string | undefined {
  return policy.when ? compileBool(policy.when, imageScope(FACTS)) : undefined;
}
