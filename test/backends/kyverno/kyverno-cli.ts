// Runs the real Kyverno CLI (tools/versions.tsv pin, built by scripts/tools/build.sh) offline:
// `kyverno apply` with --resource (which makes real apiCall.service requests, v1.19.0
// commands/apply/command.go: AllowApiCall when resources are given and --cluster is not) and
// `kyverno test`. Every run is bounded: a hard timeout kills the process, it gets a HOME of
// its own and a KUBECONFIG that does not exist, so it can neither reach a cluster nor hang
// waiting for one.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOW_VARIABLE } from '../../../src/backends/kyverno/time.js';
import { toolPath } from '../../support/tools.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Runs `kyverno args…` with a hard timeout; rejects on timeout with what it printed so far. */
export function runKyvernoCli(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'atcr-kyverno-home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    // No cluster: a kubeconfig that does not exist, and no in-cluster service variables.
    KUBECONFIG: join(home, 'no-kubeconfig'),
    // Kyverno reads this token for apiCall.service (≥ 1.18); none here, so none is sent.
    KYVERNO_SCOPED_TOKEN_PATH: join(home, 'no-token'),
    TMPDIR: home,
    ...opts.env,
  };
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath('kyverno'), args, { cwd: opts.cwd ?? home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kyverno ${args.slice(0, 2).join(' ')} did not finish within ${timeoutMs} ms (killed); stderr: ${stderr.slice(-2000)}; stdout: ${stdout.slice(-2000)}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

/** One rule's result on one resource, as the policy report of `kyverno apply -p` gives it. */
export interface RuleReport {
  policy: string;
  rule: string;
  result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  message: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ApplyOutcome extends CliRun {
  results: RuleReport[];
  /** Policies Kyverno refused ("Policies Skipped" / "Invalid Policies"), with the reason. */
  refused: string[];
}

/** JSON documents of a multi-document file: what `kyverno apply --resource` reads. */
export function jsonDocuments(docs: readonly unknown[]): string {
  // JSON is YAML; JSON.stringify never writes a raw newline, so no document holds "\n---".
  return docs.map((d) => JSON.stringify(d)).join('\n---\n') + '\n';
}

/** The policy report results of `kyverno apply` (policy report JSON after any text lines). */
export function parseApplyReport(stdout: string): { results: RuleReport[]; refused: string[] } {
  const refused: string[] = [];
  let section = false;
  for (const line of stdout.split('\n')) {
    if (/^(Policies Skipped|Invalid Policies):/u.test(line)) section = true;
    else if (line.startsWith('---')) section = false;
    else if (section && /^\d+\. /u.test(line)) refused.push(line.replace(/^\d+\. /u, ''));
  }
  const results: RuleReport[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const report = JSON.parse(line) as { results?: Record<string, any>[] };
    for (const r of report.results ?? []) {
      const subject = (r.resources ?? r.subjects ?? [])[0] ?? {};
      results.push({
        policy: r.policy,
        rule: r.rule,
        result: r.result,
        message: r.message ?? r.description ?? '',
        kind: subject.kind ?? '',
        namespace: subject.namespace ?? '',
        name: subject.name ?? '',
      });
    }
  }
  return { results, refused };
}

/**
 * `kyverno apply <policies> --resource <resources> --policy-report`: every resource admitted
 * (CREATE) against every policy, apiCall.service requests made for real.
 */
export async function kyvernoApply(policyYaml: string, resources: readonly unknown[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<ApplyOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'atcr-kyverno-apply-'));
  writeFileSync(join(dir, 'policies.yaml'), policyYaml);
  writeFileSync(join(dir, 'resources.yaml'), jsonDocuments(resources));
  const run = await runKyvernoCli(
    ['apply', join(dir, 'policies.yaml'), '--resource', join(dir, 'resources.yaml'), '--policy-report', '--output-format', 'json', '--remove-color'],
    { cwd: dir, ...opts },
  ).finally(() => rmSync(dir, { recursive: true, force: true }));
  // Exit 0 (all passed) or 1 (some failed / errored) with a report; anything else is a crash.
  if (run.code !== 0 && run.code !== 1) throw new Error(`kyverno apply exited ${run.code}: ${run.stderr.slice(-3000)} ${run.stdout.slice(-3000)}`);
  try {
    return { ...run, ...parseApplyReport(run.stdout) };
  } catch (err) {
    throw new Error(`kyverno apply printed no readable report (${(err as Error).message}): ${run.stdout.slice(0, 3000)} ${run.stderr.slice(-3000)}`);
  }
}

export interface PolicyDoc {
  metadata: { name: string };
  spec: {
    emitWarning?: boolean;
    webhookConfiguration?: { failurePolicy?: string };
    failurePolicy?: string;
    rules: { name: string; context: { name: string; variable?: { jmesPath: string } }[]; validate: { failureAction?: string } }[];
  };
}

/** Where a pinned policy reads `now`: an annotation of the admitted object. */
export const NOW_ANNOTATION = 'atcr.io/now';

/**
 * The compiled policies with Kyverno's clock replaced by the admitted object's
 * NOW_ANNOTATION, so a case replays at its own instant. Kyverno's `time_now_utc()` cannot be
 * set: CLI `values` are loaded before the rule's context, whose `atcrNow` entry then
 * overwrites them (v1.19.0 cmd/cli/kubectl-kyverno/store/contextloader.go, and
 * pkg/engine/context/loaders/variable.go ReplaceContextEntry). Nothing else changes.
 */
export function pinClock<P extends PolicyDoc>(policies: P[]): P[] {
  for (const p of policies) {
    for (const rule of p.spec.rules) {
      const now = rule.context.find((c) => c.name === NOW_VARIABLE);
      if (now?.variable?.jmesPath !== 'time_now_utc()') throw new Error(`rule ${rule.name} has no ${NOW_VARIABLE} = time_now_utc() entry to pin`);
      now.variable.jmesPath = `request.object.metadata.annotations.${JSON.stringify(NOW_ANNOTATION)}`;
    }
  }
  return policies;
}

/**
 * Whether Kyverno's webhook rejects the object, from the rule results of its policies:
 * `BlockRequest` (v1.19.0 pkg/utils/engine/response.go) — a failed `Enforce` rule, or any
 * rule error in a policy whose failurePolicy is `Fail` (the default). Only policies with an
 * `Enforce` rule are evaluated in the blocking path (pkg/policycache: `ValidateEnforce`);
 * an audit-only policy (the warn policy) never blocks.
 */
export function rejects(results: readonly RuleReport[], policies: readonly PolicyDoc[]): boolean {
  return policies.some((p) => {
    const actions = new Map(p.spec.rules.map((r) => [r.name, r.validate.failureAction ?? 'Audit']));
    if (![...actions.values()].includes('Enforce')) return false;
    const failurePolicy = p.spec.webhookConfiguration?.failurePolicy ?? p.spec.failurePolicy ?? 'Fail';
    return results.some(
      (r) => r.policy === p.metadata.name && ((r.result === 'fail' && actions.get(r.rule) === 'Enforce') || (r.result === 'error' && failurePolicy === 'Fail')),
    );
  });
}
