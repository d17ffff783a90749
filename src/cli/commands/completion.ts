// `atcr-verify completion bash|zsh|fish`: shell completion scripts generated from the
// commander tree itself, so a new command or flag completes without anyone editing a script.

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { out } from '../io.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

interface Node {
  /** Space-joined command path below the program, '' for the program itself. */
  path: string;
  subcommands: string[];
  flags: string[];
}

function walk(cmd: Command, path: string, nodes: Node[]): void {
  const subs = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  // Deprecated spellings still work but are not offered.
  const offered = cmd.options.filter((o) => !(o.hidden && o.description.startsWith('deprecated')));
  const flags = offered.flatMap((o) => [o.long, o.short].filter((f): f is string => typeof f === 'string'));
  nodes.push({ path, subcommands: subs.map((c) => c.name()), flags: [...flags, '--help'] });
  for (const sub of subs) walk(sub, path ? `${path} ${sub.name()}` : sub.name(), nodes);
}

/** Command and flag words are [a-z0-9-]: nothing in them needs quoting in any shell. */
function words(list: readonly string[]): string {
  return list.filter((w) => /^[A-Za-z0-9_-]+$/.test(w.replace(/^-+/, ''))).join(' ');
}

function bash(nodes: Node[]): string {
  const cases = nodes
    .map((n) => `    "${n.path}") opts="${words([...n.subcommands, ...n.flags])}" ;;`)
    .join('\n');
  return `# bash completion for atcr-verify: source this file, or put it in bash-completion's directory.
_atcr_verify() {
  local cur path="" w opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$w" in -*) ;; *) case " $(_atcr_verify_subs "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac ;; esac
  done
  case "$path" in
${cases}
    *) opts="" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  if [ \${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=( $(compgen -f -- "$cur") ); fi
}
_atcr_verify_subs() {
  case "$1" in
${nodes.map((n) => `    "${n.path}") echo "${words(n.subcommands)}" ;;`).join('\n')}
  esac
}
complete -F _atcr_verify atcr-verify
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef atcr-verify
# zsh completion for atcr-verify: put this file on $fpath as _atcr-verify.
_atcr_verify() {
  local path="" w opts
  for w in \${words[2,CURRENT-1]}; do
    case "$w" in -*) ;; *) case " $(_atcr_verify_subs "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac ;; esac
  done
  case "$path" in
${nodes.map((n) => `    "${n.path}") opts=(${words([...n.subcommands, ...n.flags])}) ;;`).join('\n')}
    *) opts=() ;;
  esac
  compadd -a opts
  _files
}
_atcr_verify_subs() {
  case "$1" in
${nodes.map((n) => `    "${n.path}") echo "${words(n.subcommands)}" ;;`).join('\n')}
  esac
}
compdef _atcr_verify atcr-verify
`;
}

function fish(nodes: Node[]): string {
  const lines = ['# fish completion for atcr-verify: put this file in ~/.config/fish/completions/atcr-verify.fish'];
  for (const n of nodes) {
    const parts = n.path ? n.path.split(' ') : [];
    // "After exactly these command words": fish's __fish_seen_subcommand_from is per word.
    const cond =
      parts.length === 0
        ? `__fish_use_subcommand`
        : parts.map((p) => `__fish_seen_subcommand_from ${p}`).join('; and ');
    if (n.subcommands.length > 0) lines.push(`complete -c atcr-verify -n '${cond}' -f -a '${words(n.subcommands)}'`);
    for (const f of n.flags) {
      if (!/^--?[A-Za-z0-9-]+$/.test(f)) continue;
      const opt = f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`;
      lines.push(`complete -c atcr-verify -n '${cond}' ${opt}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function completionScript(program: Command, shell: Shell): string {
  const nodes: Node[] = [];
  walk(program, '', nodes);
  return shell === 'bash' ? bash(nodes) : shell === 'zsh' ? zsh(nodes) : fish(nodes);
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script.')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText('after', '\nExamples:\n  atcr-verify completion bash > /etc/bash_completion.d/atcr-verify\n  atcr-verify completion fish > ~/.config/fish/completions/atcr-verify.fish\n')
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw new CliError(`completion: the shell must be ${SHELLS.join(', ')}, not "${shell}"`, EXIT.usage);
      await out(completionScript(program, shell as Shell));
    });
}
