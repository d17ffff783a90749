// The Kyverno rules. Every rule matches Pods and the workload kinds that embed a pod
// template (autogen is switched off: one list expression finds the pod spec of each), asks
// the atcr-verify service once for the facts of every image of the object, and then runs a
// foreach over all containers, init containers and ephemeral containers.

import type { Action, IRPolicy } from '../../ir/types.js';
import { assertNoMarkers, strListLit, strLit } from './jmespath-text.js';
import { FACTS, type Candidate, winnerExpression } from './selection.js';
import { type ContextVariable, signatureVariables } from './signatures.js';
import { NOW_VARIABLE } from './time.js';

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'];

/** Where the rules reach the service, and which namespaces they leave alone. */
export interface RuleTarget {
  url: string;
  /** PEM CA certificates the service's certificate must chain to (Kyverno wants raw PEM). */
  caBundle?: string;
  excludedNamespaces: readonly string[];
}

/** The pod spec of a Pod, of a workload's template, or of a CronJob's job template. */
const POD_SPEC =
  '(request.object.spec.jobTemplate.spec.template.spec || request.object.spec.template.spec || request.object.spec)';
export const CONTAINERS = `${POD_SPEC}.[ephemeralContainers, initContainers, containers][]`;

export const SERVICE_RESULT = 'atcrService';
// Also what a failed call gives: Kyverno loads the call lazily, and the failure turns the
// facts variable into this default rather than erroring the rule (deferred loading).
const NO_FACTS = 'no facts from the atcr-verify service for this image (the call failed, or its answer does not list the image)';

type Condition = { key: string; operator: 'Equals'; value: unknown };

export interface Rule {
  name: string;
  match: unknown;
  exclude?: unknown;
  context: unknown[];
  validate: {
    failureAction: 'Enforce' | 'Audit';
    message: string;
    foreach: {
      list: string;
      context: ContextVariable[];
      preconditions?: { all: Condition[] };
      deny: { conditions: { all: Condition[] } };
    }[];
  };
}

function ruleContext(target: RuleTarget): unknown[] {
  return [
    {
      name: SERVICE_RESULT,
      apiCall: {
        method: 'POST',
        service: { url: target.url, ...(target.caBundle !== undefined ? { caBundle: target.caBundle } : {}) },
        data: [{ key: 'images', value: `{{ ${CONTAINERS}.image }}` }],
      },
    },
    // One clock reading per rule: every check of the rule sees the same `now`.
    { name: NOW_VARIABLE, variable: { jmesPath: 'time_now_utc()' } },
  ];
}

const MATCH = {
  any: [{ resources: { kinds: WORKLOAD_KINDS, operations: ['CREATE', 'UPDATE'] } }],
};

// Kyverno refuses `element` in a rule outside `foreach` (the message included), so the
// message reads the image from a foreach variable instead.
const IMAGE_VARIABLE: ContextVariable = { name: 'atcrImage', variable: { jmesPath: 'element.image' } };

const FACTS_VARIABLE: ContextVariable = {
  name: FACTS,
  variable: { jmesPath: `lookup(${SERVICE_RESULT}.results, element.image)`, default: { parseError: NO_FACTS } },
};

function variable(name: string, jmesPath: string): ContextVariable {
  return { name, variable: { jmesPath } };
}

const is = (key: string, value: unknown): Condition => ({ key: `{{ ${key} }}`, operator: 'Equals', value });

function rule(
  name: string,
  target: RuleTarget,
  failureAction: Rule['validate']['failureAction'],
  message: string,
  context: ContextVariable[],
  preconditions: Condition[],
  deny: Condition[],
): Rule {
  for (const c of context) assertNoMarkers(c.variable.jmesPath, [NOW_VARIABLE]);
  return {
    name,
    match: MATCH,
    ...(target.excludedNamespaces.length > 0
      ? { exclude: { any: [{ resources: { namespaces: [...target.excludedNamespaces] } }] } }
      : {}),
    context: ruleContext(target),
    validate: {
      failureAction,
      message,
      foreach: [
        {
          list: CONTAINERS,
          context: [IMAGE_VARIABLE, ...context],
          ...(preconditions.length > 0 ? { preconditions: { all: preconditions } } : {}),
          deny: { conditions: { all: deny } },
        },
      ],
    },
  };
}

/** Denies images whose reference does not parse, whatever `unmatched` says. */
export function invalidImageRule(target: RuleTarget): Rule {
  const reason = `type(${FACTS}.parseError) == 'string' && ${FACTS}.parseError || ${strLit(NO_FACTS)}`;
  return rule(
    'invalid-image',
    target,
    'Enforce',
    'image {{ atcrImage }} is denied: {{ atcrParseError }}',
    [FACTS_VARIABLE, variable('atcrParseError', reason)],
    [],
    [is(`${FACTS}.parseError == ${strLit('')}`, false)],
  );
}

/** Images no policy applies to, for `unmatched: deny` (Enforce) or `audit` (Audit). */
export function unmatchedRule(target: RuleTarget, candidates: readonly Candidate[], whenText: ReadonlyMap<number, string>, action: 'deny' | 'audit'): Rule {
  return rule(
    'unmatched',
    target,
    action === 'deny' ? 'Enforce' : 'Audit',
    'no trust policy applies to image {{ atcrImage }}',
    [FACTS_VARIABLE, variable('atcrWinner', winnerExpression(candidates, whenText))],
    [is(`${FACTS}.parseError == ${strLit('')}`, true)],
    [is('atcrWinner', '')],
  );
}

/** `enforce` blocks; `audit` and `warn` are recorded (warn rules live in the policy that emits warnings). */
export function failureActionOf(action: Action): Rule['validate']['failureAction'] {
  return action === 'enforce' ? 'Enforce' : 'Audit';
}

/**
 * The IR policies of one action that require signatures: the rule applies when one of them
 * wins the image (the winner is computed once, over every policy) and denies when the
 * winner's requirements are not met.
 */
export function policyRule(
  target: RuleTarget,
  action: Action,
  policies: readonly IRPolicy[],
  candidates: readonly Candidate[],
  whenText: ReadonlyMap<number, string>,
): Rule {
  return rule(
    `policies-${action}`,
    target,
    failureActionOf(action),
    `image {{ atcrImage }} does not satisfy trust policy {{ atcrWinner }} (${action}): {{ atcrReasons }}`,
    [FACTS_VARIABLE, variable('atcrWinner', winnerExpression(candidates, whenText)), ...signatureVariables(policies)],
    [
      is(`contains(${strListLit(policies.map((p) => p.name))}, atcrWinner)`, true),
      // Kyverno warns on every result of an emitWarning policy that is not a skip, a pass
      // included ("rule passed", pkg/webhooks/utils/warning.go): the warn rule applies
      // only to the containers that fail, so an image satisfying its policy gets no warning.
      ...(action === 'warn' ? [is('atcrSatisfied', false)] : []),
    ],
    [is('atcrSatisfied', false)],
  );
}
