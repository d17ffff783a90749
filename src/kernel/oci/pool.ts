// Registry clients for a long-running verifier. A client is cheap; what is worth keeping
// is what the registry granted: the token for one repository (its scope), reused by
// every later request for that repository until the registry answers 401 again. The
// per-call parts (the caller's abort signal) stay per client.

import type { ImageRef } from '../../ref/reference.js';
import { RegistryClient } from './client.js';
import type { AuthState, RegistryOptions } from './transport.js';

/** Repositories whose grants are kept; the least recently used goes first. */
export const DEFAULT_POOL_SIZE = 4096;

export class RegistryPool {
  private readonly grants = new Map<string, AuthState>();

  constructor(
    private readonly options: Omit<RegistryOptions, 'signal'>,
    private readonly maxEntries = DEFAULT_POOL_SIZE,
  ) {}

  /** A client for the image's repository sharing the pool's grant, bound to `signal`. */
  client(ref: Pick<ImageRef, 'registry' | 'repository'>, signal?: AbortSignal): RegistryClient {
    const key = `${ref.registry.toLowerCase()}\u0000${ref.repository}`;
    let auth = this.grants.get(key);
    if (auth) {
      this.grants.delete(key);
    } else {
      auth = {};
      if (this.grants.size >= this.maxEntries) this.grants.delete(this.grants.keys().next().value!);
    }
    this.grants.set(key, auth);
    return RegistryClient.forImage(ref, { ...this.options, ...(signal ? { signal } : {}) }, auth);
  }

  get size(): number {
    return this.grants.size;
  }
}
