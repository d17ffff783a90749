// Handle → DID, for the image owner (signature-format.md "Owner"): the DNS TXT record
// `_atproto.<handle>` first, then `https://<handle>/.well-known/atproto-did`. The DID's
// document must list the handle in `alsoKnownAs`, or the handle is not the DID's.

import { Resolver } from 'node:dns/promises';
import { untilAborted } from '../net/until-aborted.js';
import { VerifyError } from '../proof/errors.js';
import { isDid } from '../proof/payload.js';
import type { DidDocument } from './did-document.js';
import type { DidResolver } from './did-resolver.js';
import { type FetchPolicy, getBytes } from './fetch.js';

const HANDLE = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isHandle(text: string): boolean {
  return text.length <= 253 && HANDLE.test(text.toLowerCase());
}

export interface HandleResolverOptions extends FetchPolicy {
  /** Where the well-known document of a handle lives (tests point this at a local server). */
  wellKnownUrl?: (handle: string) => string;
  /** DNS lookups; false skips DNS (tests, or no resolver configured). */
  dns?: boolean;
  /** DNS servers (`ip` or `ip:port`) instead of the system's. */
  dnsServers?: string[];
}

/** DNS's own answers that a name has no such record; any other failure means DNS could not be asked. */
const DNS_ANSWERS = new Set(['ENODATA', 'ENOTFOUND']);

/** What DNS said: a DID, none (`did` null), or nothing because it could not be asked (`asked` false). */
interface DnsAnswer {
  did: string | null;
  asked: boolean;
  error?: string;
}

/**
 * The DID in `_atproto.<handle>`'s TXT records, or null when DNS gives none (or two). One
 * resolver per lookup, so that the caller's signal cancels this query alone; the query
 * also ends at `timeoutMs` in all (c-ares's own timeout is per server and try).
 */
async function fromDns(handle: string, opts: HandleResolverOptions): Promise<DnsAnswer> {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.dnsServers) resolver.setServers(opts.dnsServers);
  const { signal } = opts;
  const cancel = () => resolver.cancel();
  const timer = setTimeout(cancel, opts.timeoutMs);
  signal?.addEventListener('abort', cancel, { once: true });
  let records: string[][];
  try {
    records = await untilAborted(resolver.resolveTxt(`_atproto.${handle}`), signal, () => {
      return new VerifyError('did-resolution-failed', `looking up _atproto.${handle} in DNS aborted`, { unavailable: true });
    });
  } catch (err) {
    // Past the deadline nothing was learned: "could not ask", not "does not resolve".
    if (signal?.aborted) throw err;
    const code = (err as { code?: string } | null)?.code ?? 'error';
    return { did: null, asked: DNS_ANSWERS.has(code), error: code };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
  const dids = new Set(records.map((chunks) => chunks.join('')).filter((t) => t.startsWith('did=')).map((t) => t.slice(4)));
  // Two different answers are ambiguous: trust neither.
  return { did: dids.size === 1 ? [...dids][0]! : null, asked: true };
}

async function fromWellKnown(handle: string, opts: HandleResolverOptions): Promise<string | null> {
  const url = opts.wellKnownUrl ? opts.wellKnownUrl(handle) : `https://${handle}/.well-known/atproto-did`;
  try {
    const res = await getBytes(url, 'did-resolution-failed', 2048, opts);
    if (res.status !== 200) return null;
    const text = new TextDecoder().decode(res.body).trim();
    return isDid(text) ? text : null;
  } catch (err) {
    // Past the deadline nothing was learned: "could not ask", not "does not resolve".
    if (opts.signal?.aborted) throw err;
    return null;
  }
}

/** How a handle was found to point to a DID. */
export type HandleMethod = 'dns' | 'well-known';

/** The DID a handle points to, and how: DNS first, then the well-known document. Unchecked. */
export async function lookupHandle(handle: string, opts: HandleResolverOptions): Promise<{ did: string; method: HandleMethod }> {
  const h = handle.toLowerCase();
  if (!isHandle(h)) throw new VerifyError('did-resolution-failed', `${JSON.stringify(handle)} is not a handle`);
  const viaDns: DnsAnswer = opts.dns === false ? { did: null, asked: true } : await fromDns(h, opts);
  if (viaDns.did) return { did: viaDns.did, method: 'dns' };
  const viaWellKnown = await fromWellKnown(h, opts);
  if (viaWellKnown) return { did: viaWellKnown, method: 'well-known' };
  // A DNS server that failed (timeout, refusal, SERVFAIL) said nothing about the handle:
  // "could not ask" (a retry may resolve it), not "does not resolve".
  if (!viaDns.asked) {
    throw new VerifyError('did-resolution-failed', `handle ${h}: DNS could not be asked (${viaDns.error}) and its well-known document gave no DID`, { unavailable: true });
  }
  throw new VerifyError('did-resolution-failed', `handle ${h} does not resolve to a DID`);
}

/** The document must claim the handle back (`alsoKnownAs: at://<handle>`), or the handle is not the DID's. */
export function checkHandleClaim(handle: string, doc: DidDocument): void {
  const h = handle.toLowerCase();
  if (!doc.alsoKnownAs.some((aka) => aka.toLowerCase() === `at://${h}`)) {
    throw new VerifyError('did-document-invalid', `${doc.did} does not claim the handle ${h}`);
  }
}

/** The DID a handle points to and whose document claims the handle back. */
export async function resolveHandle(handle: string, dids: DidResolver, opts: HandleResolverOptions): Promise<string> {
  const { did } = await lookupHandle(handle, opts);
  checkHandleClaim(handle, (await dids.resolve(did)).doc);
  return did;
}
