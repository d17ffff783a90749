// Loading a policy for a command that needs its IR: errors are printed with positions and
// end the command with exit 2 (cli.md: an invalid policy file is an input error).

import { escapeControls, formatText } from '../diagnostics/format.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import type { IRDocument } from '../ir/types.js';
import { compileFile, type Compilation } from '../lower/pipeline.js';
import { CliError, EXIT } from './errors.js';

export async function loadPolicyOrFail(file: string): Promise<{ ir: IRDocument; compilation: Compilation }> {
  const c = await compileFile(file);
  if (!c.ir || hasErrors(c.diagnostics)) {
    const errors = c.diagnostics.filter((d) => d.severity === 'error');
    // The file itself cannot be read (so nothing was loaded): one sentence, not a finding in it.
    const only = errors.length === 1 ? errors[0]! : null;
    if (c.program === null && only?.rule === 'extends-missing') {
      throw new CliError(`the policy file ${escapeControls(only.message)}`, EXIT.usage);
    }
    process.stderr.write(formatText(errors));
    throw new CliError(`${file} is not a valid trust policy (${errors.length} error${errors.length === 1 ? '' : 's'})`, EXIT.usage);
  }
  return { ir: c.ir, compilation: c };
}
