// How many verifications run at once: globally, and per upstream host (a registry, a PDS),
// so one slow or rate-limiting host cannot take every slot. Waiters queue in arrival
// order with a bounded queue; a waiter whose signal aborts (its deadline) leaves the
// queue at once and gets an error, never a slot later.

import { abortError, LoadError } from './errors.js';
import type { CacheMetrics, LimitScope } from './metrics.js';
import { noopMetrics } from './metrics.js';

export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
}

export class Semaphore {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    readonly limit: number,
    readonly maxQueue: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit must be a positive integer, not ${limit}`);
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError(`a queue bound must be a non-negative integer, not ${maxQueue}`);
  }

  /** Slots held. */
  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  get idle(): boolean {
    return this.active === 0 && this.queue.length === 0;
  }

  /** A slot, now or in turn. Rejects with LoadError `overloaded` when the queue is full, or the signal's error. */
  acquire(signal?: AbortSignal, what = 'verification'): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortError(signal, what));
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new LoadError('overloaded', `${what}: ${this.queue.length} verifications already waiting`));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(abortError(signal!, what));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // Hand the slot straight to the next waiter: no later arrival can barge in.
      const next = this.queue.shift();
      if (next) next.grant(this.releaser());
      else this.active--;
    };
  }
}

export interface LimiterOptions {
  /** Verifications at once in the process (default 64). */
  global?: number;
  /** Verifications at once per host (default 8). */
  perHost?: number;
  /** Waiters per semaphore before new ones are refused as `overloaded` (default 1024). */
  maxQueue?: number;
  metrics?: CacheMetrics;
}

export class ConcurrencyLimiter {
  private readonly global: Semaphore;
  private readonly hosts = new Map<string, Semaphore>();
  private readonly perHost: number;
  private readonly maxQueue: number;
  private readonly metrics: CacheMetrics;

  constructor(opts: LimiterOptions = {}) {
    this.maxQueue = opts.maxQueue ?? 1024;
    this.perHost = opts.perHost ?? 8;
    this.global = new Semaphore(opts.global ?? 64, this.maxQueue);
    // Checked here so a bad value fails at start, not on the first request.
    new Semaphore(this.perHost, this.maxQueue);
    this.metrics = opts.metrics ?? noopMetrics;
  }

  /** Slots held in total. */
  get inUse(): number {
    return this.global.inUse;
  }

  /** Hosts with a slot held or a waiter (semaphores of idle hosts are dropped). */
  get activeHosts(): number {
    return this.hosts.size;
  }

  /**
   * One slot of every named host and one global slot. Host slots are taken first, in
   * sorted order, so waiting for a busy host holds no global slot and two acquirers can
   * never wait on each other.
   */
  async acquire(hosts: readonly string[], signal?: AbortSignal, what = 'verification'): Promise<Release> {
    const held: Release[] = [];
    const releaseAll = () => {
      for (const r of held.splice(0).reverse()) r();
      this.dropIdle(hosts);
    };
    try {
      for (const host of [...new Set(hosts)].sort()) held.push(await this.take('host', this.host(host), signal, what));
      held.push(await this.take('global', this.global, signal, what));
    } catch (err) {
      releaseAll();
      if (err instanceof LoadError) this.metrics.queueRejected(err.code);
      throw err;
    }
    this.metrics.inFlight(1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.metrics.inFlight(-1);
      releaseAll();
    };
  }

  /** Runs `fn` holding the slots. */
  async run<T>(hosts: readonly string[], fn: () => Promise<T>, signal?: AbortSignal, what?: string): Promise<T> {
    const release = await this.acquire(hosts, signal, what);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async take(scope: LimitScope, sem: Semaphore, signal: AbortSignal | undefined, what: string): Promise<Release> {
    const t0 = performance.now();
    const release = await sem.acquire(signal, what);
    this.metrics.queueWait(scope, (performance.now() - t0) / 1000);
    return release;
  }

  private host(name: string): Semaphore {
    let sem = this.hosts.get(name);
    if (!sem) {
      sem = new Semaphore(this.perHost, this.maxQueue);
      this.hosts.set(name, sem);
    }
    return sem;
  }

  private dropIdle(hosts: readonly string[]): void {
    for (const h of hosts) if (this.hosts.get(h)?.idle) this.hosts.delete(h);
  }
}
