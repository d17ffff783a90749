// Deadlines below the caller's budget. Gatekeeper gives a provider `spec.timeout` seconds
// (its HTTP client and context both); Kyverno gives the whole webhook `timeoutSeconds`.
// An answer that arrives after that budget is lost, so the service must give up earlier,
// with time left to write the error for the keys that are not ready.

import { LoadError } from './errors.js';

export interface DeadlineOptions {
  /** Time kept back for the answer to travel (default 250 ms). */
  marginMs?: number;
  /** At most this share of the budget is spent (default 0.8). */
  fraction?: number;
  /** Never less than this, unless the budget itself is smaller (default 100 ms). */
  minMs?: number;
}

/**
 * The per-request deadline for a caller budget: `min(budget × fraction, budget − margin)`,
 * at least `minMs`, and never more than half of a budget smaller than `minMs`.
 * E.g. Gatekeeper `timeout: 3` → 2400 ms; `timeout: 1` → 750 ms; Kyverno 10 s → 8000 ms.
 */
export function deadlineBelow(budgetMs: number, opts: DeadlineOptions = {}): number {
  if (!(budgetMs > 0) || !Number.isFinite(budgetMs)) throw new RangeError(`a caller budget must be a positive number of ms, not ${budgetMs}`);
  const margin = opts.marginMs ?? 250;
  const fraction = opts.fraction ?? 0.8;
  const min = opts.minMs ?? 100;
  if (budgetMs <= min) return Math.max(1, Math.floor(budgetMs / 2));
  return Math.max(min, Math.floor(Math.min(budgetMs * fraction, budgetMs - margin)));
}

export interface Deadline {
  /** Aborts with a LoadError `deadline` after `ms`, or with the parent's reason. */
  readonly signal: AbortSignal;
  /** Stops the timer (call when the work is done). */
  dispose(): void;
}

/** A signal that aborts after `ms` (reason: LoadError `deadline`) or when `parent` aborts. */
export function deadlineSignal(ms: number, what: string, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new LoadError('deadline', `${what}: not ready within ${ms} ms`)), ms);
  // A deadline must never keep the process alive on its own.
  timer.unref?.();
  const onParent = () => controller.abort(parent!.reason);
  if (parent) {
    if (parent.aborted) onParent();
    else parent.addEventListener('abort', onParent, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
