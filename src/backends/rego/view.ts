// The IR as the view the Rego template renders: every value already printed as Rego
// text, fields picked by name (so the IR's key order never matters).

import type { IRDocument, IRPolicy, Unmatched } from '../../ir/types.js';
import { compileCondition, EXPR_PARAMS, WHEN_PARAMS, type CompiledCondition } from './expr.js';
import { byCodePoint } from '../../ir/order.js';
import { regoNanoseconds, regoNumber, regoRegex, regoString } from './literal.js';
import { formatDuration } from '../../ir/duration.js';
import { commentText } from '../text.js';
import { CLOCK_SKEW_SECONDS } from '../../ir/decision.js';
import {
  INVALID_REASON,
  MALFORMED_INPUT,
  UNKNOWN_SIGNER,
  renderMessageIn,
  type MessageKey,
  type MessageSlot,
} from '../../ir/messages.js';

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
  /** Every violation message as a Rego expression, from src/ir/messages.ts. */
  messages: Record<keyof typeof MESSAGE_TERMS, string>;
  malformed: Record<keyof typeof MALFORMED_INPUT, string>;
  reasons: Record<keyof typeof INVALID_REASON, string>;
  unknownSigner: string;
  clockSkewNs: string;
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

/** Each message the module writes: its template and the Rego terms of its slots there. */
const MESSAGE_TERMS = {
  malformed: ['malformed-input', { what: 'problem' }],
  unparseable: ['unparseable-image', { image: 'json.marshal(input.image)' }],
  unmatched: ['no-matching-policy', { label: 'image_label' }],
  invalidWithCause: ['invalid-signature', { signer: 'signer_label(did)', cause: 'cause' }],
  invalidWithReason: ['invalid-signature', { signer: 'signer_label(did)', cause: 'invalid_reason(fact)' }],
  untrusted: ['untrusted-did', { signer: 'sig.did', policy: 'winner.name' }],
  future: ['signature-from-future', { signer: 'sig.did' }],
  expired: ['signature-expired', { signer: 'sig.did', maxAge: 'winner.max_age_text', policy: 'winner.name' }],
  condition: ['condition-failed', { signer: 'sig.did', policy: 'winner.name' }],
  noSignatures: ['no-signatures', { policy: 'winner.name' }],
  insufficient: [
    'insufficient-signatures',
    { policy: 'winner.name', min: 'format_int(winner.min_signatures, 10)', count: 'format_int(count(satisfied_by), 10)' },
  ],
} as const satisfies Record<string, readonly [MessageKey, Partial<Record<MessageSlot, string>>]>;

function mapValues<K extends string, A, B>(o: Readonly<Record<K, A>>, f: (a: A) => B): Record<K, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as A)])) as Record<K, B>;
}

const RENDERED_MESSAGES = mapValues(MESSAGE_TERMS, ([key, terms]) =>
  renderMessageIn(key, regoString, terms, (parts) => `concat("", [${parts.join(', ')}])`),
);

export function moduleView(ir: IRDocument, packageName: string): ModuleView {
  const unmatched = UNMATCHED[ir.unmatched];
  return {
    source: { file: commentText(ir.source.file), sha256: commentText(ir.source.sha256) },
    messages: RENDERED_MESSAGES,
    malformed: mapValues(MALFORMED_INPUT, regoString),
    reasons: mapValues(INVALID_REASON, regoString),
    unknownSigner: regoString(UNKNOWN_SIGNER),
    clockSkewNs: regoNanoseconds(CLOCK_SKEW_SECONDS),
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


