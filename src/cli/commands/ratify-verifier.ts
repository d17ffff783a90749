// `atcr-verify ratify-verifier`: Ratify v1's external verifier contract
// (src/plugins/ratify.ts, docs/ratify.md). main.ts hands the invocation to the plugin
// before commander parses anything; this registration gives the command its place in --help.

import type { Command } from 'commander';
import { RATIFY_COMMAND } from '../../plugins/invocation.js';

export function registerRatifyVerifier(program: Command): void {
  program
    .command(RATIFY_COMMAND)
    .description('Ratify v1 external verifier: RATIFY_VERIFIER_* environment, JSON on standard input, one JSON line out')
    .allowExcessArguments()
    .action(async (_opts: unknown, cmd: Command) => {
      const { runPlugin } = await import('../../plugins/run.js');
      await runPlugin({ mode: 'ratify', args: cmd.args });
    });
}
