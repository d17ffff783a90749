import { expect } from 'vitest';
import { compileExpr, type ExprContext, type ExprDiagnostic, type ExprRule } from '../../src/expr/index.js';

/** Where `fragment` first occurs in `text` (after `from`), as a diagnostic span. */
export function spanOf(text: string, fragment: string, from = 0): { offset: number; length: number } {
  const offset = text.indexOf(fragment, from);
  if (offset < 0) throw new Error(`test bug: ${JSON.stringify(fragment)} is not in ${JSON.stringify(text)}`);
  return { offset, length: fragment.length };
}

/** Compiles `text`, expects it to fail, and returns its diagnostics. */
export function errorsOf(text: string, context: ExprContext = 'require'): ExprDiagnostic[] {
  const r = compileExpr(text, context);
  expect(r.expr, `expected ${JSON.stringify(text)} to be rejected`).toBeNull();
  expect(r.diagnostics.length).toBeGreaterThan(0);
  return r.diagnostics;
}

/** Expects exactly one diagnostic with this rule, pointing at `fragment` in `text`. */
export function expectOneError(
  text: string,
  rule: ExprRule,
  fragment: string | { offset: number; length: number },
  context: ExprContext = 'require',
): ExprDiagnostic {
  const diagnostics = errorsOf(text, context);
  const span = typeof fragment === 'string' ? spanOf(text, fragment) : fragment;
  expect(diagnostics).toHaveLength(1);
  expect(diagnostics[0]).toMatchObject({ rule, ...span });
  return diagnostics[0]!;
}
