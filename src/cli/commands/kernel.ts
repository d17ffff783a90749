// The verification commands (verify, export, sign, serve). They pull in the ATProto and OCI
// stacks, so they are loaded only when the command line may need them: `policy …` runs
// (e.g. a large `policy eval` batch in CI) start without that cost.

import type { Command } from 'commander';

export const KERNEL_COMMANDS = ['verify', 'export', 'sign', 'serve'] as const;

export async function registerKernelCommands(program: Command): Promise<void> {
  const [{ registerVerify }, { registerExport }, { registerSign }, { registerServe }] = await Promise.all([
    import('./verify.js'),
    import('./export.js'),
    import('./sign.js'),
    import('./serve.js'),
  ]);
  registerVerify(program);
  registerExport(program);
  registerSign(program);
  registerServe(program);
}
