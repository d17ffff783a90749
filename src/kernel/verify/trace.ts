// A live account of a verification's steps, for `verify --verbose`: each step is
// reported when it ends, so the steps that ran before a failure (or before the deadline
// stopped everything) are already on the user's screen when the error is.

/** Which part of the chain a step belongs to: registry → referrers → signatures (DID, PDS proof), and the owner. */
export type TraceStage = 'registry' | 'referrers' | 'owner' | 'signature';

export interface TraceEvent {
  stage: TraceStage;
  /** What ran, e.g. `resolve`, `did-document`. */
  name: string;
  ms: number;
  ok: boolean;
  /** What it found, or why it failed (from the network: the caller escapes it). */
  detail?: string;
  /** For signature steps: the artifact's digest and the step's number (signature-format.md). */
  artifact?: string;
  step?: number;
}

export type Trace = (event: TraceEvent) => void;

/** Runs `fn`, reports it to `trace` (when there is one) as it ends, and returns or rethrows. */
export async function traced<T>(
  trace: Trace | undefined,
  event: Omit<TraceEvent, 'ms' | 'ok' | 'detail'>,
  fn: () => Promise<T>,
  describe?: (value: T) => string,
): Promise<T> {
  if (!trace) return fn();
  const t0 = performance.now();
  try {
    const value = await fn();
    trace({ ...event, ms: performance.now() - t0, ok: true, ...(describe ? { detail: describe(value) } : {}) });
    return value;
  } catch (err) {
    trace({ ...event, ms: performance.now() - t0, ok: false, detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
