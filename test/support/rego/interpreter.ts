// A small Rego interpreter for the subset atcr-verify generates, so tests can evaluate
// the generated modules without `opa`. It follows OPA where our modules depend on it:
// undefined vs false, `else` chains, conflicts between rule values (an error, as in OPA),
// iteration order (arrays by index, objects and sets sorted), exact integers.

import type { Expr, Literal, Module, Rule, RuleBranch, Term } from './ast.js';
import { BUILTINS, type Builtin } from './builtins.js';
import { parseModule } from './parser.js';
import { canon, compare, equal, fromJSON, RObject, RSet, toJSON, type Value } from './values.js';

export class RegoEvalError extends Error {
  override name = 'RegoEvalError';
}

type Env = Map<string, Value>;

interface Ctx {
  input: Value | undefined;
  cache: Map<string, Value | undefined>;
  active: Set<string>;
  builtins: Record<string, Builtin>;
}

export interface EvalOptions {
  /** Extra or replacement built-ins (e.g. a stub `external_data`, a fixed `time.now_ns`). */
  builtins?: Record<string, Builtin>;
}

export class RegoProgram {
  private readonly packages = new Map<string, Map<string, Rule[]>>();

  constructor(sources: string[]) {
    for (const source of sources) this.add(parseModule(source));
  }

  private add(m: Module): void {
    const rules = this.packages.get(m.package) ?? new Map<string, Rule[]>();
    for (const r of m.rules) rules.set(r.name, [...(rules.get(r.name) ?? []), r]);
    this.packages.set(m.package, rules);
  }

  /** Evaluates `data.<pkg>.<rule>`; the result is JSON, or undefined when the rule is. */
  evaluate(ref: string, input: unknown, opts: EvalOptions = {}): unknown {
    const v = this.evaluateValue(ref, input, opts);
    return v === undefined ? undefined : toJSON(v);
  }

  /** Like `evaluate`, as a Rego value (integers stay exact bigints). */
  evaluateValue(ref: string, input: unknown, opts: EvalOptions = {}): Value | undefined {
    const parts = ref.split('.');
    if (parts[0] !== 'data' || parts.length < 3) throw new RegoEvalError(`query must be data.<package>.<rule>: ${ref}`);
    const ctx: Ctx = {
      input: input === undefined ? undefined : fromJSON(input),
      cache: new Map(),
      active: new Set(),
      builtins: { ...BUILTINS, ...opts.builtins },
    };
    return this.rule(parts.slice(1, -1).join('.'), parts[parts.length - 1]!, ctx);
  }

  // -------------------------------------------------------------------------
  // Rules

  private rulesOf(pkg: string, name: string): Rule[] | undefined {
    return this.packages.get(pkg)?.get(name);
  }

  private rule(pkg: string, name: string, ctx: Ctx): Value | undefined {
    const key = `${pkg}.${name}`;
    if (ctx.cache.has(key)) return ctx.cache.get(key);
    const defs = this.rulesOf(pkg, name);
    if (!defs) throw new RegoEvalError(`unknown rule data.${key}`);
    if (ctx.active.has(key)) throw new RegoEvalError(`recursion through data.${key}`);
    ctx.active.add(key);
    let result: Value | undefined;
    if (defs[0]!.kind === 'contains') {
      const set = new RSet();
      for (const def of defs) {
        for (const env of this.query(def.branches[0]!.body ?? [], new Map(), ctx, pkg)) {
          const v = this.term(def.branches[0]!.value!, env, ctx, pkg);
          if (v !== undefined) set.add(v);
        }
      }
      result = set;
    } else if (defs[0]!.kind === 'complete') {
      result = this.merge(
        defs.filter((d) => !d.isDefault).map((d) => this.branches(d.branches, new Map(), ctx, pkg)),
        `rule data.${key}`,
      );
      const fallback = defs.find((d) => d.isDefault);
      if (result === undefined && fallback) result = this.term(fallback.branches[0]!.value!, new Map(), ctx, pkg);
    } else {
      throw new RegoEvalError(`data.${key} is a function; call it`);
    }
    ctx.active.delete(key);
    ctx.cache.set(key, result);
    return result;
  }

  private call(pkg: string, name: string, args: Value[], ctx: Ctx): Value | undefined {
    const defs = this.rulesOf(pkg, name)!;
    const key = `${pkg}.${name}(${args.map(canon).join(',')})`;
    if (ctx.cache.has(key)) return ctx.cache.get(key);
    const values: (Value | undefined)[] = [];
    for (const def of defs) {
      if (def.kind !== 'function') throw new RegoEvalError(`data.${pkg}.${name} is not a function`);
      if (def.args.length !== args.length) throw new RegoEvalError(`data.${pkg}.${name} called with ${args.length} arguments`);
      let env: Env | null = new Map();
      for (let i = 0; i < args.length && env; i++) env = this.match(def.args[i]!, args[i]!, env, ctx, pkg);
      if (env) values.push(this.branches(def.branches, env, ctx, pkg));
    }
    const result = this.merge(values, `function data.${pkg}.${name}`);
    ctx.cache.set(key, result);
    return result;
  }

  /** Definitions that are defined must agree (OPA: eval_conflict_error). */
  private merge(values: (Value | undefined)[], what: string): Value | undefined {
    let result: Value | undefined;
    for (const v of values) {
      if (v === undefined) continue;
      if (result !== undefined && !equal(result, v)) throw new RegoEvalError(`${what} produced conflicting values`);
      result = v;
    }
    return result;
  }

  /** The first branch (rule, then its `else`s) whose body has a solution gives the value. */
  private branches(branches: RuleBranch[], env: Env, ctx: Ctx, pkg: string): Value | undefined {
    for (const b of branches) {
      const solutions = b.body ? [...this.query(b.body, env, ctx, pkg)] : [env];
      if (solutions.length === 0) continue;
      const values = solutions.map((s) => (b.value ? this.term(b.value, s, ctx, pkg) : true));
      return this.merge(values, 'rule body');
    }
    return undefined;
  }

  /** Binds a pattern (function parameter, `:=` target) to a value; null when it does not match. */
  private match(pattern: Term, value: Value, env: Env, ctx: Ctx, pkg: string): Env | null {
    if (pattern.type === 'var') {
      if (pattern.name === '_') return env;
      const bound = env.get(pattern.name);
      if (bound !== undefined) return equal(bound, value) ? env : null;
      return new Map(env).set(pattern.name, value);
    }
    if (pattern.type === 'array') {
      if (!Array.isArray(value) || value.length !== pattern.items.length) return null;
      let e: Env | null = env;
      for (let i = 0; i < value.length && e; i++) e = this.match(pattern.items[i]!, value[i]!, e, ctx, pkg);
      return e;
    }
    const v = this.term(pattern, env, ctx, pkg);
    return v !== undefined && equal(v, value) ? env : null;
  }

  // -------------------------------------------------------------------------
  // Bodies

  private *query(body: Literal[], env: Env, ctx: Ctx, pkg: string, i = 0): Generator<Env> {
    if (i === body.length) {
      yield env;
      return;
    }
    for (const next of this.literal(body[i]!, env, ctx, pkg)) yield* this.query(body, next, ctx, pkg, i + 1);
  }

  private *literal(lit: Literal, env: Env, ctx: Ctx, pkg: string): Generator<Env> {
    if (lit.type === 'some') {
      if (!lit.collection) {
        yield env;
        return;
      }
      const coll = this.term(lit.collection, env, ctx, pkg);
      for (const [k, v] of iterate(coll)) {
        // `some x in xs` declares fresh variables: they shadow any outer binding.
        let e: Env | null = env;
        if (lit.vars.length === 2) {
          e = this.bindFresh(lit.vars[0]!, k, env, ctx, pkg);
          if (e) e = this.bindFresh(lit.vars[1]!, v, e, ctx, pkg);
        } else {
          e = this.bindFresh(lit.vars[0]!, v, env, ctx, pkg);
        }
        if (e) yield e;
      }
      return;
    }
    let c = ctx;
    for (const w of lit.withs) {
      if (w.target.type !== 'var' || w.target.name !== 'input') throw new RegoEvalError('only `with input as …` is supported');
      c = { ...ctx, input: this.term(w.value, env, ctx, pkg), cache: new Map(), active: new Set() };
    }
    if (lit.negated) {
      // OPA hoists reference arguments of a call out of `not` (`not f(input.x)` is
      // `__local0__ = input.x; not f(__local0__)`): an undefined one fails the literal.
      if (lit.expr.type === 'term' && lit.expr.term.type === 'call') {
        for (const a of lit.expr.term.args) if (a.type === 'ref' && this.term(a, env, c, pkg) === undefined) return;
      }
      const any = this.expr(lit.expr, env, c, pkg).next();
      if (any.done) yield env;
      return;
    }
    yield* this.expr(lit.expr, env, c, pkg);
  }

  private bindFresh(pattern: Term, value: Value, env: Env, ctx: Ctx, pkg: string): Env | null {
    if (pattern.type === 'var') return pattern.name === '_' ? env : new Map(env).set(pattern.name, value);
    return this.match(pattern, value, env, ctx, pkg);
  }

  private *expr(e: Expr, env: Env, ctx: Ctx, pkg: string): Generator<Env> {
    if (e.type === 'term') {
      const v = this.term(e.term, env, ctx, pkg);
      if (v !== undefined && v !== false) yield env;
      return;
    }
    if (e.type === 'in') {
      const coll = this.term(e.collection, env, ctx, pkg);
      const value = this.term(e.value, env, ctx, pkg);
      const key = e.key ? this.term(e.key, env, ctx, pkg) : undefined;
      if (value === undefined || (e.key && key === undefined)) return;
      for (const [k, v] of iterate(coll)) {
        if (equal(v, value) && (key === undefined || equal(k, key))) {
          yield env;
          return;
        }
      }
      return;
    }
    if (e.op === ':=') {
      const v = this.term(e.right, env, ctx, pkg);
      if (v === undefined) return;
      const bound = this.assign(e.left, v, env);
      if (bound) yield bound;
      return;
    }
    if (e.op === '=') {
      const unbound = (t: Term): boolean => t.type === 'var' && t.name !== '_' && !env.has(t.name) && !this.isGlobal(t.name, pkg);
      if (unbound(e.left) || unbound(e.right)) {
        const [target, source] = unbound(e.left) ? [e.left, e.right] : [e.right, e.left];
        const v = this.term(source, env, ctx, pkg);
        if (v !== undefined) yield new Map(env).set((target as { name: string }).name, v);
        return;
      }
    }
    const l = this.term(e.left, env, ctx, pkg);
    const r = this.term(e.right, env, ctx, pkg);
    if (l === undefined || r === undefined) return;
    const c = compare(l, r);
    const ok =
      e.op === '==' || e.op === '='
        ? c === 0
        : e.op === '!='
          ? c !== 0
          : // Ordering operators compare values of any type by OPA's total order.
            e.op === '<'
            ? c < 0
            : e.op === '<='
              ? c <= 0
              : e.op === '>'
                ? c > 0
                : c >= 0;
    if (ok) yield env;
  }

  private assign(pattern: Term, value: Value, env: Env): Env | null {
    if (pattern.type === 'var') return pattern.name === '_' ? env : new Map(env).set(pattern.name, value);
    if (pattern.type === 'array') {
      if (!Array.isArray(value) || value.length !== pattern.items.length) return null;
      let e: Env | null = env;
      for (let i = 0; i < value.length && e; i++) e = this.assign(pattern.items[i]!, value[i]!, e);
      return e;
    }
    throw new RegoEvalError('`:=` assigns to variables or arrays of variables');
  }

  private isGlobal(name: string, pkg: string): boolean {
    return name === 'input' || name === 'data' || this.rulesOf(pkg, name) !== undefined;
  }

  // -------------------------------------------------------------------------
  // Terms

  private term(t: Term, env: Env, ctx: Ctx, pkg: string): Value | undefined {
    switch (t.type) {
      case 'scalar':
        return t.value;
      case 'number':
        return /^-?[0-9]+$/u.test(t.text) ? BigInt(t.text) : fromJSON(Number(t.text));
      case 'var':
        return this.variable(t.name, env, ctx, pkg);
      case 'ref':
        return this.ref(t, env, ctx, pkg);
      case 'call':
        return this.callTerm(t.name, t.args, env, ctx, pkg);
      case 'array': {
        const items = t.items.map((x) => this.term(x, env, ctx, pkg));
        return items.includes(undefined) ? undefined : (items as Value[]);
      }
      case 'set': {
        const s = new RSet();
        for (const x of t.items) {
          const v = this.term(x, env, ctx, pkg);
          if (v === undefined) return undefined;
          s.add(v);
        }
        return s;
      }
      case 'object': {
        const o = new RObject();
        for (const [k, x] of t.entries) {
          const kv = this.term(k, env, ctx, pkg);
          const v = this.term(x, env, ctx, pkg);
          if (kv === undefined || v === undefined) return undefined;
          o.set(kv, v);
        }
        return o;
      }
      case 'arrayComp':
        return [...this.query(t.body, env, ctx, pkg)].flatMap((s) => {
          const v = this.term(t.head, s, ctx, pkg);
          return v === undefined ? [] : [v];
        });
      case 'setComp': {
        const s = new RSet();
        for (const sol of this.query(t.body, env, ctx, pkg)) {
          const v = this.term(t.head, sol, ctx, pkg);
          if (v !== undefined) s.add(v);
        }
        return s;
      }
      case 'objectComp': {
        const o = new RObject();
        for (const sol of this.query(t.body, env, ctx, pkg)) {
          const k = this.term(t.key, sol, ctx, pkg);
          const v = this.term(t.value, sol, ctx, pkg);
          if (k === undefined || v === undefined) continue;
          const prev = o.get(k);
          if (prev !== undefined && !equal(prev, v)) throw new RegoEvalError('object comprehension with conflicting keys');
          o.set(k, v);
        }
        return o;
      }
      case 'binary':
        return arithmetic(t.op, this.term(t.left, env, ctx, pkg), this.term(t.right, env, ctx, pkg));
      case 'neg':
        return arithmetic('-', 0n, this.term(t.arg, env, ctx, pkg));
    }
  }

  private variable(name: string, env: Env, ctx: Ctx, pkg: string): Value | undefined {
    if (name === '_') throw new RegoEvalError('`_` cannot be read');
    if (env.has(name)) return env.get(name)!;
    if (name === 'input') return ctx.input;
    if (name === 'data') throw new RegoEvalError('`data` must be followed by a path');
    if (this.rulesOf(pkg, name)) return this.rule(pkg, name, ctx);
    throw new RegoEvalError(`unknown name ${name} in package ${pkg}`);
  }

  private ref(t: Extract<Term, { type: 'ref' }>, env: Env, ctx: Ctx, pkg: string): Value | undefined {
    let steps = t.path;
    let value: Value | undefined;
    if (t.base.type === 'var' && t.base.name === 'data' && !env.has('data')) {
      // data.<package>.<rule>: the longest package prefix that names a rule.
      const names: string[] = [];
      for (const s of steps) {
        if (s.type !== 'scalar' || typeof s.value !== 'string') break;
        names.push(s.value);
      }
      let found = -1;
      for (let n = names.length - 1; n >= 1; n--) {
        if (this.rulesOf(names.slice(0, n).join('.'), names[n]!)) {
          found = n;
          break;
        }
      }
      if (found < 0) throw new RegoEvalError(`unknown reference data.${names.join('.')}`);
      value = this.rule(names.slice(0, found).join('.'), names[found]!, ctx);
      steps = steps.slice(found + 1);
    } else {
      value = this.term(t.base, env, ctx, pkg);
    }
    for (const s of steps) {
      if (value === undefined) return undefined;
      if (s.type === 'var' && s.name !== '_' && !env.has(s.name) && !this.isGlobal(s.name, pkg)) {
        throw new RegoEvalError(`unbound variable ${s.name} in a reference (use some … in)`);
      }
      const key = this.term(s, env, ctx, pkg);
      if (key === undefined) return undefined;
      value = index(value, key);
    }
    return value;
  }

  private callTerm(name: string, argTerms: Term[], env: Env, ctx: Ctx, pkg: string): Value | undefined {
    const args = argTerms.map((a) => this.term(a, env, ctx, pkg));
    if (name.startsWith('data.')) {
      const parts = name.split('.').slice(1);
      const fpkg = parts.slice(0, -1).join('.');
      if (!this.rulesOf(fpkg, parts[parts.length - 1]!)) throw new RegoEvalError(`unknown function ${name}`);
      return args.includes(undefined) ? undefined : this.call(fpkg, parts[parts.length - 1]!, args as Value[], ctx);
    }
    if (!name.includes('.') && this.rulesOf(pkg, name)) {
      return args.includes(undefined) ? undefined : this.call(pkg, name, args as Value[], ctx);
    }
    const builtin = ctx.builtins[name];
    if (!builtin) throw new RegoEvalError(`unknown function ${name}`);
    return args.includes(undefined) ? undefined : builtin(args as Value[]);
  }
}

/** Elements as [key, value]: arrays by index, objects by sorted key, sets sorted. */
function iterate(coll: Value | undefined): [Value, Value][] {
  if (Array.isArray(coll)) return coll.map((v, i) => [BigInt(i), v]);
  if (coll instanceof RObject) return [...coll.entries.values()].sort((a, b) => compare(a[0], b[0]));
  if (coll instanceof RSet) return [...coll.items.values()].sort(compare).map((v) => [v, v]);
  return [];
}

function index(value: Value, key: Value): Value | undefined {
  if (value instanceof RObject) return value.get(key);
  if (Array.isArray(value)) {
    if (typeof key !== 'bigint' || key < 0n || key >= BigInt(value.length)) return undefined;
    return value[Number(key)];
  }
  if (value instanceof RSet) return value.has(key) ? key : undefined;
  return undefined;
}

function arithmetic(op: string, a: Value | undefined, b: Value | undefined): Value | undefined {
  const num = (v: Value | undefined): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';
  if (!num(a) || !num(b)) return undefined;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      case '%':
        return b === 0n ? undefined : a % b;
      case '/':
        return b === 0n ? undefined : fromJSON(Number(a) / Number(b));
    }
    return undefined;
  }
  const x = Number(a);
  const y = Number(b);
  const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' && y !== 0 ? x / y : undefined;
  return r === undefined ? undefined : fromJSON(r);
}

export { parseModule };
