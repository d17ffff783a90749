// The real Kyverno CLI (v1.19.0, `kyverno apply --resource`) on the compiled ClusterPolicies,
// in batches: each process takes the policies of several corpus documents and one object
// per case (a Pod, Deployment or CronJob in the document's namespace), and its apiCall
// requests reach the loopback facts endpoint (real HTTPS, the caBundle) answering each
// object's case. Two things differ from the ClusterPolicy an operator applies, both needed
// to batch and replay cases, neither touching a decision:
//   - the compile options: the service URL names the object (`{{ request.object.metadata.* }}`,
//     substituted by Kyverno) and every other document's namespace is excluded;
//   - the clock: Kyverno's `time_now_utc()` cannot be set (CLI values are overwritten by the
//     rule's own context variable), so the `atcrNow` entry reads the case's instant from an
//     annotation instead. Everything the rules compute from `now` is unchanged.
// The policies are renamed per document (`<name>-g<n>`) so several live in one process.

import { parseAllDocuments } from 'yaml';
import { compileKyverno } from '../../src/backends/kyverno/index.js';
import type { Decision, Effect } from '../../src/ir/decision.js';
import { INVALID_REASON, renderMessage, UNKNOWN_SIGNER } from '../../src/ir/messages.js';
import { byCodePoint } from '../../src/ir/order.js';
import type { IRDocument } from '../../src/ir/types.js';
import { factsFor } from '../backends/kyverno/fake-service.js';
import { kyvernoClock } from '../backends/kyverno/harness.js';
import { kyvernoApply, NOW_ANNOTATION, pinClock, type PolicyDoc as Policy, type RuleReport } from '../backends/kyverno/kyverno-cli.js';
import type { CorpusGroup } from './corpus.js';
import type { EngineAdapter, EngineAnswer } from './engines.js';
import { workload } from './gatekeeper-harness.js';
import { startKyvernoFacts, type KyvernoFactsServer } from './kyverno-facts.js';
import { TEST_CA_PEM } from './provider.js';

/** Objects per Kyverno process: start-up (~0.3 s) against the policies × objects each one matches. */
const OBJECTS_PER_PROCESS = 400;
const PARALLEL = 2;
const KINDS = ['Pod', 'Deployment', 'CronJob'] as const;

const namespaceOf = (gi: number) => `g${gi}`;

interface Batch {
  groups: number[];
}

function batches(groups: readonly CorpusGroup[]): Batch[] {
  const out: Batch[] = [];
  let current: Batch = { groups: [] };
  let size = 0;
  groups.forEach((g, gi) => {
    if (size > 0 && size + g.cases.length > OBJECTS_PER_PROCESS) {
      out.push(current);
      current = { groups: [] };
      size = 0;
    }
    current.groups.push(gi);
    size += g.cases.length;
  });
  if (current.groups.length > 0) out.push(current);
  return out;
}

/** The decision a single-image object's rule results amount to (fields Kyverno shows). */
function decisionOf(ir: IRDocument, image: string, results: RuleReport[], policies: Policy[]): EngineAnswer {
  const errors = results.filter((r) => r.result === 'error');
  if (errors.length > 0) return { error: errors.map((r) => `${r.rule}: ${r.message}`).join('; ') };
  const failed = results.filter((r) => r.result === 'fail');
  if (failed.length === 0) return { decision: { allowed: true, effect: 'allow' } };
  if (failed.length > 1) return { error: `more than one rule failed: ${failed.map((r) => `${r.rule}: ${r.message}`).join('; ')}` };
  const f = failed[0]!;
  const policy = policies.find((p) => p.metadata.name === f.policy)!;
  const rule = policy.spec.rules.find((r) => r.name === f.rule)!;
  const effect: Effect = rule.validate.failureAction === 'Enforce' ? 'deny' : policy.spec.emitWarning ? 'warn' : 'audit';
  const d: Partial<Decision> = { allowed: effect !== 'deny', effect };
  if (f.rule.startsWith('policies-')) {
    // "validation failure: image X does not satisfy trust policy P (action): …"
    const action = f.rule.slice('policies-'.length);
    const prefix = `validation failure: image ${image} does not satisfy trust policy `;
    const names = ir.policies.map((p) => p.name).filter((n) => f.message.startsWith(`${prefix}${n} (${action}): `));
    if (names.length === 0) return { error: `no policy named in the message: ${f.message}` };
    d.policy = names.sort((a, b) => b.length - a.length)[0]!;
    d.action = action as Decision['action'];
  } else {
    d.policy = null;
    d.action = null;
  }
  return { decision: d, message: sortedReasons(f.message) };
}

const REASONS = /^(validation failure: image .* does not satisfy trust policy .* \((?:enforce|audit|warn)\): )(.*)$/su;

/**
 * A policy rule's message with its reasons in code point order. Kyverno lists them by check
 * and then in signature order, the native decision by code and then DID
 * (docs/compile-kyverno.md "Known differences"): the reasons themselves are compared exactly.
 */
function sortedReasons(message: string): string {
  const m = REASONS.exec(message);
  return m ? m[1]! + m[2]!.split('; ').sort(byCodePoint).join('; ') : message;
}

/** The message Kyverno must write for the native decision (reasons sorted, see sortedReasons). */
export function kyvernoMessage(input: unknown, d: Decision): string {
  const image = (input as { image: string }).image;
  if (d.violations.some((v) => v.code === 'invalid-image')) return `validation failure: image ${image} is denied: ${String(factsFor(image, undefined).parseError)}`;
  if (d.policy === null) return `validation failure: no trust policy applies to image ${image}`;
  // Kyverno's signature records do not say why an unusable signature without a kernel code
  // is unusable, so its message names both reasons.
  const reasons = d.violations.map((v) =>
    v.code === 'invalid-signature' && !v.cause ? renderMessage('invalid-signature', { signer: v.did || UNKNOWN_SIGNER, cause: `${INVALID_REASON.unverified} or ${INVALID_REASON.unreadable}` }) : v.message,
  );
  return sortedReasons(`validation failure: image ${image} does not satisfy trust policy ${d.policy} (${d.action}): ${reasons.join('; ')}`);
}

async function runBatch(groups: readonly CorpusGroup[], batch: Batch, facts: KyvernoFactsServer, out: EngineAnswer[][]): Promise<void> {
  const namespaces = batch.groups.map(namespaceOf);
  const policyDocs: Policy[] = [];
  const perGroup = new Map<number, Policy[]>();
  const resources: unknown[] = [];
  for (const gi of batch.groups) {
    const g = groups[gi]!;
    const ns = namespaceOf(gi);
    let docs: Policy[];
    try {
      const [artifact] = compileKyverno(g.ir, { serviceUrl: facts.serviceUrl, caBundle: TEST_CA_PEM, excludedNamespaces: namespaces.filter((n) => n !== ns) });
      docs = pinClock(parseAllDocuments(artifact!.content as string).map((d) => d.toJS() as Policy));
    } catch (err) {
      out[gi] = g.cases.map(() => ({ error: `compile: ${(err as Error).message}` }));
      continue;
    }
    for (const d of docs) d.metadata.name = `${d.metadata.name}-${ns}`;
    perGroup.set(gi, docs);
    policyDocs.push(...docs);
    g.cases.forEach((c, k) => {
      const now = kyvernoClock(c.input);
      if (now === null) {
        out[gi]![k] = { unexpressible: 'Kyverno takes the image from a pod, now from its clock (whole seconds) and the facts from the service' };
        return;
      }
      const input = c.input as { image: string; owner?: unknown; signatures: unknown[] };
      const name = `c${k}`;
      facts.table.set(`${ns}/${name}`, { [input.image]: { owner: input.owner, signatures: input.signatures } });
      const object = workload(KINDS[k % KINDS.length]!, [input.image], name) as { metadata: Record<string, unknown> };
      object.metadata = { ...object.metadata, namespace: ns, annotations: { [NOW_ANNOTATION]: now } };
      resources.push(object);
    });
  }
  if (resources.length === 0) return;
  const yaml = policyDocs.map((d) => JSON.stringify(d)).join('\n---\n') + '\n';
  const outcome = await kyvernoApply(yaml, resources, { timeoutMs: 120_000 });
  if (outcome.refused.length > 0) throw new Error(`Kyverno refused policies: ${outcome.refused.join('; ')}`);
  const byObject = new Map<string, RuleReport[]>();
  for (const r of outcome.results) {
    const key = `${r.namespace}/${r.name}`;
    byObject.set(key, [...(byObject.get(key) ?? []), r]);
  }
  for (const [gi, docs] of perGroup) {
    const g = groups[gi]!;
    const names = new Set(docs.map((d) => d.metadata.name));
    g.cases.forEach((c, k) => {
      if (out[gi]![k]!.unexpressible) return;
      const results = (byObject.get(`${namespaceOf(gi)}/c${k}`) ?? []).filter((r) => names.has(r.policy));
      if (results.length !== (byObject.get(`${namespaceOf(gi)}/c${k}`) ?? []).length) {
        out[gi]![k] = { error: 'another document’s policy applied to this object' };
        return;
      }
      out[gi]![k] = decisionOf(g.ir, (c.input as { image: string }).image, results, docs);
    });
  }
}

export const kyverno: EngineAdapter = {
  name: 'kyverno',
  expectedMessage: kyvernoMessage,
  async decide(groups) {
    const facts = await startKyvernoFacts();
    const out: EngineAnswer[][] = groups.map((g) => g.cases.map(() => ({})));
    try {
      const queue = batches(groups);
      const workers = Array.from({ length: PARALLEL }, async () => {
        for (let b = queue.shift(); b; b = queue.shift()) await runBatch(groups, b, facts, out);
      });
      await Promise.all(workers);
      return out;
    } finally {
      await facts.close();
    }
  },
};
