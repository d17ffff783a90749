// Exit codes of shared/spec/cli.md and the one error type commands throw for them.

export const EXIT = {
  ok: 0,
  /** A definite negative: denied, no valid signature, lint errors, a failed test. */
  negative: 1,
  /** Usage or input error. */
  usage: 2,
  /** Could not decide: network failure, timeout, service unavailable. */
  undecided: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A user-facing failure: one clear sentence, no stack trace (unless --debug). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
