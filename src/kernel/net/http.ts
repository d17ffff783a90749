// One HTTP request with the limits every kernel fetch needs: a total deadline, a hard
// body cap, no automatic redirects, and (unless allowed) no private destinations. The
// address check runs inside the socket's DNS lookup, so the address checked is the
// address connected to: a name cannot resolve to a public address for the check and a
// private one for the connection.
//
// Trust: Node's CA store (Mozilla's roots plus NODE_EXTRA_CA_CERTS), plus any extra CA
// certificates a caller passes per request (`ca`, the CLI's --ca-file). Extra CAs add to
// the store; they never replace it. There is no process-wide trust setting: a server
// holding several verifiers with different CAs must never mix them up.

import dns from 'node:dns';
import http from 'node:http';
import { isIP } from 'node:net';
import { isPrivateAddress } from './address.js';
import { NetError } from './errors.js';
import { POOL, publicOnlyLookup } from './pool.js';

export { NetError, type NetErrorCode } from './errors.js';
export { isPrivateAddress, isLoopbackHost } from './address.js';

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Deadline for the whole exchange: connect, send, headers and body. */
  timeoutMs: number;
  /** Largest response body accepted; larger bodies abort the request. */
  maxBytes: number;
  /** Permit loopback, private, link-local and other non-public destinations. */
  allowPrivate: boolean;
  /** Permit plain `http://`. */
  allowHttp?: boolean;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), e.g. a test server's: added to the default trust. */
  ca?: string | Buffer;
  /** Held for the whole exchange: a long-running caller's bound on requests per host. */
  gate?: RequestGate;
}

/**
 * A slot for one request to `host` (`hostname:port` as in the URL), released by calling
 * what it resolves to; rejects when no slot is free in time (the request then fails as
 * `connect`, or `aborted` when `signal` aborted). The kernel holds no limits of its own:
 * the service passes its per-host limiter (src/serve/upstream-limit.ts).
 */
export type RequestGate = (host: string, signal?: AbortSignal) => Promise<() => void>;

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Uint8Array;
  url: string;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Verification failures that mean "no trusted CA issued this chain". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

function classify(err: unknown, url: string): NetError {
  if (err instanceof NetError) return err;
  const code = (err as { code?: string } | null)?.code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (UNTRUSTED.has(code)) {
    return new NetError('tls', `TLS failure for ${url}: untrusted certificate (${msg}); its CA is not among the trusted ones`, url, { cause: err });
  }
  if (TLS_CODE.test(code)) return new NetError('tls', `TLS failure for ${url}: ${msg}`, url, { cause: err });
  return new NetError('connect', `cannot reach ${url}: ${msg}`, url, { cause: err });
}

// Kept-alive plain-HTTP connections, pooled separately by policy (see pool.ts); the HTTPS
// agents are in tls-agents.ts, loaded on the first https:// request.
const AGENTS = {
  public: new http.Agent({ ...POOL, lookup: publicOnlyLookup }),
  any: new http.Agent(POOL),
};

let tlsAgents: Promise<typeof import('./tls-agents.js')> | undefined;
/** node:https and node:tls only for an https:// request: a plain-HTTP process never loads them. */
const secure = () => (tlsAgents ??= import('./tls-agents.js'));

/** A pooled socket the server had already closed: safe to retry an idempotent request once. */
class StaleSocket extends Error {}

export async function request(url: string, opts: RequestOptions): Promise<HttpResponse> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new NetError('http-scheme', `not a URL: ${url}`, url, { cause });
  }
  const isHttps = parsed.protocol === 'https:';
  if (!isHttps && !(parsed.protocol === 'http:' && opts.allowHttp)) {
    throw new NetError('http-scheme', `refusing ${parsed.protocol}// for ${url}: only https is allowed`, url);
  }
  const host = hostOf(parsed);
  // An IP literal never goes through DNS, so the lookup hook would not see it.
  if (!opts.allowPrivate && isIP(host.split('%')[0]!) !== 0 && isPrivateAddress(host)) {
    throw new NetError('private-address', `refusing non-public address ${host} in ${url}`, url);
  }
  const method = (opts.method ?? 'GET').toUpperCase();
  const deadline = Date.now() + opts.timeoutMs;
  const release = opts.gate ? await passGate(opts.gate, parsed.host, url, opts.signal) : undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await exchange(parsed, url, method, isHttps, opts, deadline);
      } catch (e) {
        if (!(e instanceof StaleSocket)) throw e;
        if (attempt > 0 || (method !== 'GET' && method !== 'HEAD')) {
          throw new NetError('connect', `connection to ${url} was reset`, url, { cause: e.cause });
        }
      }
    }
  } finally {
    release?.();
  }
}

async function passGate(gate: RequestGate, host: string, url: string, signal: AbortSignal | undefined): Promise<() => void> {
  try {
    return await gate(host, signal);
  } catch (cause) {
    if (signal?.aborted) throw new NetError('aborted', `request to ${url} aborted while waiting for a slot for ${host}`, url, { cause });
    throw new NetError('connect', `no slot for another request to ${host}: ${cause instanceof Error ? cause.message : String(cause)}`, url, { cause });
  }
}

async function exchange(
  parsed: URL,
  url: string,
  method: string,
  isHttps: boolean,
  opts: RequestOptions,
  deadline: number,
): Promise<HttpResponse> {
  if (opts.signal?.aborted) return Promise.reject(new NetError('aborted', `request to ${url} aborted`, url));
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['content-length'] = String(body.byteLength);
  }

  const tls = isHttps ? await secure() : undefined;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const req = (tls ? tls.https : http).request(parsed, {
      method,
      headers,
      agent: tls ? tls.httpsAgent(opts.allowPrivate, opts.ca) : opts.allowPrivate ? AGENTS.any : AGENTS.public,
      lookup: opts.allowPrivate ? undefined : publicOnlyLookup,
    });
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      req.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new NetError('timeout', `request to ${url} timed out after ${opts.timeoutMs} ms`, url)),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => fail(new NetError('aborted', `request to ${url} aborted`, url));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };

    req.on('error', (err) => {
      const code = (err as { code?: string }).code;
      if (req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) return fail(new StaleSocket('stale socket', { cause: err }));
      fail(classify(err, url));
    });
    req.on('response', (res) => {
      // A HEAD answer's content-length describes the resource, not a body we read.
      const declared = method === 'HEAD' ? NaN : Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        fail(new NetError('too-large', `response from ${url} declares ${declared} bytes, limit ${opts.maxBytes}`, url));
        return res.destroy();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) {
          fail(new NetError('too-large', `response from ${url} exceeds ${opts.maxBytes} bytes`, url));
          return res.destroy();
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(classify(err, url)));
      res.on('aborted', () => fail(new NetError('connect', `connection to ${url} closed mid-response`, url)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        const out: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          const value = res.rawHeaders[i + 1]!;
          out[name] = name in out ? `${out[name]}, ${value}` : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: new Uint8Array(Buffer.concat(chunks)), url });
      });
    });
    req.end(body);
  });
}

/** True for the 3xx statuses that carry a Location to follow. */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/**
 * Follows at most `maxRedirects` (default 3) redirects, only to the same origin (scheme,
 * host and port). A redirect elsewhere, or one too many, is returned as the 3xx response
 * itself for the caller to treat as a failure. 303 turns the request into a GET.
 */
export async function followSameHost(
  url: string,
  opts: RequestOptions,
  maxRedirects = 3,
): Promise<HttpResponse> {
  let current = url;
  let currentOpts = opts;
  for (let hop = 0; ; hop++) {
    const res = await request(current, currentOpts);
    if (!isRedirect(res.status) || hop >= maxRedirects) return res;
    const location = res.headers['location'];
    if (!location) return res;
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return res;
    }
    if (next.origin !== new URL(current).origin) return res;
    if (res.status === 303) currentOpts = { ...currentOpts, method: 'GET', body: undefined };
    current = next.toString();
  }
}
