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
import { parseInstant, type Instant } from './time.js';
import { byCodePoint } from '../ir/order.js';
import { formatDuration } from '../expr/duration.js';

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

  const select = (image: ImageRef): CompiledPolicy | null => {
    for (const cand of index.candidates(image)) {
      const cp = compiled[cand.policy.index]!;
      if (!cp.when || cp.when(ctx)) return cp;
    }
    return null;
  };

  return (input: unknown): Decision => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return invalidImage('the input is malformed: it must be an object');
    }
    const inp = input as Record<string, unknown>;
    if (typeof inp.image !== 'string') return invalidImage('the input is malformed: `image` must be a string');
    const now = parseInstant(inp.now);
    if (!now) return invalidImage('the input is malformed: `now` must be an RFC 3339 time');
    if (!Array.isArray(inp.signatures)) return invalidImage('the input is malformed: `signatures` must be an array');
    const image = parseImageRef(inp.image);
    if (!image) return invalidImage(`image reference ${JSON.stringify(inp.image)} does not parse`);
    const owner = str(inp.owner);
    ctx.image = image;
    ctx.owner = owner;

    const cp = select(image);
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
        violations: [{ code: 'no-matching-policy', message: `no policy applies to ${refLabel(image)}` }],
      };
    }
    const p = cp.ir;
    const req = p.require;
    const name = p.name;
    if (!req.signature) {
      return { allowed: true, effect: 'allow', policy: name, action: p.action, satisfiedBy: [], violations: [] };
    }
    const sigs = inp.signatures as unknown[];
    const violations: Violation[] = [];
    const qualified: string[] = [];
    if (sigs.length === 0) {
      violations.push({ code: 'no-signatures', message: `policy ${name} requires a signature and the image has none` });
    }
    for (const raw of sigs) {
      const sig = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
      const did = sig ? str(sig.did) : '';
      const signedAt: Instant | null = sig && sig.valid === true && did !== '' ? parseInstant(sig.signedAt) : null;
      if (!signedAt) {
        const err = sig?.error;
        const cause = err !== null && typeof err === 'object' ? str((err as Record<string, unknown>).code) : '';
        const v: Violation = {
          code: 'invalid-signature',
          did,
          message: `signature by ${did || '(unknown)'} is invalid: ${cause || (sig?.valid === true ? 'unreadable' : 'not verified')}`,
        };
        if (cause) v.cause = cause;
        violations.push(v);
        continue;
      }
      let ok = true;
      if (!cp.trustAny && !cp.trusted.has(did) && !(req.trustOwner && owner !== '' && did === owner)) {
        violations.push({ code: 'untrusted-did', did, message: `${did} is not trusted by policy ${name}` });
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
        violations.push({ code: 'signature-from-future', did, message: `signature by ${did} is dated in the future` });
        ok = false;
      }
      if (req.maxAgeSeconds !== null && (ageS > req.maxAgeSeconds || (ageS === req.maxAgeSeconds && ageN > 0))) {
        violations.push({
          code: 'signature-expired',
          did,
          message: `signature by ${did} is older than ${cp.maxAgeText} allowed by policy ${name}`,
        });
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
          violations.push({ code: 'condition-failed', did, message: `signature by ${did} fails the condition of policy ${name}` });
          ok = false;
        }
      }
      if (ok && !qualified.includes(did)) qualified.push(did);
    }
    qualified.sort(byCodePoint);
    if (qualified.length >= req.minSignatures) {
      return { allowed: true, effect: 'allow', policy: name, action: p.action, satisfiedBy: qualified, violations: [] };
    }
    if (qualified.length > 0) {
      violations.push({
        code: 'insufficient-signatures',
        message: `policy ${name} needs ${req.minSignatures} distinct signers, has ${qualified.length}`,
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
