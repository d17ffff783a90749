// Concurrent requests for one key share one computation. The computation runs under its
// own deadline, not under any caller's signal: a caller that gives up (its own deadline,
// a closed connection) stops waiting, and the others, and the cache, still get the
// result. A computation whose callers all left still runs to its deadline, so that the
// caller's retry (Gatekeeper retries on the next admission) finds the facts cached.
// Settled flights are forgotten at once: a failure is never handed to a later caller.

import { deadlineSignal } from './deadline.js';
import { abortError } from './errors.js';
import { untilAborted } from '../../kernel/net/until-aborted.js';

export interface SingleFlightOptions {
  /** The shared computation's own deadline in ms. */
  deadlineMs: number;
  /** A caller joined a running computation. */
  onJoin?: () => void;
}

export interface Joined<T> {
  value: T;
  /** True when this caller joined a computation another caller started. */
  joined: boolean;
}

interface Flight<T> {
  promise: Promise<T>;
}

export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  constructor(private readonly opts: SingleFlightOptions) {
    if (!(opts.deadlineMs > 0)) throw new RangeError(`deadlineMs must be positive, not ${opts.deadlineMs}`);
  }

  /** Keys with a computation running. */
  get size(): number {
    return this.flights.size;
  }

  /**
   * The result of `compute` for `key`, started now or joined. `compute` gets the flight's
   * signal (aborted with a LoadError `deadline` when the flight's time is up). Rejects
   * with a LoadError when `signal` aborts first; the computation goes on for the others.
   */
  async run(key: string, compute: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<Joined<T>> {
    if (signal?.aborted) throw abortError(signal, key);
    let flight = this.flights.get(key);
    const joined = flight !== undefined;
    if (flight === undefined) flight = this.start(key, compute);
    else this.opts.onJoin?.();
    return { value: await waitFor(flight.promise, key, signal), joined };
  }

  private start(key: string, compute: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const deadline = deadlineSignal(this.opts.deadlineMs, key);
    // Also settles a computation that ignores its signal: the flight ends at its deadline.
    const expired = new Promise<never>((_, reject) => {
      deadline.signal.addEventListener('abort', () => reject(deadline.signal.reason), { once: true });
    });
    const flight: Flight<T> = {
      promise: Promise.race([Promise.resolve().then(() => compute(deadline.signal)), expired]).finally(() => {
        deadline.dispose();
        if (this.flights.get(key) === flight) this.flights.delete(key);
      }),
    };
    // Nobody may be waiting when it fails (every caller left): that is not an unhandled rejection.
    flight.promise.catch(() => {});
    this.flights.set(key, flight);
    return flight;
  }
}

/** `promise`, or a LoadError as soon as `signal` aborts. */
export function waitFor<T>(promise: Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
  return untilAborted(promise, signal, () => abortError(signal!, what));
}
