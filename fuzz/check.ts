// The property every target must hold, on one input.

import type { Target } from './targets.js';

/** null when the input passed; otherwise what went wrong (an unexpected exception). */
export async function failureOf(target: Target, bytes: Uint8Array): Promise<unknown> {
  try {
    await target.run(bytes);
    return null;
  } catch (err) {
    return target.expected(err) ? null : err;
  }
}

export function describeFailure(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}` : String(err);
}
