// A small model of Kyverno's admission processing for the constructs the generated
// ClusterPolicy uses: match by kind and operation, rule context (apiCall to a service,
// variables), validate.foreach with its own context, preconditions and deny conditions,
// `Equals` conditions, per-rule failureAction, emitWarning, and Kyverno's `{{ … }}`
// variable substitution including nested variables (kyverno pkg/engine/variables).
// Anything else in a policy makes the model throw, so a test cannot pass on a construct
// the model silently ignores.

import { kyvernoJmespath } from '../../support/kyverno-jmespath.js';

export type Service = (url: string, body: Record<string, unknown>) => unknown;

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  kind: string;
  object: unknown;
  /** The object's namespace ("" or absent for cluster-scoped requests). */
  namespace?: string;
}

export interface ElementTrace {
  element: unknown;
  /** Whether the foreach preconditions held. */
  applied: boolean;
  failed: boolean;
  message?: string;
  context: Record<string, unknown>;
}

export interface RuleResult {
  policy: string;
  rule: string;
  failureAction: 'Enforce' | 'Audit';
  emitWarning: boolean;
  status: 'pass' | 'fail' | 'skip' | 'error';
  messages: string[];
  error?: string;
  elements: ElementTrace[];
}

export interface Admission {
  allowed: boolean;
  warnings: string[];
  results: RuleResult[];
}

// Kyverno's variable and reference scanners (pkg/engine/variables/regex).
const VARIABLE = /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/g;
const REFERENCE = /^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)/;

type Search = (data: unknown, expression: string) => unknown;

/** SubstituteAll on one string: a string that is exactly one variable keeps the value's type. */
export function substitute(search: Search, ctx: unknown, text: string): unknown {
  if (REFERENCE.test(text)) throw new Error(`the model does not resolve $(…) references: ${text}`);
  let value = text;
  for (let matches = [...value.matchAll(VARIABLE)]; matches.length > 0; matches = [...value.matchAll(VARIABLE)]) {
    const original = value;
    for (const m of matches) {
      const variable = m[2]!;
      const expression = variable.split('{{').join('').split('}}').join('').trim();
      const result = search(ctx, expression);
      if (result === null || result === undefined) throw new Error(`variable ${expression} resolved to null`);
      if (original === variable) return result;
      const replacement = typeof result === 'string' ? result : JSON.stringify(result);
      value = value.replace(m[1]! + variable, () => m[1]! + replacement);
    }
  }
  return value;
}

function substituteDeep(search: Search, ctx: unknown, doc: unknown): unknown {
  if (typeof doc === 'string') return substitute(search, ctx, doc);
  if (Array.isArray(doc)) return doc.map((d) => substituteDeep(search, ctx, d));
  if (doc !== null && typeof doc === 'object') {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, substituteDeep(search, ctx, v)]));
  }
  return doc;
}

/** Kyverno's policy validation: `element` variables only under a foreach (validateElementInForEach). */
function checkElementScope(doc: unknown, path: string): void {
  if (typeof doc === 'string') {
    for (const m of doc.matchAll(VARIABLE)) {
      const variable = m[2]!.split('{{').join('').split('}}').join('').trim();
      if (variable.startsWith('element') && !path.includes('/foreach/')) {
        throw new Error(`variable '${variable}' present outside of foreach at path ${path}`);
      }
    }
  } else if (Array.isArray(doc)) doc.forEach((d, i) => checkElementScope(d, `${path}/${i}`));
  else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) checkElementScope(v, `${path}/${k}`);
  }
}

function only(obj: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new Error(`the model does not know ${where}.${k}`);
}

function loadContext(search: Search, service: Service, ctx: Record<string, unknown>, entries: unknown[]): void {
  for (const raw of entries) {
    const entry = raw as Record<string, any>;
    only(entry, ['name', 'apiCall', 'variable'], 'context[]');
    if (entry.apiCall) {
      only(entry.apiCall, ['method', 'service', 'data'], 'apiCall');
      if (entry.apiCall.method !== 'POST') throw new Error('the model only posts');
      const body: Record<string, unknown> = {};
      for (const d of entry.apiCall.data as { key: string; value: unknown }[]) body[d.key] = substituteDeep(search, ctx, d.value);
      // Deferred loading (Kyverno's default, toggle enableDeferredLoading): a failed call
      // fails only the expressions that read the entry, and a variable with a `default`
      // takes its default (pkg/engine/context/loaders/variable.go) instead of erroring.
      try {
        ctx[entry.name] = JSON.parse(JSON.stringify(service(entry.apiCall.service.url, body)));
      } catch {
        delete ctx[entry.name];
      }
    } else {
      only(entry.variable, ['jmesPath', 'default'], 'variable');
      const path = substitute(search, ctx, entry.variable.jmesPath);
      if (typeof path !== 'string') throw new Error('jmespath value must be a string');
      // A query that fails or gives null takes the default, if there is one.
      let value: unknown;
      try {
        value = search(ctx, path);
      } catch (err) {
        if (entry.variable.default === undefined) throw err;
      }
      if (value === null || value === undefined) value = entry.variable.default ?? null;
      if (value === null) throw new Error(`failed to add context entry for variable ${entry.name} since it evaluated to nil`);
      ctx[entry.name] = value;
    }
  }
}

function conditionsHold(search: Search, ctx: unknown, block: Record<string, any>): boolean {
  only(block, ['all', 'any'], 'conditions');
  const test = (c: Record<string, any>) => {
    only(c, ['key', 'operator', 'value'], 'condition');
    if (c.operator !== 'Equals') throw new Error(`the model does not know operator ${c.operator}`);
    if (typeof c.value === 'string' && /[*?]/.test(c.value)) throw new Error('the model does not match wildcards');
    return JSON.stringify(substituteDeep(search, ctx, c.key)) === JSON.stringify(substituteDeep(search, ctx, c.value));
  };
  const all = (block.all ?? []) as Record<string, any>[];
  const any = block.any as Record<string, any>[] | undefined;
  return all.every(test) && (any === undefined || any.some(test));
}

function runRule(
  search: Search,
  service: Service,
  request: AdmissionRequest,
  policyName: string,
  emitWarning: boolean,
  rule: Record<string, any>,
): RuleResult | null {
  only(rule, ['name', 'match', 'exclude', 'context', 'validate'], 'rule');
  const filters = (rule.match.any as { resources: { kinds: string[]; operations: string[] } }[]).map((a) => a.resources);
  if (!filters.some((r) => r.kinds.includes(request.kind) && r.operations.includes(request.operation))) return null;
  if (rule.exclude) {
    only(rule.exclude, ['any'], 'exclude');
    for (const e of rule.exclude.any as Record<string, any>[]) {
      only(e, ['resources'], 'exclude.any[]');
      only(e.resources, ['namespaces'], 'exclude.any[].resources');
      if ((e.resources.namespaces as string[]).includes(request.namespace ?? '')) return null;
    }
  }
  const validate = rule.validate as Record<string, any>;
  only(validate, ['failureAction', 'message', 'foreach'], 'validate');
  const result: RuleResult = {
    policy: policyName,
    rule: rule.name,
    failureAction: validate.failureAction,
    emitWarning,
    status: 'skip',
    messages: [],
    elements: [],
  };
  try {
    const ctx: Record<string, unknown> = { request: { operation: request.operation, object: request.object } };
    loadContext(search, service, ctx, rule.context ?? []);
    let applied = false;
    // validate_resource.go validateForEach / validateElements: null elements are passed
    // over, an element whose preconditions fail (or cannot be evaluated) is skipped, and the
    // first failing element ends the rule, its message prefixed "validation failure: ".
    foreachLoop: for (const foreach of validate.foreach as Record<string, any>[]) {
      only(foreach, ['list', 'context', 'preconditions', 'deny'], 'foreach');
      const list = search(ctx, foreach.list);
      if (!Array.isArray(list)) throw new Error('foreach list is not an array');
      for (const [elementIndex, element] of list.entries()) {
        if (element === null || element === undefined) continue;
        const ectx: Record<string, unknown> = { ...ctx, element, elementIndex };
        loadContext(search, service, ectx, foreach.context ?? []);
        const trace: ElementTrace = { element, applied: false, failed: false, context: ectx };
        result.elements.push(trace);
        let holds: boolean;
        try {
          holds = !foreach.preconditions || conditionsHold(search, ectx, foreach.preconditions);
        } catch {
          holds = false;
        }
        if (!holds) continue;
        trace.applied = applied = true;
        if (conditionsHold(search, ectx, foreach.deny.conditions)) {
          trace.failed = true;
          trace.message = `validation failure: ${String(substitute(search, ectx, validate.message))}`;
          result.messages.push(trace.message);
          break foreachLoop;
        }
      }
    }
    // A rule no element applied to gives no response at all (validateForEach returns nil).
    if (!applied) return null;
    result.status = result.messages.length > 0 ? 'fail' : 'pass';
  } catch (err) {
    result.status = 'error';
    result.error = (err as Error).message;
  }
  return result;
}

/** Runs every rule of every policy on one admission request. */
export function admit(policies: unknown[], request: AdmissionRequest, service: Service, now: string): Admission {
  const search = kyvernoJmespath(() => now);
  const results: RuleResult[] = [];
  for (const raw of policies) {
    const doc = raw as Record<string, any>;
    if (doc.apiVersion !== 'kyverno.io/v1' || doc.kind !== 'ClusterPolicy') throw new Error('not a ClusterPolicy');
    for (const rule of doc.spec.rules as Record<string, any>[]) {
      checkElementScope(rule, '');
      const r = runRule(search, service, request, doc.metadata.name, doc.spec.emitWarning === true, rule);
      if (r) results.push(r);
    }
  }
  // BlockRequest (pkg/utils/engine/response.go): a failed Enforce rule, or any rule error in
  // a policy with failurePolicy Fail. Only policies with an Enforce rule are evaluated in the
  // blocking path (policycache ValidateEnforce); audit-only policies never block.
  const docs = policies as Record<string, any>[];
  const enforcing = new Set(docs.filter((d) => (d.spec.rules as Record<string, any>[]).some((r) => r.validate?.failureAction === 'Enforce')).map((d) => d.metadata.name as string));
  const failClosed = new Set(
    docs.filter((d) => (d.spec.webhookConfiguration?.failurePolicy ?? d.spec.failurePolicy ?? 'Fail') === 'Fail').map((d) => d.metadata.name as string),
  );
  const blocked = results.some(
    (r) => (r.failureAction === 'Enforce' && r.status === 'fail') || (r.status === 'error' && enforcing.has(r.policy) && failClosed.has(r.policy)),
  );
  // GetWarningMessages (pkg/webhooks/utils/warning.go): every result of an emitWarning
  // policy that is not a skip, passes included.
  const warnings = results
    .filter((r) => r.emitWarning && r.status !== 'skip')
    .map((r) => `policy ${r.policy}.${r.rule}: ${r.status === 'pass' ? 'rule passed' : r.status === 'error' ? r.error : r.messages[0]}`);
  return { allowed: !blocked, warnings, results };
}
