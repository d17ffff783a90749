// The type checker: syntax tree → typed IRExpr, or diagnostics. Every error is reported
// (not just the first); a subtree that already failed yields null, and its parents stay
// quiet about it so one mistake gives one message.

import { compileScope } from '../glob/glob.js';
import { PATH_TYPES, type CompareOp, type ExprType, type IRExpr } from '../ir/types.js';
import type { ExprContext, ExprDiagnostic, ExprRule } from './diagnostic.js';
import { parseDuration } from './duration.js';
import { isPathName, isSignatureName, nearestName } from './names.js';
import type { Span, SyntaxNode } from './syntax.js';

const TYPE_WORDS: Readonly<Record<ExprType, string>> = {
  string: 'a string',
  number: 'a number',
  bool: 'a condition (true or false)',
  duration: 'a duration',
  list: 'a list',
};

export function checkTree(tree: SyntaxNode, context: ExprContext, text: string): { expr: IRExpr | null; diagnostics: ExprDiagnostic[] } {
  const checker = new Checker(context, text);
  let expr = checker.check(tree);
  if (expr && expr.type !== 'bool') {
    checker.report('expr-type', tree, `an expression must be a condition (true or false), but this is ${TYPE_WORDS[expr.type]}`);
    expr = null;
  }
  const diagnostics = checker.diagnostics.sort((a, b) => a.offset - b.offset);
  return { expr: diagnostics.length === 0 ? expr : null, diagnostics };
}

class Checker {
  readonly diagnostics: ExprDiagnostic[] = [];

  constructor(
    private readonly context: ExprContext,
    private readonly text: string,
  ) {}

  report(rule: ExprRule, span: Span, message: string): null {
    this.diagnostics.push({ rule, message, offset: span.start, length: span.end - span.start });
    return null;
  }

  check(node: SyntaxNode): IRExpr | null {
    switch (node.kind) {
      case 'string':
        return { kind: 'string', type: 'string', value: node.value };
      case 'number': {
        const value = Number(node.text);
        if (!Number.isFinite(value)) return this.report('expr-syntax', node, 'this number is too large');
        return { kind: 'number', type: 'number', value };
      }
      case 'duration': {
        const d = parseDuration(node.text);
        if ('error' in d) return this.report('invalid-duration', node, d.error);
        return { kind: 'duration', type: 'duration', seconds: d.seconds };
      }
      case 'bool':
        return { kind: 'bool', type: 'bool', value: node.value };
      case 'list':
        return this.list(node);
      case 'path':
        return this.path(node);
      case 'paren':
        return this.check(node.inner);
      case 'not': {
        const arg = this.check(node.arg);
        if (!arg || !this.expectBool(arg, node.arg, '"not"')) return null;
        return { kind: 'not', type: 'bool', arg };
      }
      case 'and':
      case 'or': {
        const args = node.args.map((a) => this.check(a));
        let ok = true;
        args.forEach((a, i) => {
          if (!a || !this.expectBool(a, node.args[i]!, `"${node.kind}"`)) ok = false;
        });
        return ok ? { kind: node.kind, type: 'bool', args: args as IRExpr[] } : null;
      }
      case 'binary':
        return this.binary(node);
    }
  }

  private expectBool(e: IRExpr, span: Span, what: string): boolean {
    if (e.type === 'bool') return true;
    this.report('expr-type', span, `${what} works on conditions (true or false), but this is ${TYPE_WORDS[e.type]}`);
    return false;
  }

  private list(node: Extract<SyntaxNode, { kind: 'list' }>): IRExpr | null {
    let ok = true;
    const items: IRExpr[] = [];
    for (const itemNode of node.items) {
      const item = this.check(itemNode);
      if (!item) {
        ok = false;
      } else if (item.type !== 'string') {
        this.report('expr-type', itemNode, `list items must be strings, but this is ${TYPE_WORDS[item.type]}`);
        ok = false;
      } else {
        items.push(item);
      }
    }
    return ok ? { kind: 'list', type: 'list', items } : null;
  }

  private path(node: Extract<SyntaxNode, { kind: 'path' }>): IRExpr | null {
    const name = node.name;
    if (this.context === 'when' && isSignatureName(name)) {
      return this.report(
        'signature-in-when',
        node,
        `"${name}" is about a signature and cannot be used in "when", which selects images; use it in "require.expr"`,
      );
    }
    if (!isPathName(name)) {
      return this.report('expr-type', node, unknownNameMessage(name, this.context === 'require'));
    }
    return { kind: 'path', type: PATH_TYPES[name], path: name };
  }

  private binary(node: Extract<SyntaxNode, { kind: 'binary' }>): IRExpr | null {
    const left = this.check(node.left);
    const right = node.op === 'matches' ? null : this.check(node.right);
    if (node.op === 'matches') return this.matches(node, left);
    if (!left || !right) return null;
    const op = `"${node.op}"`;
    switch (node.op) {
      case '==':
      case '!=':
        if (left.type !== right.type) {
          return this.report('expr-type', node.right, `${op} compares values of the same type: the left side is ${TYPE_WORDS[left.type]}, this is ${TYPE_WORDS[right.type]}`);
        }
        return this.compare(node.op, left, right);
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (left.type !== 'number' && left.type !== 'duration') {
          return this.report('expr-type', node.left, `${op} needs two numbers or two durations, but this is ${TYPE_WORDS[left.type]}`);
        }
        if (right.type !== left.type) {
          const hint = left.type === 'duration' && right.type === 'number' ? ' (write a duration such as 30d)' : '';
          return this.report('expr-type', node.right, `${op} needs two numbers or two durations: the left side is ${TYPE_WORDS[left.type]}, this is ${TYPE_WORDS[right.type]}${hint}`);
        }
        return this.compare(node.op, left, right);
      case 'in': {
        const okLeft = this.expectType(left, 'string', node.left, `the left side of ${op} must be a string`);
        const okRight = this.expectType(right, 'list', node.right, `the right side of ${op} must be a list of strings`);
        return okLeft && okRight ? { kind: 'in', type: 'bool', left, right } : null;
      }
      case 'startsWith':
      case 'endsWith': {
        const okLeft = this.expectType(left, 'string', node.left, `${op} needs two strings`);
        const okRight = this.expectType(right, 'string', node.right, `${op} needs two strings`);
        return okLeft && okRight ? { kind: node.op, type: 'bool', left, right } : null;
      }
    }
  }

  private compare(op: CompareOp, left: IRExpr, right: IRExpr): IRExpr {
    return { kind: 'compare', type: 'bool', op, operandType: left.type, left, right };
  }

  private expectType(e: IRExpr, type: ExprType, span: Span, what: string): boolean {
    if (e.type === type) return true;
    this.report('expr-type', span, `${what}, but this is ${TYPE_WORDS[e.type]}`);
    return false;
  }

  /** `matches` takes its glob from a string literal, compiled now like a scope glob. */
  private matches(node: Extract<SyntaxNode, { kind: 'binary' }>, left: IRExpr | null): IRExpr | null {
    const okLeft = left !== null && this.expectType(left, 'string', node.left, '"matches" needs a string on the left');
    const globNode = node.right.kind === 'paren' ? unwrap(node.right) : node.right;
    if (globNode.kind !== 'string') {
      // Still check it, so a misspelt name is reported as such.
      const right = this.check(node.right);
      if (right) this.report('expr-type', node.right, '"matches" needs a glob written as a string literal, e.g. image.tag matches "v*"');
      return null;
    }
    const compiled = compileScope(globNode.value);
    if ('error' in compiled) {
      return this.report('invalid-scope', this.globErrorSpan(globNode, compiled.error.offset), `invalid glob for "matches": ${compiled.error.message}`);
    }
    if (!okLeft || !left) return null;
    return { kind: 'matches', type: 'bool', left, glob: compiled.scope.glob, regex: compiled.scope.regex };
  }

  /** The offending character of a glob inside its string literal (escapes are two characters). */
  private globErrorSpan(str: Span, valueOffset: number): Span {
    const raw = this.text.slice(str.start + 1, str.end - 1);
    let value = 0;
    for (let i = 0; i < raw.length; ) {
      const width = raw[i] === '\\' ? 2 : 1;
      if (value === valueOffset) {
        const cp = raw.codePointAt(i)!;
        const len = width === 2 ? 2 : cp > 0xffff ? 2 : 1;
        return { start: str.start + 1 + i, end: str.start + 1 + i + len };
      }
      i += width;
      value += 1;
    }
    return str;
  }
}

function unwrap(node: SyntaxNode): SyntaxNode {
  return node.kind === 'paren' ? unwrap(node.inner) : node;
}

function unknownNameMessage(name: string, allowSignature: boolean): string {
  if (name === 'image') {
    return '"image" is not a value; use one of its fields: image.registry, image.repository, image.name, image.namespace, image.tag, image.digest';
  }
  if (name === 'signature') {
    return '"signature" is not a value; use one of its fields: signature.did, signature.handle, signature.pds, signature.algorithm, signature.age';
  }
  const near = nearestName(name, allowSignature);
  return `unknown name "${name}"${near ? `; did you mean "${near}"?` : ''}`;
}
