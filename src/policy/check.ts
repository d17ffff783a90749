// Value checks, each done once where the value is written: scopes, durations, DIDs and
// expressions. Results are kept for lowering so nothing is compiled twice.

import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import { compileExpr, type ExprContext } from '../expr/index.js';
import { parseDuration } from '../expr/duration.js';
import { compileScope } from '../glob/glob.js';
import type { IRExpr, IRScope } from '../ir/types.js';
import type { ExprSrc, Loc, RequireSrc } from './document.js';
import type { Program } from './load.js';

export interface Checked {
  scopes: Map<Loc<string>, IRScope>;
  durations: Map<Loc<string>, number>;
  exprs: Map<ExprSrc, IRExpr>;
}

const DID_RE = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/;
const HANDLE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** ATProto DID syntax (atproto.com/specs/did): method lower-case, at most 2 KiB. */
export function isValidDid(s: string): boolean {
  return s.length <= 2048 && DID_RE.test(s) && !/%(?![0-9A-Fa-f]{2})/.test(s);
}

export const OWNER = 'owner';

function err(loc: Location, rule: string, message: string): Diagnostic {
  return { ...loc, rule, severity: 'error', message };
}

export function checkValues(program: Program): { checked: Checked; diagnostics: Diagnostic[] } {
  const checked: Checked = { scopes: new Map(), durations: new Map(), exprs: new Map() };
  const diagnostics: Diagnostic[] = [];

  const checkExpr = (e: ExprSrc | undefined, context: ExprContext) => {
    if (!e) return;
    const r = compileExpr(e.value, context);
    for (const d of r.diagnostics) diagnostics.push(err(e.at(d.offset), d.rule, d.message));
    if (r.expr && r.diagnostics.length === 0) checked.exprs.set(e, r.expr);
  };
  const checkRequire = (r: RequireSrc) => {
    if (r.maxAge) {
      const d = parseDuration(r.maxAge.value);
      if ('error' in d) diagnostics.push(err(r.maxAge.loc, 'invalid-duration', `maxAge: ${d.error}`));
      else checked.durations.set(r.maxAge, d.seconds);
    }
    for (const did of r.trustedDIDs ?? []) {
      if (did.value === OWNER || isValidDid(did.value)) continue;
      const msg = HANDLE_RE.test(did.value)
        ? `"${did.value}" is a handle, not a DID; handles change hands, so trust the DID it resolves to (e.g. did:plc:…)`
        : `"${did.value}" is not a valid DID (expected did:<method>:<id>, e.g. did:plc:abc123 or did:web:example.com), or the word owner`;
      diagnostics.push(err(did.loc, 'invalid-did', msg));
    }
    checkExpr(r.expr, 'require');
  };

  // Every document's defaults, not only the merged result: an error in a value that a later
  // document overrides is still an error in that file. The merged defaults hold the same
  // objects, so their checked values are found by lowering.
  for (const d of program.documentDefaults) {
    checkRequire(d.require);
    checkExpr(d.when, 'when');
  }
  for (const p of program.policies) {
    for (const s of p.scopes) {
      const r = compileScope(s.value);
      if ('error' in r) {
        diagnostics.push(err(s.at(r.error.offset), 'invalid-scope', `scope "${s.value}": ${r.error.message}`));
      } else checked.scopes.set(s, r.scope);
    }
    checkRequire(p.require);
    checkExpr(p.when, 'when');
  }
  return { checked, diagnostics };
}
