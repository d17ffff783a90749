// `atcr-verify containerd-verifier -name REF -digest D -stdin-media-type T`: containerd's
// image verifier contract (src/plugins/containerd.ts, docs/containerd.md). main.ts hands
// these invocations to the plugin before commander sees them (Go-style `-name` flags are
// not commander's); this registration gives the command its place in --help.

import type { Command } from 'commander';
import { CONTAINERD_COMMAND } from '../../plugins/invocation.js';

export function registerContainerdVerifier(program: Command): void {
  program
    .command(CONTAINERD_COMMAND)
    .description('containerd image verifier (bindir): allow or refuse a pull; config in /etc/atcr-verify/config.yaml or ATCR_VERIFY_CONFIG')
    .usage('-name REF -digest DIGEST -stdin-media-type application/vnd.oci.descriptor.v1+json < descriptor.json')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_opts: unknown, cmd: Command) => {
      const { runPlugin } = await import('../../plugins/run.js');
      await runPlugin({ mode: 'containerd', args: cmd.args });
    });
}
