// Tests assert the error code a check fails with, never its message.

import { VerifyError } from '../../../src/kernel/proof/errors.js';

/** The VerifyError code `fn` throws, or 'ok'; anything else is a crash and rethrown. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof VerifyError) return err.code;
    throw err;
  }
}

export async function codeOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof VerifyError) return err.code;
    throw err;
  }
}
