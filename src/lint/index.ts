// `policy lint`: the compiler's errors, then (on an error-free program) the warning rules.

import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { compileFile, type Compilation } from '../lower/pipeline.js';
import { WARNING_RULES } from './rules.js';

/** `budget`: the work each scope check may do (rules.ts CHECK_BUDGET by default). */
export function lintCompilation(c: Compilation, opts: { budget?: number } = {}): Diagnostic[] {
  if (!c.ir || !c.program || !c.checked) return c.diagnostics;
  const ctx = { program: c.program, resolved: c.resolved, checked: c.checked, ir: c.ir, ...opts };
  const warnings = WARNING_RULES.flatMap((rule) => rule(ctx));
  return sortDiagnostics([...c.diagnostics, ...warnings]);
}

/** Findings for a file; `unreadable` says the file itself could not be read (no findings then). */
export async function lintFile(file: string): Promise<{ diagnostics: Diagnostic[]; unreadable: string | null }> {
  const c = await compileFile(file);
  return { diagnostics: lintCompilation(c), unreadable: c.unreadable };
}
