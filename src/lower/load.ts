// The front end's entry point for other layers (CLI, kernel `verify --policy`, back ends).

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IRDocument } from '../ir/types.js';
import { compileFile } from './pipeline.js';

/** Loads, checks and lowers a policy file; `ir` is null when there are errors. */
export async function compilePolicyFile(path: string): Promise<{ ir: IRDocument | null; diagnostics: Diagnostic[] }> {
  const c = await compileFile(path);
  return { ir: c.ir, diagnostics: c.diagnostics };
}
