// Compiles trust policies to Kyverno and runs one decision input through the model of
// Kyverno's admission processing, reading the outcome in the terms of decision.md.

import { parseAllDocuments } from 'yaml';
import { compileKyverno } from '../../../src/backends/kyverno/index.js';
import type { Effect } from '../../../src/ir/decision.js';
import { byCodePoint } from '../../../src/ir/order.js';
import { parseInstant } from '../../../src/ir/time.js';
import type { IRDocument } from '../../../src/ir/types.js';
import { compileText } from '../../../src/lower/pipeline.js';
import { SERVICE_URL, fakeService, podRequest } from './fake-service.js';
import { type Admission, admit } from './kyverno-sim.js';

export function irFromYaml(text: string): IRDocument {
  const c = compileText('policies/test.yaml', text);
  if (!c.ir) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  return c.ir;
}

export function clusterPolicyText(ir: IRDocument): string {
  const [artifact] = compileKyverno(ir, { serviceUrl: SERVICE_URL });
  return artifact!.content as string;
}

const compiled = new WeakMap<IRDocument, unknown[]>();

export function clusterPolicies(ir: IRDocument): unknown[] {
  let docs = compiled.get(ir);
  if (!docs) {
    docs = parseAllDocuments(clusterPolicyText(ir)).map((d) => d.toJS());
    compiled.set(ir, docs);
  }
  return docs;
}

export interface KyvernoInput {
  image: string;
  owner?: unknown;
  /** RFC 3339 UTC with whole seconds: what Kyverno's time_now_utc() returns. */
  now: string;
  signatures: unknown[];
}

export function runKyverno(ir: IRDocument, input: KyvernoInput): Admission {
  const service = fakeService({ [input.image]: { owner: input.owner, signatures: input.signatures } });
  return admit(clusterPolicies(ir), podRequest([input.image]), service, input.now);
}

export interface Outcome {
  allowed: boolean;
  effect: Effect;
  /** null: no policy (invalid image or unmatched); undefined: allowed without any rule applying. */
  policy: string | null | undefined;
  /** The distinct qualifying DIDs, when a policy rule evaluated the image. */
  satisfiedBy?: string[];
}

/** The decision a single-image admission amounts to. */
export function outcomeOf(ir: IRDocument, admission: Admission): Outcome {
  const errors = admission.results.filter((r) => r.status === 'error');
  if (errors.length > 0) throw new Error(`rule errors: ${errors.map((r) => `${r.rule}: ${r.error}`).join('; ')}`);
  // The policy rules (one per action) name the policy that won the image in `atcrWinner`.
  const isPolicyRule = (rule: string) => rule.startsWith('policies-');
  const applied = admission.results.find((r) => isPolicyRule(r.rule) && r.elements.some((e) => e.applied));
  const element = applied?.elements.find((e) => e.applied);
  const winner = element?.context.atcrWinner as string | undefined;
  if (winner !== undefined && !ir.policies.some((p) => p.name === winner)) throw new Error(`unknown winner ${winner}`);
  const signers = element?.context.atcrSigners as string[] | undefined;
  // Kyverno's keys() order is Go map order (random); the decision's is code point order.
  const satisfiedBy = signers ? [...signers].sort(byCodePoint) : undefined;
  const failed = admission.results.filter((r) => r.status === 'fail');
  if (failed.length > 1) throw new Error(`more than one rule failed: ${failed.map((r) => r.rule).join(', ')}`);
  const f = failed[0];
  if (!f) return { allowed: true, effect: 'allow', policy: winner, satisfiedBy };
  const effect: Effect = f.failureAction === 'Enforce' ? 'deny' : f.emitWarning ? 'warn' : 'audit';
  if (admission.allowed !== (effect !== 'deny')) throw new Error('admission and rule results disagree');
  return { allowed: admission.allowed, effect, policy: isPolicyRule(f.rule) ? winner ?? null : null, satisfiedBy };
}

/**
 * What Kyverno's clock would read at the input's `now`: UTC, whole seconds. Inputs Kyverno
 * cannot meet (a malformed input: the image comes from a pod, now from the clock, the
 * signatures from the service; or a `now` with a fraction of a second) give null.
 */
export function kyvernoClock(input: unknown): string | null {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return null;
  const { image, now, signatures } = input as Record<string, unknown>;
  const instant = parseInstant(now);
  if (typeof image !== 'string' || !Array.isArray(signatures) || !instant || instant.n !== 0) return null;
  return new Date(instant.s * 1000).toISOString().slice(0, 19) + 'Z';
}

/**
 * Whether an allowed decision's governing policy leaves no rule result to read it from: a
 * policy without `require.signature` (no rule), or a satisfied `warn` policy (its rule
 * applies only to failing containers, so that Kyverno emits no "rule passed" warning).
 */
export function unreported(ir: IRDocument, native: { allowed: boolean; policy: string | null }): boolean {
  const p = ir.policies.find((q) => q.name === native.policy);
  return p !== undefined && (!p.require.signature || (p.action === 'warn' && native.allowed));
}
