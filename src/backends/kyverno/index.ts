// `--target kyverno`: the IR as kyverno.io/v1 ClusterPolicies (docs/compile-kyverno.md).
// All policy logic — selection, trust, skew, maxAge, expr, minSignatures, unmatched — is
// compiled into JMESPath here; the atcr-verify service only supplies facts per image.

import { CompileError, checkIrVersion, textArtifact, type Artifact, type CompileOptions } from '../artifact.js';
import { commentText } from '../text.js';
import { yamlDocument } from '../yaml.js';
import type { Action, IRDocument, IRExpr, IRPolicy } from '../../ir/types.js';
import { printExpr } from '../../ir/printer.js';
import { UnrepresentableString, strListLit, strLit } from './jmespath-text.js';
import { Untranslatable, compileBool, signatureScope } from './expr.js';
import { compileWhen, orderedCandidates } from './selection.js';
import { type Rule, type RuleTarget, invalidImageRule, policyRule, unmatchedRule } from './rules.js';

export const DEFAULT_SERVICE_URL = 'https://atcr-verify.atcr-system.svc';
/** The service's Kyverno endpoint, appended to `serviceUrl`. */
export const FACTS_PATH = '/kyverno/v1/facts';

export const POLICY_NAME = 'atcr-verify';
/** validate.failureAction and spec.webhookConfiguration.{failurePolicy,timeoutSeconds} arrived in 1.13. */
export const MIN_KYVERNO_VERSION = '1.13';
/** Verification can reach registries and PDSes; the service should answer well within this. */
export const WEBHOOK_TIMEOUT_SECONDS = 15;
export const WARN_POLICY_NAME = 'atcr-verify-warn';

/** Namespaces the rules skip by default: the cluster's own and Kyverno's. */
export const DEFAULT_EXCLUDED_NAMESPACES = ['kube-system', 'kyverno'];

function ruleTarget(opts: CompileOptions | undefined): RuleTarget {
  return {
    url: (opts?.serviceUrl ?? DEFAULT_SERVICE_URL).replace(/\/+$/, '') + FACTS_PATH,
    ...(opts?.caBundle !== undefined ? { caBundle: opts.caBundle } : {}),
    excludedNamespaces: opts?.excludedNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES,
  };
}

function untranslatable(policy: IRPolicy, what: string, text: string, err: unknown): never {
  if (err instanceof Untranslatable || err instanceof UnrepresentableString) {
    throw new CompileError(`policy ${policy.name}: ${what} ${text} cannot be compiled to Kyverno: ${err.message}`, policy.name);
  }
  throw err;
}

/** Compiles one expression field up front, so a failure names the policy and the expression. */
function checkExpr(policy: IRPolicy, field: string, e: IRExpr | null, compile: (e: IRExpr) => unknown): void {
  if (e === null) return;
  try {
    compile(e);
  } catch (err) {
    untranslatable(policy, field, `'${printExpr(e)}'`, err);
  }
}

function checkPolicy(policy: IRPolicy): void {
  checkExpr(policy, 'when', policy.when, () => compileWhen(policy));
  checkExpr(policy, 'require.expr', policy.require.expr, (e) => compileBool(e, signatureScope('s')));
  for (const scope of policy.scopes) {
    try {
      strLit(scope.regex);
    } catch (err) {
      untranslatable(policy, 'scope', JSON.stringify(scope.glob), err);
    }
  }
  try {
    strListLit(policy.require.trustedDIDs);
  } catch (err) {
    untranslatable(policy, 'trustedDIDs', JSON.stringify(policy.require.trustedDIDs), err);
  }
}

function clusterPolicy(ir: IRDocument, name: string, description: string, rules: Rule[], emitWarning: boolean): unknown {
  return {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name,
      annotations: {
        'policies.kyverno.io/title': 'ATProto image signatures (atcr-verify)',
        'policies.kyverno.io/description': description,
        // The rules find the pod spec of every workload kind themselves.
        'pod-policies.kyverno.io/autogen-controllers': 'none',
        'atcr.io/source': ir.source.file,
        'atcr.io/source-sha256': ir.source.sha256,
      },
    },
    spec: {
      admission: true,
      background: false,
      // spec.failurePolicy and spec.webhookTimeoutSeconds are deprecated (Kyverno 1.13+).
      webhookConfiguration: { failurePolicy: 'Fail', timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS },
      ...(emitWarning ? { emitWarning: true } : {}),
      rules,
    },
  };
}

export function compileKyverno(ir: IRDocument, opts?: CompileOptions): Artifact[] {
  checkIrVersion(ir);
  for (const policy of ir.policies) checkPolicy(policy);
  const url = ruleTarget(opts);
  const candidates = orderedCandidates(ir);
  const whenText = new Map<number, string>();
  for (const policy of ir.policies) {
    const when = compileWhen(policy);
    if (when !== undefined) whenText.set(policy.index, when);
  }

  // A policy without `require.signature` never denies: it needs no rule, yet it still
  // wins images in the other rules' selection.
  const checked = ir.policies.filter((p) => p.require.signature);
  const group = (action: Action): Rule[] => {
    const ps = checked.filter((p) => p.action === action);
    return ps.length > 0 ? [policyRule(url, action, ps, candidates, whenText)] : [];
  };
  const main: Rule[] = [invalidImageRule(url), ...group('enforce'), ...group('audit')];
  if (ir.unmatched !== 'allow') main.push(unmatchedRule(url, candidates, whenText, ir.unmatched));
  const warn = group('warn');

  const docs = [
    clusterPolicy(ir, POLICY_NAME, 'Requires ATProto signatures on container images, as the trust policy says.', main, false),
  ];
  if (warn.length > 0) {
    docs.push(
      clusterPolicy(ir, WARN_POLICY_NAME, 'Trust policies with action warn: admitted with a warning.', warn, true),
    );
  }
  const header =
    `# Generated by atcr-verify from ${commentText(ir.source.file)} (sha256 ${commentText(ir.source.sha256)}).\n` +
    '# Kyverno ClusterPolicy: do not edit; change the trust policy and compile again.\n' +
    `# Requires Kyverno ${MIN_KYVERNO_VERSION} or later (rule failureAction, spec.webhookConfiguration).\n`;
  const body = docs.map((d) => yamlDocument(d)).join('---\n');
  return [textArtifact('clusterpolicy.yaml', header + body)];
}
