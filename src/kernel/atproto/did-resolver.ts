// Step 4's I/O: fetch a DID document (did:plc from a PLC directory, did:web from the
// host's well-known path) and, for bundles, a did:plc audit log. Documents are cached
// by DID for a short while, and concurrent lookups of one DID share one request.

import { NetError } from '../net/errors.js';
import { untilAborted } from '../net/until-aborted.js';
import type { RequestGate } from '../net/http.js';
import { VerifyError } from '../proof/errors.js';
import { type DidDocument, MAX_DID_DOCUMENT_BYTES, parseDidDocument } from './did-document.js';
import { type FetchPolicy, getBytes } from './fetch.js';

export const DEFAULT_PLC_URL = 'https://plc.directory';
export const MAX_AUDIT_LOG_BYTES = 1024 * 1024;
const MAX_CACHED_DIDS = 10_000;

export interface ResolvedDid {
  /** The document bytes as served, kept for offline bundles. */
  raw: Uint8Array;
  doc: DidDocument;
}

export interface DidResolverOptions {
  plcUrl: string;
  timeoutMs: number;
  /** For URLs taken from untrusted data (did:web hosts). The PLC URL is the operator's own. */
  allowPrivate: boolean;
  /** did:web over plain http (tests only). */
  allowHttpWeb?: boolean;
  cacheTtlMs?: number;
  /** Extra trusted CA certificates (PEM) for the PLC directory and did:web hosts. */
  ca?: string;
  /** Aborts requests in flight (the command's overall deadline). */
  signal?: AbortSignal;
  /** Per-host request slots (net/http.ts RequestGate). */
  gate?: RequestGate;
}

/** `did:web:<host>` (port percent-encoded) → its document URL; paths are not supported. */
export function didWebUrl(did: string, allowHttp = false): string {
  const rest = did.slice('did:web:'.length);
  if (rest.length === 0 || rest.includes(':')) {
    throw new VerifyError('did-resolution-failed', `${did}: only host-level did:web is supported`);
  }
  let host: string;
  try {
    host = decodeURIComponent(rest);
  } catch {
    throw new VerifyError('did-resolution-failed', `${did}: malformed host`);
  }
  if (!/^[a-zA-Z0-9.-]+(:\d{1,5})?$/.test(host)) throw new VerifyError('did-resolution-failed', `${did}: malformed host`);
  return `${allowHttp ? 'http' : 'https'}://${host}/.well-known/did.json`;
}

/** A fetch stopped by an abort signal (the net layer's `aborted`, wrapped by getBytes). */
function isAborted(err: unknown): boolean {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return (cause as { code?: string } | null)?.code === 'aborted';
}

/** Why a caller stopped waiting for a resolution (shared: it goes on for the others). */
function abortedResolving(did: string): VerifyError {
  return new VerifyError('did-resolution-failed', `resolving ${did} aborted`, { unavailable: true, cause: new NetError('aborted', `resolving ${did} aborted`, did) });
}

export class DidResolver {
  private readonly cache = new Map<string, { expires: number; value: Promise<ResolvedDid> }>();

  constructor(private readonly opts: DidResolverOptions) {}

  /** The resolver's own signal and the caller's, either of which stops a request. */
  private signalFor(signal: AbortSignal | undefined): AbortSignal | undefined {
    const own = this.opts.signal;
    if (!signal) return own;
    return own ? AbortSignal.any([own, signal]) : signal;
  }

  private plcPolicy(signal?: AbortSignal): FetchPolicy {
    return { timeoutMs: this.opts.timeoutMs, allowPrivate: true, allowHttp: true, ca: this.opts.ca, signal: this.signalFor(signal), gate: this.opts.gate };
  }

  /**
   * The document of `did`; `signal` (the caller's) stops this caller's wait. A lookup
   * shared with a caller who gave up is not a failure for the others: they ask again.
   */
  async resolve(did: string, signal?: AbortSignal): Promise<ResolvedDid> {
    try {
      return await untilAborted(this.shared(did, signal), signal, () => abortedResolving(did));
    } catch (err) {
      if (signal?.aborted || !isAborted(err)) throw err;
      return untilAborted(this.shared(did, signal), signal, () => abortedResolving(did));
    }
  }

  private shared(did: string, signal: AbortSignal | undefined): Promise<ResolvedDid> {
    const now = Date.now();
    const hit = this.cache.get(did);
    if (hit && hit.expires > now) return hit.value;
    const value = this.fetchDocument(did, signal);
    const entry = { expires: now + (this.opts.cacheTtlMs ?? 60_000), value };
    // Bounded for long-running callers: the oldest entry goes first.
    if (this.cache.size >= MAX_CACHED_DIDS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.delete(did);
    this.cache.set(did, entry);
    // Failures are not remembered: the next verification asks again.
    value.catch(() => {
      if (this.cache.get(did) === entry) this.cache.delete(did);
    });
    return value;
  }

  private async fetchDocument(did: string, signal: AbortSignal | undefined): Promise<ResolvedDid> {
    let url: string;
    let policy: FetchPolicy;
    if (did.startsWith('did:plc:')) {
      url = `${this.opts.plcUrl.replace(/\/+$/, '')}/${did}`;
      policy = this.plcPolicy(signal);
    } else if (did.startsWith('did:web:')) {
      url = didWebUrl(did, this.opts.allowHttpWeb);
      policy = {
        timeoutMs: this.opts.timeoutMs,
        allowPrivate: this.opts.allowPrivate,
        allowHttp: !!this.opts.allowHttpWeb,
        ca: this.opts.ca,
        signal: this.signalFor(signal),
        gate: this.opts.gate,
      };
    } else {
      throw new VerifyError('did-resolution-failed', `${did} is neither did:plc nor did:web`);
    }
    const res = await getBytes(url, 'did-resolution-failed', MAX_DID_DOCUMENT_BYTES, policy, 'application/json');
    if (res.status !== 200) throw new VerifyError('did-resolution-failed', `${url} answered ${res.status}`);
    return { raw: res.body, doc: parseDidDocument(res.body, did) };
  }

  /** The PLC directory's audit log of a did:plc, as served (for offline bundles). */
  async auditLog(did: string, signal?: AbortSignal): Promise<Uint8Array> {
    const url = `${this.opts.plcUrl.replace(/\/+$/, '')}/${did}/log/audit`;
    const res = await getBytes(url, 'did-resolution-failed', MAX_AUDIT_LOG_BYTES, this.plcPolicy(signal), 'application/json');
    if (res.status !== 200) throw new VerifyError('did-resolution-failed', `${url} answered ${res.status}`);
    return res.body;
  }
}
