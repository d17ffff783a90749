// The overall deadline of a command (`--timeout`), in a module of its own: the containerd
// verifier runs under it too, and must not load the rest of cli/io.ts for it.

import { CliError, EXIT } from './errors.js';

/**
 * Runs `work` under an overall deadline (`--timeout`): past it the signal aborts what it
 * can and the command ends with exit 3, "could not decide" — never a late verdict.
 */
export async function withDeadline<T>(ms: number, flag: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CliError(`did not finish within --timeout ${flag}; could not decide`, EXIT.undecided));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
