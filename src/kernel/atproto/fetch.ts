// The kernel's HTTP GET for ATProto services: net-layer limits, and failures mapped to
// a step's code, marking "could not reach" apart from "answered no".

import { NetError, request, type RequestGate } from '../net/http.js';
import { VerifyError, type VerifyCode } from '../proof/errors.js';

export interface FetchPolicy {
  timeoutMs: number;
  /** Loopback/private destinations allowed (tests, local development). */
  allowPrivate: boolean;
  /** Plain http allowed. */
  allowHttp: boolean;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), added to the default trust. */
  ca?: string;
  /** Per-host request slots of a long-running caller (net/http.ts). */
  gate?: RequestGate;
}

export async function getBytes(
  url: string,
  code: VerifyCode,
  maxBytes: number,
  policy: FetchPolicy,
  accept?: string,
): Promise<{ status: number; body: Uint8Array }> {
  try {
    const res = await request(url, {
      method: 'GET',
      headers: accept ? { accept } : {},
      timeoutMs: policy.timeoutMs,
      maxBytes,
      allowPrivate: policy.allowPrivate,
      allowHttp: policy.allowHttp,
      signal: policy.signal,
      ca: policy.ca,
      ...(policy.gate ? { gate: policy.gate } : {}),
    });
    if (res.status >= 500 || res.status === 429) {
      throw new VerifyError(code, `${url} answered ${res.status}`, { unavailable: true });
    }
    return { status: res.status, body: res.body };
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    if (err instanceof NetError) {
      // A refused address or an oversized answer is the document's fault, not an outage.
      const unavailable = err.code === 'timeout' || err.code === 'connect' || err.code === 'tls' || err.code === 'aborted';
      throw new VerifyError(code, err.message, { cause: err, unavailable });
    }
    throw new VerifyError(code, `request to ${url} failed: ${String(err)}`, { cause: err, unavailable: true });
  }
}
