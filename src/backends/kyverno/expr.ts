// IR expressions → JMESPath with Kyverno's functions. Two scopes: `when` is evaluated at
// the root of the rule's context (the image facts are in `atcrFacts`), `require.expr` inside
// a projection over one signature, where the root cannot be reached, so the service repeats
// the image and owner in every signature (docs/compile-kyverno.md) and `now` comes in by
// Kyverno's nested variable substitution. Every boolean expression yields true or false
// (never another truthy value), so `&&`/`||` stay boolean.

import type { CompareOp, IRExpr, PathName } from '../../ir/types.js';
import { FALSE, TRUE, and, not, or, paren, strListLit, strLit } from './jmespath-text.js';
import { NOW_TEXT, shiftedNow } from './time.js';
import { holds } from '../../ir/compare-op.js';
import { assertNever } from '../../ir/never.js';

/** An expression Kyverno's JMESPath cannot express; the caller names the policy. */
export class Untranslatable extends Error {}

export interface Scope {
  /** JMESPath text of a string path, or null when the path is not readable here. */
  stringPath(path: PathName): string | null;
  /** The signature's `signedAt` (already known to be readable), or null outside `require.expr`. */
  signedAt: string | null;
}

/** A value read as a string, `""` when missing or not a string (docs/ir.md "Input reading"). */
export function readString(path: string): string {
  return `(type(${path}) == 'string' && ${path} || '')`;
}

const IMAGE_FIELDS: Partial<Record<PathName, string>> = {
  'image.registry': 'registry',
  'image.repository': 'repository',
  'image.name': 'name',
  'image.namespace': 'namespace',
  'image.tag': 'tag',
  'image.digest': 'digest',
};

const SIGNATURE_FIELDS: Partial<Record<PathName, string>> = {
  'signature.did': 'did',
  'signature.handle': 'handle',
  'signature.pds': 'pds',
  'signature.algorithm': 'algorithm',
};

/** `when`: the image facts object at `facts` (its fields are strings when it parsed). */
export function imageScope(facts: string): Scope {
  return {
    stringPath(path) {
      const field = IMAGE_FIELDS[path];
      if (field) return `${facts}.image.${field}`;
      if (path === 'owner') return readString(`${facts}.owner`);
      return null;
    },
    signedAt: null,
  };
}

/** `require.expr`: one signature object at `sig`, carrying `image` and `owner` copies. */
export function signatureScope(sig: string): Scope {
  return {
    stringPath(path) {
      const image = IMAGE_FIELDS[path];
      if (image) return `${sig}.image.${image}`;
      if (path === 'owner') return readString(`${sig}.owner`);
      const field = SIGNATURE_FIELDS[path];
      return field ? readString(`${sig}.${field}`) : null;
    },
    signedAt: `${sig}.signedAt`,
  };
}

/** A boolean IR expression as boolean-valued JMESPath. */
export function compileBool(e: IRExpr, scope: Scope): string {
  switch (e.kind) {
    case 'bool':
      return e.value ? TRUE : FALSE;
    case 'and':
      return and(e.args.map((a) => compileBool(a, scope)));
    case 'or':
      return or(e.args.map((a) => compileBool(a, scope)));
    case 'not':
      return not(compileBool(e.arg, scope));
    case 'in':
      return `contains(${compileList(e.right, scope)}, ${compileString(e.left, scope)})`;
    case 'matches':
      return `regex_match(${strLit(e.regex)}, ${compileString(e.left, scope)})`;
    case 'startsWith':
      return `starts_with(${compileString(e.left, scope)}, ${compileString(e.right, scope)})`;
    case 'endsWith':
      return `ends_with(${compileString(e.left, scope)}, ${compileString(e.right, scope)})`;
    case 'compare':
      return compileCompare(e, scope);
    case 'string':
    case 'number':
    case 'duration':
    case 'list':
    case 'path':
      throw new Untranslatable(`a ${e.kind} expression is not a condition`);
    default:
      return assertNever(e, 'expression');
  }
}

function compileString(e: IRExpr, scope: Scope): string {
  if (e.kind === 'string') return strLit(e.value);
  if (e.kind === 'path') {
    const text = scope.stringPath(e.path);
    if (text === null) throw new Untranslatable(`${e.path} cannot be read here`);
    return text;
  }
  throw new Untranslatable(`a ${e.kind} expression is not a string`);
}

function compileList(e: IRExpr, scope: Scope): string {
  if (e.kind !== 'list') throw new Untranslatable(`a ${e.kind} expression is not a list`);
  if (e.items.every((it) => it.kind === 'string')) {
    return strListLit(e.items.map((it) => (it as { value: string }).value));
  }
  // A multi-select list: its current node (the context root or a signature) is never null.
  return `[${e.items.map((it) => compileString(it, scope)).join(', ')}]`;
}

const FLIPPED: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function compileCompare(e: Extract<IRExpr, { kind: 'compare' }>, scope: Scope): string {
  const { op, left, right } = e;
  switch (e.operandType) {
    case 'string':
    case 'bool':
    case 'list': {
      if (op !== '==' && op !== '!=') throw new Untranslatable(`${op} does not apply to ${e.operandType} values`);
      const l = compileOperand(left, e.operandType, scope);
      const r = compileOperand(right, e.operandType, scope);
      return `${paren(l)} ${op} ${paren(r)}`;
    }
    case 'number': {
      // Numbers only come as literals: the comparison is decided here.
      if (left.kind !== 'number' || right.kind !== 'number') throw new Untranslatable('numbers must be literals');
      return holds(op, Math.sign(left.value - right.value)) ? TRUE : FALSE;
    }
    case 'duration':
      return compileDurationCompare(op, left, right, scope);
  }
}

function compileOperand(e: IRExpr, type: 'string' | 'bool' | 'list', scope: Scope): string {
  if (type === 'string') return compileString(e, scope);
  if (type === 'list') return compileList(e, scope);
  return compileBool(e, scope);
}

function isAge(e: IRExpr): boolean {
  return e.kind === 'path' && e.path === 'signature.age';
}

/**
 * `signature.age op D` with age = now − signedAt becomes a comparison of `signedAt` with
 * the instant now − D: age < D ⇔ signedAt after it, age > D ⇔ signedAt before it.
 */
function compileDurationCompare(op: CompareOp, left: IRExpr, right: IRExpr, scope: Scope): string {
  if (left.kind === 'duration' && right.kind === 'duration') {
    return holds(op, Math.sign(left.seconds - right.seconds)) ? TRUE : FALSE;
  }
  if (isAge(left) && isAge(right)) return holds(op, 0) ? TRUE : FALSE;
  if (isAge(right) && left.kind === 'duration') return compileDurationCompare(FLIPPED[op], right, left, scope);
  if (!isAge(left) || right.kind !== 'duration') throw new Untranslatable('a duration must be signature.age or a literal');
  if (scope.signedAt === null) throw new Untranslatable('signature.age cannot be read here');
  let bound: string;
  try {
    bound = shiftedNow(NOW_TEXT, -right.seconds);
  } catch (err) {
    throw new Untranslatable((err as Error).message);
  }
  const after = `time_after(${scope.signedAt}, ${bound})`;
  const before = `time_before(${scope.signedAt}, ${bound})`;
  switch (op) {
    case '<':
      return after;
    case '<=':
      return not(before);
    case '>':
      return before;
    case '>=':
      return not(after);
    case '==':
      return and([not(after), not(before)]);
    case '!=':
      return or([after, before]);
  }
}
