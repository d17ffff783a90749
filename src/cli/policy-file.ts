// Loading a policy for a command that needs its IR: errors are printed with positions and
// end the command with exit 2 (cli.md: an invalid policy file is an input error).

import { escapeControls, formatText } from '../diagnostics/format.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { IRDocument } from '../ir/types.js';
import { compileFile, type Compilation } from '../lower/pipeline.js';
import { CliError, EXIT } from './errors.js';

export async function loadPolicyOrFail(file: string): Promise<{ ir: IRDocument; compilation: Compilation }> {
  const c = await compileFile(file);
  // The file itself cannot be read: one sentence, not a finding in it.
  if (c.unreadable) throw new CliError(`the policy file ${escapeControls(c.unreadable)}`, EXIT.usage);
  if (!c.ir || hasErrors(c.diagnostics)) {
    const errors = c.diagnostics.filter((d) => d.severity === 'error');
    process.stderr.write(formatText(errors));
    throw new CliError(`${escapeControls(file)} is not a valid trust policy (${errors.length} error${errors.length === 1 ? '' : 's'})`, EXIT.usage);
  }
  return { ir: c.ir, compilation: c };
}
