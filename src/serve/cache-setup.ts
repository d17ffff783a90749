// The cache of `serve`, from its flags. Until the cache library is merged, every lookup
// verifies (no caching) and --redis is refused.

import type { FactSource } from './facts.js';

export interface CacheFlags {
  cacheTtl: string;
  negativeTtl: string;
  tagTtl: string;
  cacheSize: string;
  redis?: string;
  cacheKeyFile?: string;
}

export interface BuiltCache {
  cache: FactSource;
  ready: () => boolean;
  close: () => Promise<void>;
}

export async function buildCache(flags: CacheFlags, usage: (message: string) => Error): Promise<BuiltCache | null> {
  if (flags.redis) throw usage('--redis: this build has no shared cache');
  return null;
}
