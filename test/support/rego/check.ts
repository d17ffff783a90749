// Static checks OPA's compiler makes that a parser does not: every variable is bound
// before it is read (safety), every name refers to something (a local, a rule of the
// package, input/data), every call names a rule, a `data.` function or a known built-in.
// Evaluation order is left to right, as our generated bodies are written.

import type { Expr, Literal, Module, Term } from './ast.js';
import { BUILTINS } from './builtins.js';

export interface CheckIssue {
  rule: string;
  line: number;
  message: string;
}

/** Checks a module; `extraBuiltins` adds host functions (e.g. Gatekeeper's external_data). */
export function checkModule(m: Module, extraBuiltins: string[] = []): CheckIssue[] {
  const issues: CheckIssue[] = [];
  const rules = new Set(m.rules.map((r) => r.name));
  const builtins = new Set([...Object.keys(BUILTINS), ...extraBuiltins]);
  for (const rule of m.rules) {
    const report = (line: number, message: string): void => {
      issues.push({ rule: rule.name, line, message });
    };
    const params = new Set<string>();
    for (const a of rule.args) collectVars(a, params);
    for (const branch of rule.branches) {
      const bound = new Set(params);
      if (branch.body) checkBody(branch.body, bound);
      if (branch.value) checkTerm(branch.value, bound);
    }

    function isKnown(name: string, bound: Set<string>): boolean {
      return bound.has(name) || rules.has(name) || name === 'input' || name === 'data';
    }

    function checkBody(body: Literal[], bound: Set<string>): void {
      for (const lit of body) {
        if (lit.type === 'some') {
          if (lit.collection) checkTerm(lit.collection, bound);
          for (const v of lit.vars) collectVars(v, bound);
          continue;
        }
        for (const w of lit.withs) checkTerm(w.value, bound);
        checkExpr(lit.expr, bound, lit.line, lit.negated);
      }
    }

    function checkExpr(e: Expr, bound: Set<string>, line: number, negated: boolean): void {
      if (e.type === 'term') return checkTerm(e.term, bound);
      if (e.type === 'in') {
        if (e.key) checkTerm(e.key, bound);
        checkTerm(e.value, bound);
        return checkTerm(e.collection, bound);
      }
      if (e.op === ':=') {
        if (negated) report(line, '`not` cannot assign');
        checkTerm(e.right, bound);
        if (e.left.type !== 'var' && e.left.type !== 'array') report(line, '`:=` assigns to variables or arrays of variables');
        const assigned = new Set<string>();
        collectVars(e.left, assigned);
        for (const name of assigned) if (bound.has(name)) report(line, `var ${name} assigned above`);
        return collectVars(e.left, bound);
      }
      const unbound = (t: Term) => t.type === 'var' && t.name !== '_' && !isKnown(t.name, bound);
      if (e.op === '=' && (unbound(e.left) || unbound(e.right))) {
        const [target, source] = unbound(e.left) ? [e.left, e.right] : [e.right, e.left];
        checkTerm(source, bound);
        return collectVars(target, bound);
      }
      checkTerm(e.left, bound);
      checkTerm(e.right, bound);
    }

    function checkTerm(t: Term, bound: Set<string>): void {
      switch (t.type) {
        case 'scalar':
        case 'number':
          return;
        case 'var':
          if (t.name === '_') return report(t.line, '`_` cannot be read');
          if (!isKnown(t.name, bound)) report(t.line, `${t.name} is unsafe or undefined`);
          return;
        case 'ref':
          checkTerm(t.base, bound);
          for (const s of t.path) checkTerm(s, bound);
          return;
        case 'call':
          if (!t.name.startsWith('data.') && !(rules.has(t.name) && !t.name.includes('.')) && !builtins.has(t.name)) {
            report(t.line, `unknown function ${t.name}`);
          }
          for (const a of t.args) checkTerm(a, bound);
          return;
        case 'array':
        case 'set':
          for (const x of t.items) checkTerm(x, bound);
          return;
        case 'object':
          for (const [k, v] of t.entries) {
            checkTerm(k, bound);
            checkTerm(v, bound);
          }
          return;
        case 'arrayComp':
        case 'setComp': {
          const inner = new Set(bound);
          checkBody(t.body, inner);
          return checkTerm(t.head, inner);
        }
        case 'objectComp': {
          const inner = new Set(bound);
          checkBody(t.body, inner);
          checkTerm(t.key, inner);
          return checkTerm(t.value, inner);
        }
        case 'binary':
          checkTerm(t.left, bound);
          return checkTerm(t.right, bound);
        case 'neg':
          return checkTerm(t.arg, bound);
      }
    }
  }
  return issues;
}

function collectVars(t: Term, into: Set<string>): void {
  if (t.type === 'var') {
    if (t.name !== '_') into.add(t.name);
  } else if (t.type === 'array') {
    for (const x of t.items) collectVars(x, into);
  }
}
