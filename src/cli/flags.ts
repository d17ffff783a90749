// One meaning per flag name across commands (docs/cli.md, "Flags"):
// - a format is `--output FORMAT` (the name the contract gives verify, explain and test)
//   or, the same option, `--format FORMAT` (lint's name); every command takes both;
// - where to write is `-o`: a file in `export` (`--out-file`), a folder in `compile`
//   (`--out-dir`); their old long spelling `--output PATH` still works with a note;
// - `--timeout` is the overall deadline, `--request-timeout` the limit of one request.

import { Option, type Command } from 'commander';
import { CliError, EXIT } from './errors.js';

export interface FormatFlags {
  output?: string;
  format?: string;
}

/**
 * Adds `--output <format>` and `--format <format>` as one option. `primary` is the name
 * help shows; the other is accepted and hidden. Choices are checked by commander when
 * given (a command whose choices depend on other flags checks them itself).
 */
export function addFormatOption(
  cmd: Command,
  opts: { primary: 'output' | 'format'; choices?: readonly string[]; help: string },
): Command {
  const other = opts.primary === 'output' ? 'format' : 'output';
  const main = new Option(`--${opts.primary} <format>`, `${opts.help} (default text; also --${other})`);
  const alias = new Option(`--${other} <format>`, `same as --${opts.primary}`).hideHelp();
  if (opts.choices) {
    main.choices(opts.choices);
    alias.choices(opts.choices);
  }
  return cmd.addOption(main).addOption(alias);
}

/** The chosen format; `--output` and `--format` are one option, so two different values are a usage error. */
export function formatOf(flags: FormatFlags, fallback = 'text'): string {
  if (flags.output !== undefined && flags.format !== undefined && flags.output !== flags.format) {
    throw new CliError(`--output ${flags.output} and --format ${flags.format} disagree: they are one option (the output format); give one`, EXIT.usage);
  }
  return flags.format ?? flags.output ?? fallback;
}

/** The old long spelling of a destination (`--output PATH`), hidden from help. */
export function addDeprecatedOutput(cmd: Command, what: string): Command {
  return cmd.addOption(new Option('--output <path>', `deprecated spelling of -o (${what})`).hideHelp());
}

/**
 * Where to write: the new flag's value, else the deprecated `--output PATH` with a note
 * on standard error (the result is unchanged, so scripts keep working).
 */
export function destinationOf(command: string, value: string | undefined, deprecated: string | undefined, replacement: string): string | undefined {
  if (deprecated === undefined) return value;
  process.stderr.write(`atcr-verify: note: \`${command} --output PATH\` is deprecated; use ${replacement} (--output names the output format in other commands)\n`);
  if (value !== undefined && value !== deprecated) {
    throw new CliError(`${replacement} ${value} and --output ${deprecated} disagree: give ${replacement} only`, EXIT.usage);
  }
  return deprecated;
}
