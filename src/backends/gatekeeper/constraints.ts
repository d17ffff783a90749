// One constraint per decision effect the policy can produce, each reporting only the
// decisions with its effect, under the matching enforcementAction: deny → deny,
// audit → dryrun, warn → warn.

import type { Effect } from '../../ir/decision.js';
import type { IRDocument } from '../../ir/types.js';
import type { CompileOptions } from '../artifact.js';
import { sourceAnnotations } from './template.js';
import { CONSTRAINT_KIND, DEFAULT_EXCLUDED_NAMESPACES, ENFORCEMENT_ACTIONS, MATCH_KINDS } from './names.js';

type ReportedEffect = Exclude<Effect, 'allow'>;

/**
 * Effects a decision can have under this IR. `deny` is always possible: unparseable
 * images and provider failures deny whatever the policies say.
 */
export function effectsUsed(ir: IRDocument): ReportedEffect[] {
  const used = new Set<ReportedEffect>(['deny']);
  for (const p of ir.policies) {
    if (!p.require.signature) continue; // such a policy always allows
    if (p.action === 'audit') used.add('audit');
    if (p.action === 'warn') used.add('warn');
  }
  if (ir.unmatched === 'audit') used.add('audit');
  return (['deny', 'audit', 'warn'] as const).filter((e) => used.has(e));
}

export function constraints(ir: IRDocument, opts: CompileOptions): Record<string, unknown>[] {
  const excluded = [...(opts.excludedNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES)];
  return effectsUsed(ir).map((effect) => ({
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: CONSTRAINT_KIND,
    metadata: { name: `atcr-trust-${effect}`, annotations: sourceAnnotations(ir) },
    spec: {
      enforcementAction: ENFORCEMENT_ACTIONS[effect],
      match: {
        kinds: MATCH_KINDS.map((k) => ({ apiGroups: [...k.apiGroups], kinds: [...k.kinds] })),
        ...(excluded.length > 0 ? { excludedNamespaces: excluded } : {}),
      },
      parameters: { effect },
    },
  }));
}
