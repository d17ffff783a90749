// Which plugin contract a process was started for, from its arguments and environment
// alone. containerd runs every file in its verifier bin dir with Go-style flags and no
// subcommand (`-name REF -digest D -stdin-media-type T`), Ratify runs the binary named
// in its config with no arguments and RATIFY_VERIFIER_* in the environment; both must
// reach the verifier even when the binary is installed under its own name. No imports:
// this runs before anything else is loaded.

export type PluginInvocation = { mode: 'containerd'; args: string[] } | { mode: 'ratify'; args: string[] };

export const CONTAINERD_COMMAND = 'containerd-verifier';
export const RATIFY_COMMAND = 'ratify-verifier';

/** containerd's flags, as `-flag`, `--flag` or `-flag=value`. */
const CONTAINERD_FLAG = /^--?(name|digest|stdin-media-type)(=|$)/;

/** `args` are the process arguments after the program (process.argv.slice(2)). */
export function pluginInvocation(args: readonly string[], env: NodeJS.ProcessEnv): PluginInvocation | null {
  const first = args[0];
  if (first === CONTAINERD_COMMAND) return { mode: 'containerd', args: args.slice(1) };
  if (first === RATIFY_COMMAND) return { mode: 'ratify', args: args.slice(1) };
  if (first !== undefined && CONTAINERD_FLAG.test(first)) return { mode: 'containerd', args: [...args] };
  if (first === undefined && env.RATIFY_VERIFIER_COMMAND !== undefined) return { mode: 'ratify', args: [] };
  return null;
}
