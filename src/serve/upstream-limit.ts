// How much the service asks of one upstream host at once. Every request the kernel makes
// for the service (registry and token service, PLC directory, did:web host, PDS, handle
// host) takes a slot of its host and one of the process first: the verification limits
// (cache/limiter.ts, per image registry) cannot see a PDS, which is known only from a DID
// document inside the verification, and one PDS may hold the signatures of many images.
// A separate limiter from the verifications' own, so a verification holding a registry
// slot never waits on a slot of the same semaphore.

import type { RequestGate } from '../kernel/index.js';
import { ConcurrencyLimiter } from './cache/limiter.js';

/** Requests at once to one host (default). */
export const DEFAULT_HOST_REQUESTS = 8;
/** Each verification checks up to this many signatures at once (the kernel's default). */
const SIGNATURES_AT_ONCE = 8;

export function upstreamGate(opts: { perHost: number; maxVerifications: number }): RequestGate {
  const limiter = new ConcurrencyLimiter({ perHost: opts.perHost, global: opts.maxVerifications * SIGNATURES_AT_ONCE });
  return (host, signal) => limiter.acquire([host], signal, `request to ${host}`);
}
