// Why a key got no facts because of load control rather than verification. All of these
// are transient by nature: they are thrown, never cached, and a service reports them as
// an error for that key (Gatekeeper: `systemError`, which Gatekeeper does not cache).

export type LoadErrorCode = 'deadline' | 'aborted' | 'overloaded';

export class LoadError extends Error {
  constructor(
    readonly code: LoadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LoadError';
  }
}

/** The LoadError an aborted signal stands for (its reason if it is one, else `aborted`). */
export function abortError(signal: AbortSignal, what: string): LoadError {
  const reason: unknown = signal.reason;
  if (reason instanceof LoadError) return reason;
  return new LoadError('aborted', `${what}: the request was cancelled`);
}
