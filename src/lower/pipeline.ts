// The front end as an ordered list of named stages that stops after a stage with errors
// (as OPA's compiler does): load → inherit → check → lower. Lint warnings come after.

import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { IRDocument } from '../ir/types.js';
import { checkValues, type Checked } from '../policy/check.js';
import { resolveInheritance, type ResolvedPolicy } from '../policy/inherit.js';
import { loadProgram, programFromText, type Program } from '../policy/load.js';
import { lowerProgram } from './lower.js';

export interface Compilation {
  program: Program | null;
  resolved: ResolvedPolicy[];
  checked: Checked | null;
  ir: IRDocument | null;
  diagnostics: Diagnostic[];
  /** The policy file itself could not be read (a usage error, not a finding in it). */
  unreadable: string | null;
}

export function compileProgram(program: Program | null, loadDiagnostics: Diagnostic[], unreadable: string | null = null): Compilation {
  const out: Compilation = { program, resolved: [], checked: null, ir: null, diagnostics: [...loadDiagnostics], unreadable };
  if (!program || hasErrors(out.diagnostics)) return finish(out);
  const inh = resolveInheritance(program);
  const values = checkValues(program);
  out.diagnostics.push(...inh.diagnostics, ...values.diagnostics);
  if (hasErrors(out.diagnostics)) return finish(out);
  out.resolved = inh.policies;
  out.checked = values.checked;
  out.ir = lowerProgram(program, inh.policies, values.checked);
  return finish(out);
}

function finish(c: Compilation): Compilation {
  c.diagnostics = sortDiagnostics(c.diagnostics);
  return c;
}

/** `signal` bounds the file reads (the service and the plugins pass a time limit); `rootBytes`: see loadProgram. */
export async function compileFile(file: string, signal?: AbortSignal, rootBytes?: Uint8Array): Promise<Compilation> {
  const { program, diagnostics, unreadable } = await loadProgram(file, signal, rootBytes);
  return compileProgram(program, diagnostics, unreadable);
}

export function compileText(file: string, text: string): Compilation {
  const { program, diagnostics } = programFromText(file, text);
  return compileProgram(program, diagnostics);
}
