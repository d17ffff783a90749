// `policy lint`: the compiler's errors, then (on an error-free program) the warning rules,
// with suppression comments applied.

import { stat } from 'node:fs/promises';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { compileFile, type Compilation } from '../lower/pipeline.js';
import { readSource } from '../policy/source.js';
import { WARNING_RULES } from './rules.js';
import { applySuppressions } from './suppress.js';

export interface LintOptions {
  /** The work each scope check may do (rules.ts CHECK_BUDGET by default). */
  budget?: number;
  /** The text of each source file (as findings name it), to read suppression comments from. */
  sources?: ReadonlyMap<string, string>;
}

export function lintCompilation(c: Compilation, opts: LintOptions = {}): Diagnostic[] {
  if (!c.ir || !c.program || !c.checked) return c.diagnostics;
  const ctx = { program: c.program, resolved: c.resolved, checked: c.checked, ir: c.ir, ...(opts.budget !== undefined ? { budget: opts.budget } : {}) };
  const warnings = WARNING_RULES.flatMap((rule) => rule(ctx));
  const all = [...c.diagnostics, ...warnings];
  return sortDiagnostics(opts.sources ? applySuppressions(all, opts.sources, c.resolved) : all);
}

/** Findings for a file; `unreadable` says the file itself could not be read (no findings then). */
export async function lintFile(file: string): Promise<{ diagnostics: Diagnostic[]; unreadable: string | null }> {
  const c = await compileFile(file);
  const sources = new Map<string, string>();
  for (const f of c.program?.files ?? []) {
    // Read again for its comments, by the loader's own bounded reader; a file that
    // changed, vanished or grew past the limit since is left out.
    // A pipe or device was consumed by the first read: only a regular file is read again.
    if (!(await stat(f.file).then((st) => st.isFile(), () => false))) continue;
    const r = await readSource(f.file);
    if ('text' in r) sources.set(f.file, r.text);
  }
  return { diagnostics: lintCompilation(c, { sources }), unreadable: c.unreadable };
}
