// IR expression trees → Rego. A boolean node becomes body lines that succeed exactly when
// the node is true; `or`, `not` of a conjunction and boolean values used as operands go
// through small generated helper functions, because Rego has no boolean operators.
// Evaluation never fails: operand types are guaranteed by the IR type checker.

import type { IRExpr, PathName } from '../../ir/types.js';
import { assertNever } from '../../ir/never.js';
import { regoNanoseconds, regoNumber, regoRegex, regoString } from './literal.js';

/** One function definition: its parameter list (unused ones as `_`) and body lines. */
export interface RegoBody {
  params: string;
  lines: string[];
}

/** A generated helper function: one definition per body (several bodies = "or"). */
export interface RegoHelper {
  name: string;
  /** `true` for a helper that yields true/false (a boolean value), else it is a condition. */
  valued: boolean;
  bodies: RegoBody[];
}

/** The compiled form of one `when` or `expr`: the main body and the helpers it calls. */
export interface CompiledCondition extends RegoBody {
  helpers: RegoHelper[];
}

/**
 * The parameter list for a body, with parameters the body never reads written `_`
 * (OPA's strict mode, and Regal, reject unused arguments).
 */
export function paramsFor(params: string, lines: readonly string[]): string {
  const text = lines.join('\n');
  return params
    .split(', ')
    .map((name) => (new RegExp(`\\b${name}\\b`, 'u').test(text) ? name : '_'))
    .join(', ');
}

/** Parameter names of the generated functions (they must not shadow module rules). */
export const WHEN_PARAMS = 'img, img_owner';
export const EXPR_PARAMS = 'img, img_owner, sig';

const PATH_TERMS: Readonly<Record<PathName, string>> = {
  'image.registry': 'img.registry',
  'image.repository': 'img.repository',
  'image.name': 'img.name',
  'image.namespace': 'img.namespace',
  'image.tag': 'img.tag',
  'image.digest': 'img.digest',
  owner: 'img_owner',
  'signature.did': 'sig.did',
  'signature.handle': 'sig.handle',
  'signature.pds': 'sig.pds',
  'signature.algorithm': 'sig.algorithm',
  'signature.age': 'sig.age_ns',
};

/** Compiles a boolean expression; helper names start with `prefix`. */
export function compileCondition(expr: IRExpr, prefix: string, params: string): CompiledCondition {
  const helpers: RegoHelper[] = [];
  const newHelper = (valued: boolean, bodies: string[][]): string => {
    const name = `${prefix}_${helpers.length + 1}`;
    helpers.push({ name, valued, bodies: bodies.map((lines) => ({ params: paramsFor(params, lines), lines })) });
    return `${name}(${params})`;
  };

  const term = (e: IRExpr): string => {
    switch (e.kind) {
      case 'string':
        return regoString(e.value);
      case 'number':
        return regoNumber(e.value);
      case 'duration':
        return regoNanoseconds(e.seconds);
      case 'list':
        return `[${e.items.map(term).join(', ')}]`;
      case 'path':
        return PATH_TERMS[e.path];
      case 'bool':
        return e.value ? 'true' : 'false';
      case 'compare':
      case 'in':
      case 'matches':
      case 'startsWith':
      case 'endsWith':
      case 'and':
      case 'or':
      case 'not':
        // A boolean-valued node used as an operand (e.g. `(a == b) == true`).
        return newHelper(true, [cond(e)]);
      default:
        return assertNever(e, 'expression');
    }
  };

  // OPA's type checker rejects `==` between array literals of different lengths (and the
  // module with it); through array.concat a literal list has the type "array of any".
  const operand = (e: IRExpr): string => (e.kind === 'list' ? `array.concat(${term(e)}, [])` : term(e));

  const cond = (e: IRExpr): string[] => {
    switch (e.kind) {
      case 'bool':
        return [e.value ? 'true' : 'false'];
      case 'compare':
        return [`${operand(e.left)} ${e.op} ${operand(e.right)}`];
      case 'in':
        return [`${term(e.left)} in ${term(e.right)}`];
      case 'matches':
        return [`regex.match(${regoRegex(e.regex)}, ${term(e.left)})`];
      case 'startsWith':
        return [`startswith(${term(e.left)}, ${term(e.right)})`];
      case 'endsWith':
        return [`endswith(${term(e.left)}, ${term(e.right)})`];
      case 'and': {
        const lines = e.args.flatMap(cond);
        return lines.length === 0 ? ['true'] : lines;
      }
      case 'or':
        if (e.args.length === 0) return ['false'];
        if (e.args.length === 1) return cond(e.args[0]!);
        return [newHelper(false, e.args.map(cond))];
      case 'not': {
        const inner = cond(e.arg);
        // `not` takes one expression (and never another `not`): a conjunction needs a
        // helper to be negated whole, and a double negation cancels.
        if (inner.length === 1 && inner[0]!.startsWith('not ')) return [inner[0]!.slice(4)];
        return inner.length === 1 ? [`not ${inner[0]}`] : [`not ${newHelper(false, [inner])}`];
      }
      case 'string':
      case 'number':
      case 'duration':
      case 'list':
      case 'path':
        throw new Error(`a ${e.kind} node is not a condition (the IR type checker should have caught this)`);
    }
  };

  const lines = cond(expr);
  return { params: paramsFor(params, lines), lines, helpers };
}
