// The native engine: the reference semantics of decision.md as refined by docs/ir.md.
// `compileEngine` does all per-policy work once (scope index, expression closures) so a
// decision is a reference parse, an index lookup and a pass over the signatures.

import {
  CLOCK_SKEW_SECONDS,
  VIOLATION_CODES,
  type Decision,
  type Violation,
  type ViolationCode,
} from '../ir/decision.js';
import type { IRDocument, IRPolicy } from '../ir/types.js';
import { ScopeIndex } from '../glob/scope-index.js';
import { parseImageRef, type ImageRef } from '../ref/reference.js';
import { compileCondition, type EvalContext } from './expr.js';
import { parseInstant, type Instant } from '../ir/time.js';
import { byCodePoint } from '../ir/order.js';
import { formatDuration } from '../ir/duration.js';
import { INVALID_REASON, MALFORMED_INPUT, UNKNOWN_SIGNER, renderMessage } from '../ir/messages.js';
import { Memo } from './memo.js';
import type { ScopeCandidate } from '../glob/scope-index.js';

export type Engine = (input: unknown) => Decision;

interface CompiledPolicy {
  ir: IRPolicy;
  when: ((c: EvalContext) => boolean) | null;
  expr: ((c: EvalContext) => boolean) | null;
  trusted: Set<string>;
  /** trustedDIDs empty and no owner: any DID is trusted. */
  trustAny: boolean;
  maxAgeText: string;
}

const CODE_RANK: Record<ViolationCode, number> = Object.fromEntries(VIOLATION_CODES.map((c, i) => [c, i])) as Record<
  ViolationCode,
  number
>;

/** Past this many distinct qualified signers, they are also kept in a set. */
const MANY_SIGNERS = 16;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function invalidImage(message: string): Decision {
  return {
    allowed: false,
    effect: 'deny',
    policy: null,
    action: null,
    satisfiedBy: [],
    violations: [{ code: 'invalid-image', message }],
  };
}

function sortViolations(vs: Violation[]): Violation[] {
  if (vs.length < 2) return vs;
  return vs.sort(
    (a, b) =>
      CODE_RANK[a.code] - CODE_RANK[b.code] ||
      byCodePoint(a.did ?? '', b.did ?? '') ||
      byCodePoint(a.cause ?? '', b.cause ?? '') ||
      byCodePoint(a.message, b.message),
  );
}

function refLabel(r: ImageRef): string {
  return r.name + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

/** A per-signature violation with its message; a null cause means valid but unreadable. */
function violationFor(code: ViolationCode, did: string, cause: string | null, cp: CompiledPolicy): Violation {
  const name = cp.ir.name;
  switch (code) {
    case 'invalid-signature': {
      const message = renderMessage(code, {
        signer: did || UNKNOWN_SIGNER,
        cause: cause === null ? INVALID_REASON.unreadable : cause || INVALID_REASON.unverified,
      });
      // `cause` before `message`, the order the WebAssembly engine writes, so both print the same bytes.
      return cause ? { code, did, cause, message } : { code, did, message };
    }
    case 'untrusted-did':
      return { code, did, message: renderMessage(code, { signer: did, policy: name }) };
    case 'signature-from-future':
      return { code, did, message: renderMessage(code, { signer: did }) };
    case 'signature-expired':
      return { code, did, message: renderMessage(code, { signer: did, maxAge: cp.maxAgeText, policy: name }) };
    default:
      return { code, did, message: renderMessage('condition-failed', { signer: did, policy: name }) };
  }
}

export function compileEngine(ir: IRDocument): Engine {
  const compiled: CompiledPolicy[] = ir.policies.map((p) => ({
    ir: p,
    when: p.when ? compileCondition(p.when) : null,
    expr: p.require.expr ? compileCondition(p.require.expr) : null,
    trusted: new Set(p.require.trustedDIDs),
    trustAny: p.require.trustedDIDs.length === 0 && !p.require.trustOwner,
    maxAgeText: p.require.maxAgeSeconds === null ? '' : formatDuration(p.require.maxAgeSeconds),
  }));
  const index = new ScopeIndex(ir.policies);
  const unmatched = ir.unmatched;
  // One context object reused per decision: closures read it synchronously.
  const ctx: EvalContext = {
    image: null as unknown as ImageRef,
    owner: '',
    did: '',
    handle: '',
    pds: '',
    algorithm: '',
    ageS: 0,
    ageN: 0,
  };

  // Pure functions of strings, memoized per engine (see memo.ts); inputs are never trusted
  // to be distinct, so the memo is bounded.
  const refs = new Memo<{ ref: ImageRef; candidates: ScopeCandidate[] } | null>((s) => {
    const ref = parseImageRef(s);
    return ref ? { ref, candidates: index.candidates(ref) } : null;
  });
  const times = new Memo<Instant | null>(parseInstant);
  const readTime = (v: unknown): Instant | null => (typeof v === 'string' ? times.get(v) : null);
  let lastNowText: unknown = undefined;
  let lastNow: Instant | null = null;

  // Scratch for failed checks, reused by every (synchronous) decision.
  const failCodes: ViolationCode[] = [];
  const failDids: string[] = [];
  const failCauses: (string | null)[] = [];
  /** How many entries of the arrays above this decision has written (never shrunk: setting `length` is slow). */
  let failed = 0;
  const fail = (code: ViolationCode, did: string, cause: string | null = ''): void => {
    failCodes[failed] = code;
    failDids[failed] = did;
    failCauses[failed++] = cause;
  };

  const select = (candidates: readonly ScopeCandidate[]): CompiledPolicy | null => {
    for (const cand of candidates) {
      const cp = compiled[cand.policy.index]!;
      if (!cp.when || cp.when(ctx)) return cp;
    }
    return null;
  };

  return (input: unknown): Decision => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return invalidImage(renderMessage('malformed-input', { what: MALFORMED_INPUT.object }));
    }
    const inp = input as Record<string, unknown>;
    if (typeof inp.image !== 'string') return invalidImage(renderMessage('malformed-input', { what: MALFORMED_INPUT.image }));
    // `now` is usually fresh per call (a clock reading), so it stays out of the memo; but a
    // batch gives every input the same one, so the last one is kept.
    let now: Instant | null;
    if (inp.now === lastNowText && typeof inp.now === 'string') now = lastNow;
    else {
      now = parseInstant(inp.now);
      lastNowText = inp.now;
      lastNow = now;
    }
    if (!now) return invalidImage(renderMessage('malformed-input', { what: MALFORMED_INPUT.now }));
    if (!Array.isArray(inp.signatures)) return invalidImage(renderMessage('malformed-input', { what: MALFORMED_INPUT.signatures }));
    const parsed = refs.get(inp.image);
    if (!parsed) return invalidImage(renderMessage('unparseable-image', { image: JSON.stringify(inp.image) }));
    const image = parsed.ref;
    const owner = str(inp.owner);
    ctx.image = image;
    ctx.owner = owner;

    const cp = select(parsed.candidates);
    if (!cp) {
      if (unmatched === 'allow') {
        return { allowed: true, effect: 'allow', policy: null, action: null, satisfiedBy: [], violations: [] };
      }
      return {
        allowed: unmatched !== 'deny',
        effect: unmatched === 'deny' ? 'deny' : 'audit',
        policy: null,
        action: null,
        satisfiedBy: [],
        violations: [{ code: 'no-matching-policy', message: renderMessage('no-matching-policy', { label: refLabel(image) }) }],
      };
    }
    const p = cp.ir;
    const req = p.require;
    const name = p.name;
    if (!req.signature) {
      return { allowed: true, effect: 'allow', policy: name, action: p.action, satisfiedBy: [], violations: [] };
    }
    const sigs = inp.signatures as unknown[];
    // Failures are recorded as (code, did, cause) and turned into messages only when the
    // decision is not an allow: most decisions allow and never need them.
    failed = 0;
    const qualified: string[] = [];
    let seen: Set<string> | null = null;
    for (const raw of sigs) {
      const sig = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
      const did = sig ? str(sig.did) : '';
      const signedAt: Instant | null = sig && sig.valid === true && did !== '' ? readTime(sig.signedAt) : null;
      if (!signedAt) {
        const err = sig?.error;
        const cause = err !== null && typeof err === 'object' ? str((err as Record<string, unknown>).code) : '';
        fail('invalid-signature', did, cause || (sig?.valid === true ? null : ''));
        continue;
      }
      let ok = true;
      if (!cp.trustAny && !cp.trusted.has(did) && !(req.trustOwner && owner !== '' && did === owner)) {
        fail('untrusted-did', did);
        ok = false;
      }
      // age = now − signedAt, exact: whole seconds plus nanoseconds in [0, 1e9).
      let ageS = now.s - signedAt.s;
      let ageN = now.n - signedAt.n;
      if (ageN < 0) {
        ageN += 1e9;
        ageS -= 1;
      }
      // signedAt > now + skew  ⇔  age < −skew
      if (ageS < -CLOCK_SKEW_SECONDS) {
        fail('signature-from-future', did);
        ok = false;
      }
      if (req.maxAgeSeconds !== null && (ageS > req.maxAgeSeconds || (ageS === req.maxAgeSeconds && ageN > 0))) {
        fail('signature-expired', did);
        ok = false;
      }
      if (cp.expr) {
        ctx.did = did;
        ctx.handle = str(sig!.handle);
        ctx.pds = str(sig!.pds);
        ctx.algorithm = str(sig!.algorithm);
        ctx.ageS = ageS;
        ctx.ageN = ageN;
        if (!cp.expr(ctx)) {
          fail('condition-failed', did);
          ok = false;
        }
      }
      if (ok) {
        // A scan of the few signers of a usual image; a set once there are many, so that an
        // input with thousands of signatures stays linear.
        if (seen !== null) {
          if (!seen.has(did)) {
            seen.add(did);
            qualified.push(did);
          }
        } else if (!qualified.includes(did)) {
          qualified.push(did);
          if (qualified.length > MANY_SIGNERS) seen = new Set(qualified);
        }
      }
    }
    if (qualified.length > 1) qualified.sort(byCodePoint);
    if (qualified.length >= req.minSignatures) {
      return { allowed: true, effect: 'allow', policy: name, action: p.action, satisfiedBy: qualified, violations: [] };
    }
    const violations: Violation[] = [];
    if (sigs.length === 0) violations.push({ code: 'no-signatures', message: renderMessage('no-signatures', { policy: name }) });
    for (let k = 0; k < failed; k++) violations.push(violationFor(failCodes[k]!, failDids[k]!, failCauses[k] ?? null, cp));
    if (qualified.length > 0) {
      violations.push({
        code: 'insufficient-signatures',
        message: renderMessage('insufficient-signatures', { policy: name, min: String(req.minSignatures), count: String(qualified.length) }),
      });
    }
    const effect = p.action === 'enforce' ? 'deny' : p.action;
    return {
      allowed: effect !== 'deny',
      effect,
      policy: name,
      action: p.action,
      satisfiedBy: qualified,
      violations: sortViolations(violations),
    };
  };
}

const engines = new WeakMap<IRDocument, Engine>();

/** Evaluates one input; the compiled engine is cached per IR object. */
export function evaluate(ir: IRDocument, input: unknown): Decision {
  let e = engines.get(ir);
  if (!e) {
    e = compileEngine(ir);
    engines.set(ir, e);
  }
  return e(input);
}
