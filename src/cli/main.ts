#!/usr/bin/env node
// The `atcr-verify` binary: commander wiring, the `atcr-verify IMAGE` shorthand, and the
// one place that turns errors into exit codes (cli.md): no stack trace unless --debug.

import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors.js';
import { toolVersion } from './io.js';
import { escapeLines } from '../text/escape.js';
import { registerPolicy } from './commands/policy/index.js';
import { KERNEL_COMMANDS, registerKernelCommands } from './commands/kernel.js';
import { registerContainerdVerifier } from './commands/containerd-verifier.js';
import { registerRatifyVerifier } from './commands/ratify-verifier.js';
import { CONTAINERD_COMMAND, pluginInvocation, RATIFY_COMMAND } from '../plugins/invocation.js';

import { registerCompletion } from './commands/completion.js';
import { IR_VERSION } from '../ir/types.js';
import { nearest } from '../text/nearest.js';

const COMMANDS: readonly string[] = ['policy', 'completion', ...KERNEL_COMMANDS, CONTAINERD_COMMAND, RATIFY_COMMAND];
const POLICY_COMMANDS: readonly string[] = ['lint', 'explain', 'eval', 'test', 'compile', 'schema'];

/** What --version says: the tool, and what its artifacts and decisions depend on. */
function versionText(): string {
  return [
    `atcr-verify ${toolVersion()}`,
    `IR version ${IR_VERSION}`,
    'engines: native, wasm (OPA ABI)',
    'targets: rego, wasm, gatekeeper, kyverno',
    `node ${process.version}`,
  ].join('\n');
}

async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('atcr-verify')
    .description('Verify ATProto-signed container images and compile trust policies for every engine.')
    .version(versionText(), '-V, --version', 'print the version, the IR version and the engines')
    .option('--debug', 'print stack traces for unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerPolicy(program);
  if (firstWord(argv) !== 'policy') await registerKernelCommands(program);
  registerContainerdVerifier(program);
  registerRatifyVerifier(program);
  registerCompletion(program);
  return program;
}

function firstWord(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/** `atcr-verify IMAGE …` means `atcr-verify verify IMAGE …`. */
export function withShorthand(argv: string[], commands: readonly string[]): string[] {
  const args = argv.slice(2);
  // Global options come first; whatever follows them is a command, or the shorthand
  // (an image, or verify's own flags before the image: `--offline --bundle B IMAGE`).
  let i = 0;
  while (args[i] === '--debug') i++;
  const word = args[i];
  if (word === undefined || commands.includes(word) || GLOBAL_WORDS.has(word)) return argv;
  return [...argv.slice(0, 2), ...args.slice(0, i), 'verify', ...args.slice(i)];
}

const GLOBAL_WORDS = new Set(['help', '-h', '--help', '-V', '--version']);

/**
 * A first word that is no command but reads like a mistyped one (`polcy`, `lint`) is a
 * usage error with a suggestion — never an image to fetch. Image references that could be
 * confused with a command name carry a registry, path, tag or digest (`./`, `:`, `@`), or
 * can be written `verify NAME`.
 */
export function mistypedCommand(argv: readonly string[], commands: readonly string[]): string | null {
  const args = argv.slice(2);
  let i = 0;
  while (args[i] === '--debug') i++;
  const word = args[i];
  if (word === undefined || word.startsWith('-') || commands.includes(word) || GLOBAL_WORDS.has(word)) return null;
  if (/[/:@.]/.test(word)) return null;
  if (POLICY_COMMANDS.includes(word)) return `"${word}" is not a command; did you mean "atcr-verify policy ${word}"?`;
  const near = nearest(word, [...commands, 'help'], 2);
  if (near) return `"${word}" is not a command; did you mean "${near}"? (to verify an image of that name, write "atcr-verify verify ${word}")`;
  const nearPolicy = nearest(word, POLICY_COMMANDS, 1);
  if (nearPolicy) return `"${word}" is not a command; did you mean "atcr-verify policy ${nearPolicy}"?`;
  return null;
}

/** `help policy lint` shows lint's help, as `policy lint --help` does. */
export function withNestedHelp(argv: string[]): string[] {
  const args = argv.slice(2);
  if (args[0] !== 'help' || args.length < 2) return argv;
  return [...argv.slice(0, 2), ...args.slice(1), '--help'];
}

/**
 * A reader that leaves early (`… | head`) closes the pipe: the rest of the output has no
 * one to read it, and the exit code still tells the outcome. Any other failure to write
 * means the outcome was not delivered: "could not decide".
 */
function guardStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    process.stderr.write(`atcr-verify: cannot write the output: ${err.message}\n`);
    process.exit(EXIT.undecided);
  });
}

async function main(): Promise<void> {
  // containerd and Ratify run us with their own argv/env contracts (src/plugins/).
  const plugin = pluginInvocation(process.argv.slice(2), process.env);
  if (plugin) return (await import('../plugins/run.js')).runPlugin(plugin);
  guardStdout();
  const debug = process.argv.includes('--debug');
  const typo = mistypedCommand(process.argv, COMMANDS);
  if (typo) {
    process.stderr.write(`atcr-verify: ${typo}\n(run with --help for usage)\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  const argv = withShorthand(withNestedHelp(process.argv), COMMANDS);
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    if (err instanceof CliError) {
      process.stderr.write(`atcr-verify: ${escapeLines(err.message)}\n`);
      if (debug && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = err.exitCode;
      // Undecided (e.g. past --timeout): do not linger on requests still in flight.
      if (err.exitCode === EXIT.undecided) process.exit(err.exitCode);
      return;
    }
    // A bug, not a verdict: fail closed with "could not decide".
    process.stderr.write(`atcr-verify: internal error: ${escapeLines((err as Error)?.message ?? String(err))}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    else process.stderr.write('(run again with --debug for details)\n');
    process.exitCode = EXIT.undecided;
  }
}

await main();
