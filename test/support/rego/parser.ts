// A parser for Rego v1 (the part atcr-verify generates): rules with `if`, `else`,
// `contains`, functions, comprehensions, `some … in`, `not`, `with`. Anything outside it,
// or malformed, is a RegoSyntaxError with a line and column.

import type { Expr, Literal, Module, Rule, RuleBranch, Term } from './ast.js';
import { RegoSyntaxError, tokenize, type Token } from './lexer.js';

const KEYWORDS = new Set(['package', 'import', 'if', 'else', 'contains', 'some', 'in', 'not', 'default', 'with', 'as', 'every', 'true', 'false', 'null']);
const RELATIONS = new Set([':=', '=', '==', '!=', '<', '<=', '>', '>=']);

export function parseModule(source: string): Module {
  return new Parser(tokenize(source)).module();
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }
  private fail(message: string, t: Token = this.tok): never {
    throw new RegoSyntaxError(`${message} (found ${t.kind === 'eof' ? 'end of file' : JSON.stringify(t.text)})`, t.line, t.column);
  }
  private is(text: string, kind?: Token['kind']): boolean {
    const t = this.tok;
    return t.text === text && (kind ? t.kind === kind : t.kind === 'op' || t.kind === 'ident');
  }
  private accept(text: string): boolean {
    if (this.is(text)) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(text: string): Token {
    if (!this.is(text)) this.fail(`expected ${JSON.stringify(text)}`);
    return this.tokens[this.pos++]!;
  }
  private skipNewlines(): void {
    while (this.tok.kind === 'newline') this.pos++;
  }
  private ident(): string {
    const t = this.tok;
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) this.fail('expected a name');
    this.pos++;
    return t.text;
  }
  private endOfStatement(): void {
    if (this.tok.kind === 'eof') return;
    if (this.tok.kind !== 'newline') this.fail('expected the end of the line');
    this.skipNewlines();
  }

  module(): Module {
    this.skipNewlines();
    this.expect('package');
    const pkg = this.dottedName();
    this.endOfStatement();
    const imports: string[] = [];
    while (this.is('import')) {
      this.pos++;
      imports.push(this.dottedName());
      this.endOfStatement();
    }
    const rules: Rule[] = [];
    while (this.tok.kind !== 'eof') {
      rules.push(this.rule());
      this.endOfStatement();
    }
    return { package: pkg, imports, rules };
  }

  private dottedName(): string {
    const parts = [this.ident()];
    while (this.accept('.')) parts.push(this.ident());
    return parts.join('.');
  }

  private rule(): Rule {
    const line = this.tok.line;
    const isDefault = this.accept('default');
    const name = this.ident();
    let kind: Rule['kind'] = 'complete';
    let args: Term[] = [];
    if (this.accept('(')) {
      kind = 'function';
      args = this.termList(')');
    }
    let value: Term | null = null;
    if (this.accept('contains')) {
      if (kind !== 'complete') this.fail('a function cannot be a multi-value rule');
      kind = 'contains';
      value = this.term();
    } else if (this.accept(':=') || this.accept('=')) {
      value = this.term();
    }
    if (isDefault) {
      if (value === null) this.fail('a default rule needs a value');
      return { name, kind, isDefault, args, branches: [{ value, body: null }], line };
    }
    const branches: RuleBranch[] = [{ value, body: this.ruleBody() }];
    if (branches[0]!.body === null && value === null) this.fail('a rule needs a value or a body');
    while (this.is('else')) {
      if (kind === 'contains') this.fail('multi-value rules cannot have else');
      this.pos++;
      let v: Term | null = null;
      if (this.accept(':=') || this.accept('=')) v = this.term();
      branches.push({ value: v, body: this.ruleBody() });
    }
    return { name, kind, isDefault, args, branches, line };
  }

  /** `if { query }`, `if literal`, or nothing; a v0 body without `if` is an error. */
  private ruleBody(): Literal[] | null {
    if (this.is('{')) this.fail('rule bodies need the `if` keyword in Rego v1');
    if (!this.accept('if')) return null;
    if (this.accept('{')) {
      const body = this.query('}');
      this.expect('}');
      return body;
    }
    return [this.literal()];
  }

  /** Literals separated by newlines or `;`, up to (not including) `close`. */
  private query(close: string): Literal[] {
    const out: Literal[] = [];
    this.skipNewlines();
    while (!this.is(close)) {
      out.push(this.literal());
      if (this.is(close)) break;
      if (this.tok.kind !== 'newline' && !this.is(';')) this.fail('expected a new line or ";" between expressions');
      while (this.tok.kind === 'newline' || this.is(';')) this.pos++;
    }
    if (out.length === 0) this.fail('a body must not be empty');
    return out;
  }

  private literal(): Literal {
    const line = this.tok.line;
    if (this.accept('some')) {
      const vars = [this.term()];
      while (this.accept(',')) vars.push(this.term());
      let collection: Term | null = null;
      if (this.accept('in')) collection = this.term();
      else if (vars.some((v) => v.type !== 'var')) this.fail('`some` declares variables');
      if (collection && vars.length > 2) this.fail('`some … in` takes one or two variables');
      return { type: 'some', vars, collection, line };
    }
    if (this.is('every')) this.fail('`every` is not supported by this checker');
    const negated = this.accept('not');
    const expr = this.expr();
    const withs: { target: Term; value: Term }[] = [];
    while (this.accept('with')) {
      const target = this.term();
      this.expect('as');
      withs.push({ target, value: this.term() });
    }
    return { type: 'expr', expr, negated, withs, line };
  }

  private expr(): Expr {
    const left = this.term();
    if (this.accept(',')) {
      const value = this.term();
      this.expect('in');
      return { type: 'in', key: left, value, collection: this.term() };
    }
    if (this.accept('in')) return { type: 'in', key: null, value: left, collection: this.term() };
    const t = this.tok;
    if (t.kind === 'op' && RELATIONS.has(t.text)) {
      this.pos++;
      return { type: 'infix', op: t.text as Expr extends { op: infer O } ? O : never, left, right: this.term() } as Expr;
    }
    return { type: 'term', term: left };
  }

  /** A term, with arithmetic (`|` and `&` too, except as a comprehension separator). */
  term(noBar = false): Term {
    return this.binary(0, noBar);
  }

  private binary(level: number, noBar: boolean): Term {
    const levels = [['|'], ['&'], ['+', '-'], ['*', '/', '%']];
    if (level === levels.length) return this.unary();
    let left = this.binary(level + 1, noBar);
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'op' || !levels[level]!.includes(t.text) || (noBar && t.text === '|')) return left;
      this.pos++;
      const right = this.binary(level + 1, noBar);
      left = { type: 'binary', op: t.text as '+', left, right, line: t.line };
    }
  }

  private unary(): Term {
    const t = this.tok;
    if (this.accept('-')) {
      const arg = this.unary();
      if (arg.type === 'number') return { ...arg, text: `-${arg.text}` };
      return { type: 'neg', arg, line: t.line };
    }
    return this.postfix(this.primary());
  }

  private postfix(base: Term): Term {
    const path: Term[] = [];
    for (;;) {
      if (this.is('.') && this.tokens[this.pos + 1]?.kind === 'ident') {
        this.pos++;
        const t = this.tok;
        this.pos++;
        path.push({ type: 'scalar', value: t.text, line: t.line });
      } else if (this.is('[')) {
        this.pos++;
        this.skipNewlines();
        path.push(this.term());
        this.skipNewlines();
        this.expect(']');
      } else break;
    }
    return path.length === 0 ? base : { type: 'ref', base, path, line: base.line };
  }

  private primary(): Term {
    const t = this.tok;
    const line = t.line;
    if (t.kind === 'number') {
      this.pos++;
      return { type: 'number', text: t.text, line };
    }
    if (t.kind === 'string') {
      this.pos++;
      return { type: 'scalar', value: t.text, line };
    }
    if (t.kind === 'ident') {
      if (t.text === 'true' || t.text === 'false') {
        this.pos++;
        return { type: 'scalar', value: t.text === 'true', line };
      }
      if (t.text === 'null') {
        this.pos++;
        return { type: 'scalar', value: null, line };
      }
      // A dotted name directly followed by `(` is a call (`regex.match(…)`).
      let end = this.pos;
      const parts = [this.tokens[end]!.text];
      while (this.tokens[end + 1]?.text === '.' && this.tokens[end + 2]?.kind === 'ident') {
        parts.push(this.tokens[end + 2]!.text);
        end += 2;
      }
      if (this.tokens[end + 1]?.text === '(' && this.tokens[end + 1]?.kind === 'op') {
        // `contains` is a keyword in rule heads and also a built-in function.
        if (KEYWORDS.has(parts[0]!) && parts[0] !== 'contains') this.fail('a keyword cannot be called');
        this.pos = end + 2;
        return { type: 'call', name: parts.join('.'), args: this.termList(')'), line };
      }
      return { type: 'var', name: this.ident(), line };
    }
    if (this.accept('(')) {
      this.skipNewlines();
      const inner = this.term();
      this.skipNewlines();
      this.expect(')');
      return inner;
    }
    if (this.accept('[')) {
      this.skipNewlines();
      if (this.accept(']')) return { type: 'array', items: [], line };
      const head = this.term(true);
      this.skipNewlines();
      if (this.accept('|')) {
        const body = this.query(']');
        this.expect(']');
        return { type: 'arrayComp', head, body, line };
      }
      const items = [head];
      this.collectionRest(items, ']');
      return { type: 'array', items, line };
    }
    if (this.accept('{')) {
      this.skipNewlines();
      if (this.accept('}')) return { type: 'object', entries: [], line };
      const first = this.term(true);
      this.skipNewlines();
      if (this.accept(':')) {
        this.skipNewlines();
        const value = this.term(true);
        this.skipNewlines();
        if (this.accept('|')) {
          const body = this.query('}');
          this.expect('}');
          return { type: 'objectComp', key: first, value, body, line };
        }
        const entries: [Term, Term][] = [[first, value]];
        while (this.accept(',')) {
          this.skipNewlines();
          if (this.is('}')) break;
          const k = this.term();
          this.skipNewlines();
          this.expect(':');
          this.skipNewlines();
          entries.push([k, this.term()]);
          this.skipNewlines();
        }
        this.expect('}');
        return { type: 'object', entries, line };
      }
      if (this.accept('|')) {
        const body = this.query('}');
        this.expect('}');
        return { type: 'setComp', head: first, body, line };
      }
      const items = [first];
      this.collectionRest(items, '}');
      return { type: 'set', items, line };
    }
    return this.fail('expected a term');
  }

  /** `, item`* with optional trailing comma and free newlines, then `close`. */
  private collectionRest(items: Term[], close: string): void {
    this.skipNewlines();
    while (this.accept(',')) {
      this.skipNewlines();
      if (this.is(close)) break;
      items.push(this.term());
      this.skipNewlines();
    }
    this.expect(close);
  }

  private termList(close: string): Term[] {
    const items: Term[] = [];
    this.skipNewlines();
    if (this.accept(close)) return items;
    items.push(this.term());
    this.collectionRest(items, close);
    return items;
  }
}
