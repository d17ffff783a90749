// Verify, then decide: the kernel's facts for an image and, when there is a trust policy,
// its decision — and the one JSON shape both are reported in (`verify --output json`,
// the service's /v1/verify). Fail closed: a negative that an unreachable service might
// have turned is "undecided", never "denied" or "allowed".

import type { Trace } from '../kernel/verify/trace.js';
import { evaluate } from '../engine/evaluate.js';
import type { Decision, SignatureFact } from '../ir/decision.js';
import type { IRDocument } from '../ir/types.js';
import type { Bundle, DiscoveryError, Verifier, VerifyReport } from '../kernel/index.js';

export interface DecideOptions {
  /** The trust policy that decides; without it, "verified" means one valid signature. */
  policy?: IRDocument | null;
  /** RFC 3339 time the policy evaluates at (default now). */
  now?: string;
  signal?: AbortSignal;
  bundle?: Bundle;
  /** Told of each kernel step as it ends (`verify --verbose`). */
  trace?: Trace;
}

/** `verified` allowed / at least one valid signature; `denied` a definite no; `undecided` a service was unreachable. */
export type Verdict = 'verified' | 'denied' | 'undecided';

/** What a decision and the JSON need of a report: a cached copy of the facts will do. */
export type FactsView = Pick<VerifyReport, 'digest' | 'owner' | 'signatures' | 'verified' | 'unavailable' | 'ownerUnavailable' | 'offline' | 'notes'>;

export interface Outcome<R extends FactsView = VerifyReport> {
  report: R;
  decision: Decision | null;
  /** The decision's `allowed`, or without a policy whether a signature is valid. */
  verified: boolean;
  verdict: Verdict;
}

/** The decision of `policy` on a report (the engines' input: image as written, owner, now, signatures). */
export function decide(policy: IRDocument, image: string, report: Pick<VerifyReport, 'owner' | 'signatures'>, now: string): Decision {
  return evaluate(policy, { image, owner: report.owner, now, signatures: report.signatures });
}

export function outcomeOf<R extends FactsView>(image: string, report: R, opts: Pick<DecideOptions, 'policy' | 'now'> = {}): Outcome<R> {
  const decision = opts.policy ? decide(opts.policy, image, report, opts.now ?? new Date().toISOString()) : null;
  const verified = decision ? decision.allowed : report.verified;
  // A deny with a valid signature while the owner was unreachable may be only the missing
  // owner (a policy that trusts `owner`): could not decide, as for an unreachable signature.
  const ownerMissing = report.ownerUnavailable === true && decision !== null && report.signatures.some((s) => s.valid);
  const verdict: Verdict = verified ? 'verified' : report.unavailable || ownerMissing ? 'undecided' : 'denied';
  return { report, decision, verified, verdict };
}

/** Facts from the verifier, then the decision. DiscoveryError propagates (no image, no facts). */
export async function verifyAndDecide(verifier: Verifier, image: string, opts: DecideOptions = {}): Promise<Outcome> {
  const report = await verifier.verify(image, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.bundle ? { bundle: opts.bundle } : {}),
    ...(opts.trace ? { trace: opts.trace } : {}),
  });
  return outcomeOf(image, report, opts);
}

/** `verify --output json` (cli.md), plus the owner and notes. */
export interface VerificationJson {
  image: string;
  digest: string;
  verified: boolean;
  signatures: SignatureFact[];
  decision: Decision | null;
  offline: boolean;
  durationMs: number;
  owner?: string;
  /** Only when true: the owner is "" because it could not be asked for (docs/verification.md). */
  ownerUnavailable?: true;
  notes?: string[];
  error?: { kind: DiscoveryError['kind']; message: string };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function outcomeJson(image: string, outcome: Outcome<FactsView>, durationMs: number): VerificationJson {
  const { report } = outcome;
  return {
    image,
    digest: report.digest,
    verified: outcome.verified,
    signatures: report.signatures,
    decision: outcome.decision,
    offline: report.offline,
    durationMs: round(durationMs),
    // Beyond cli.md's fields: the owner engines saw, and notes such as an unproven did:web.
    owner: report.owner,
    ...(report.ownerUnavailable ? { ownerUnavailable: true as const } : {}),
    notes: report.notes,
  };
}

/** The one object for an image that could not be discovered: no facts, not verified, and why. */
export function failureJson(image: string, err: Pick<DiscoveryError, 'kind' | 'message'>, offline: boolean, durationMs: number): VerificationJson {
  return {
    image,
    digest: '',
    verified: false,
    signatures: [],
    decision: null,
    offline,
    durationMs: round(durationMs),
    error: { kind: err.kind, message: err.message },
  };
}
