// The IR as the view the Rego template renders: every value already printed as Rego
// text, fields picked by name (so the IR's key order never matters).

import type { IRDocument, IRPolicy, Unmatched } from '../../ir/types.js';
import { compileCondition, EXPR_PARAMS, WHEN_PARAMS, type CompiledCondition } from './expr.js';
import { byCodePoint } from '../../ir/order.js';
import { regoNanoseconds, regoNumber, regoRegex, regoString } from './literal.js';
import { formatDuration } from '../../expr/duration.js';
import { commentText } from '../text.js';

export interface ScopeView {
  /** The scope as one Rego object literal (braces in templates confuse Handlebars). */
  scopeLiteral: string;
}

export interface PolicyView {
  index: number;
  comment: string;
  name: string;
  action: string;
  signature: boolean;
  trustedDids: string;
  trustOwner: boolean;
  trustsAnyone: boolean;
  minSignatures: string;
  maxAgeNs: string;
  maxAgeText: string;
  scopes: ScopeView[];
  when: CompiledCondition | null;
  expr: CompiledCondition | null;
}

export interface ModuleView {
  source: { file: string; sha256: string };
  packageName: string;
  unmatchedLiteral: string;
  unmatchedAllowed: boolean;
  unmatchedEffect: string;
  unmatchedViolation: boolean;
  policies: PolicyView[];
}

const UNMATCHED: Readonly<Record<Unmatched, { allowed: boolean; effect: string; violation: boolean }>> = {
  deny: { allowed: false, effect: 'deny', violation: true },
  allow: { allowed: true, effect: 'allow', violation: false },
  audit: { allowed: true, effect: 'audit', violation: true },
};

export function moduleView(ir: IRDocument, packageName: string): ModuleView {
  const unmatched = UNMATCHED[ir.unmatched];
  return {
    source: { file: commentText(ir.source.file), sha256: commentText(ir.source.sha256) },
    packageName,
    unmatchedLiteral: regoString(ir.unmatched),
    unmatchedAllowed: unmatched.allowed,
    unmatchedEffect: regoString(unmatched.effect),
    unmatchedViolation: unmatched.violation,
    policies: ir.policies.map((p, position) => policyView(p, position)),
  };
}

function policyView(p: IRPolicy, position: number): PolicyView {
  // The IR promises index === position; the generated dispatch relies on the position.
  if (p.index !== position) throw new Error(`policy ${p.name} has index ${p.index} at position ${position}`);
  const r = p.require;
  const trustedDids = [...r.trustedDIDs].sort(byCodePoint);
  return {
    index: position,
    comment: policyComment(p),
    name: regoString(p.name),
    action: regoString(p.action),
    signature: r.signature,
    trustedDids: `[${trustedDids.map(regoString).join(', ')}]`,
    trustOwner: r.trustOwner,
    trustsAnyone: trustedDids.length === 0 && !r.trustOwner,
    minSignatures: regoNumber(r.minSignatures),
    maxAgeNs: r.maxAgeSeconds === null ? 'null' : regoNanoseconds(r.maxAgeSeconds),
    maxAgeText: regoString(r.maxAgeSeconds === null ? '' : formatDuration(r.maxAgeSeconds)),
    scopes: p.scopes.map((s) => ({
      scopeLiteral:
        `{"glob": ${regoString(s.glob)}, "target": ${regoString(s.target)}, ` +
        `"regex": ${regoRegex(s.regex)}, "rank": ${regoNumber(s.rank)}}`,
    })),
    when: p.when ? compileCondition(p.when, `p${position}_when`, WHEN_PARAMS) : null,
    expr: r.expr ? compileCondition(r.expr, `p${position}_expr`, EXPR_PARAMS) : null,
  };
}

function policyComment(p: IRPolicy): string {
  const where = `${p.origin.file}:${p.origin.line}`;
  const text = p.description ? `${p.name} (${where}): ${p.description}` : `${p.name} (${where})`;
  return commentText(text);
}


