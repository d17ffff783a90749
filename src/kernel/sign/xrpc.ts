// The three PDS calls signing makes, as plain XRPC over the bounded HTTP client: log in
// with an app password, ask which key signs the repository, write the record.

import { isLoopbackHost } from '../net/address.js';
import { NetError, request, type HttpResponse } from '../net/http.js';
import { SignError } from './errors.js';

export interface PdsOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM) for the PDS, added to the default trust. */
  ca?: string;
}

export interface Session {
  did: string;
  handle: string;
  accessJwt: string;
}

export interface CreatedRecord {
  uri: string;
  cid: string;
  commit?: { cid: string; rev: string };
}

const MAX_XRPC_BYTES = 1024 * 1024;

async function xrpc(
  pds: string,
  method: string,
  opts: PdsOptions,
  init: { body?: unknown; token?: string; get?: boolean },
): Promise<{ res: HttpResponse; json: Record<string, unknown> }> {
  const base = new URL(pds);
  const url = new URL(`/xrpc/${method}`, base).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  let res: HttpResponse;
  try {
    res = await request(url, {
      method: init.get ? 'GET' : 'POST',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      timeoutMs: opts.timeoutMs,
      maxBytes: MAX_XRPC_BYTES,
      // The PDS is the signer's own choice, so private hosts are fine; plain http only on loopback.
      allowPrivate: true,
      allowHttp: isLoopbackHost(base.hostname),
      signal: opts.signal,
      ca: opts.ca,
    });
  } catch (e) {
    if (e instanceof NetError && e.code === 'http-scheme') {
      throw new SignError('pds-error', `the PDS URL ${pds} must use https (http only for loopback)`, { cause: e });
    }
    throw new SignError('pds-unavailable', `PDS ${base.origin}: ${(e as Error).message}`, { cause: e });
  }
  let json: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(Buffer.from(res.body).toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    json = {};
  }
  return { res, json };
}

function xrpcFailure(method: string, res: HttpResponse, json: Record<string, unknown>): string {
  const detail = [json.error, json.message].filter((x) => typeof x === 'string').join(': ');
  return `${method} answered ${res.status}${detail ? ` (${detail})` : ''}`;
}

export async function createSession(pds: string, identifier: string, password: string, opts: PdsOptions): Promise<Session> {
  const { res, json } = await xrpc(pds, 'com.atproto.server.createSession', opts, { body: { identifier, password } });
  if (res.status === 401 || res.status === 400) {
    throw new SignError('login-failed', `the PDS refused the login for ${identifier}: ${xrpcFailure('createSession', res, json)}`);
  }
  if (res.status >= 500) throw new SignError('pds-unavailable', xrpcFailure('createSession', res, json));
  if (res.status !== 200 || typeof json.did !== 'string' || typeof json.accessJwt !== 'string') {
    throw new SignError('pds-error', xrpcFailure('createSession', res, json));
  }
  return { did: json.did, handle: typeof json.handle === 'string' ? json.handle : '', accessJwt: json.accessJwt };
}

/** The did:key the PDS signs commits with, when it says so; undefined otherwise. */
export async function repoSigningKey(pds: string, session: Session, opts: PdsOptions): Promise<string | undefined> {
  try {
    const { res, json } = await xrpc(pds, 'com.atproto.identity.getRecommendedDidCredentials', opts, { token: session.accessJwt, get: true });
    const key = (json.verificationMethods as Record<string, unknown> | undefined)?.atproto;
    return res.status === 200 && typeof key === 'string' ? key : undefined;
  } catch {
    return undefined; // only a hint for the payload; never worth failing the signature
  }
}

export async function createRecord(
  pds: string,
  session: Session,
  collection: string,
  record: Record<string, unknown>,
  opts: PdsOptions,
): Promise<CreatedRecord> {
  const { res, json } = await xrpc(pds, 'com.atproto.repo.createRecord', opts, {
    token: session.accessJwt,
    body: { repo: session.did, collection, record },
  });
  if (res.status >= 500) throw new SignError('pds-unavailable', xrpcFailure('createRecord', res, json));
  if (res.status !== 200 || typeof json.uri !== 'string' || typeof json.cid !== 'string') {
    throw new SignError('pds-error', xrpcFailure('createRecord', res, json));
  }
  const out: CreatedRecord = { uri: json.uri, cid: json.cid };
  const commit = json.commit as Record<string, unknown> | undefined;
  if (commit && typeof commit.cid === 'string' && typeof commit.rev === 'string') out.commit = { cid: commit.cid, rev: commit.rev };
  return out;
}
