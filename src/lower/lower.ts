// Checked, resolved policies → IR. The only module that knows both the source model and
// the IR (style.md): the IR carries no references back to YAML.

import { createHash } from 'node:crypto';
import type { Location } from '../diagnostics/diagnostic.js';
import { IR_VERSION, type IRDocument, type IROrigin, type IROriginField, type IRPolicy } from '../ir/types.js';
import type { Checked } from '../policy/check.js';
import { OWNER } from '../policy/check.js';
import type { ResolvedPolicy } from '../policy/inherit.js';
import { byCodePoint } from '../ir/order.js';
import type { Program } from '../policy/load.js';

function origin(l: Location): IROrigin {
  return { file: l.file, line: l.line, column: l.column };
}

export function lowerProgram(program: Program, policies: readonly ResolvedPolicy[], checked: Checked): IRDocument {
  const hash = createHash('sha256');
  for (const f of program.files) hash.update(`${f.file}\0${f.sha256}\n`);
  return {
    irVersion: IR_VERSION,
    source: { file: program.root, sha256: hash.digest('hex') },
    unmatched: program.unmatched?.value ?? 'deny',
    policies: policies.map((p, index) => lowerPolicy(p, index, checked)),
  };
}

function lowerPolicy(p: ResolvedPolicy, index: number, checked: Checked): IRPolicy {
  const origins: Partial<Record<IROriginField, IROrigin>> = {};
  const note = (field: IROriginField, loc: Location | null) => {
    if (loc) origins[field] = origin(loc);
  };
  note('signature', p.signature.loc);
  note('minSignatures', p.minSignatures.loc);
  note('maxAge', p.maxAge.loc);
  note('expr', p.expr.loc);
  note('when', p.when.loc);
  note('action', p.action.loc);
  note('scope', p.src.scopes[0]!.loc);
  if (p.trustedDIDs.length > 0) note('trustedDIDs', p.trustedDIDs[0]!.loc);

  const dids = p.trustedDIDs.map((d) => d.value);
  const trusted = [...new Set(dids.filter((d) => d !== OWNER))].sort(byCodePoint);
  return {
    name: p.src.name.value,
    index,
    description: p.src.description,
    scopes: p.src.scopes.map((s) => checked.scopes.get(s)!),
    when: p.when.value ? checked.exprs.get(p.when.value)! : null,
    require: {
      signature: p.signature.value,
      trustedDIDs: trusted,
      trustOwner: dids.includes(OWNER),
      minSignatures: p.minSignatures.value,
      maxAgeSeconds: p.maxAge.value ? checked.durations.get(p.maxAge.value)! : null,
      expr: p.expr.value ? checked.exprs.get(p.expr.value)! : null,
    },
    action: p.action.value,
    origins,
    chain: p.chain,
    origin: origin(p.src.loc),
  };
}
