// The service's TLS: TLS 1.3 only (Gatekeeper requires it), the certificate, key and
// client CA re-read when their files change (no restart), and with a client CA, a client
// certificate required, chained to that CA and carrying the expected name — pinning the
// CA alone would admit any certificate it signs (integrations.md §1.2).

import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import tls from 'node:tls';
import { DEFAULT_PIPE_WAIT_MS, MAX_CA_FILE_BYTES, MAX_TLS_FILE_BYTES } from '../fs/limits.js';
import { FileReadError, readBounded } from '../fs/read-bounded.js';

export interface TlsFiles {
  cert: string;
  key: string;
  clientCa?: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

/** Reads and checks the files; throws an Error naming the file that is unusable. */
export async function readTls(files: TlsFiles): Promise<TlsMaterial> {
  // Bounded in size and time (a link to /dev/zero, a FIFO): a reload must not hang the service.
  const read = async (file: string, what: string, maxBytes: number) => {
    try {
      return await readBounded(file, { what, maxBytes, refuseEmpty: true, signal: AbortSignal.timeout(DEFAULT_PIPE_WAIT_MS) });
    } catch (err) {
      throw err instanceof FileReadError ? new Error(err.message) : err;
    }
  };
  // One after the other: when several are unusable, the message names the first, always.
  const m: TlsMaterial = { cert: await read(files.cert, '--tls-cert', MAX_TLS_FILE_BYTES), key: await read(files.key, '--tls-key', MAX_TLS_FILE_BYTES) };
  if (files.clientCa) m.clientCa = await read(files.clientCa, '--client-ca', MAX_CA_FILE_BYTES);
  try {
    tls.createSecureContext(contextOptions(m));
  } catch (err) {
    throw new Error(`the TLS certificate, key or client CA does not load: ${err instanceof Error ? err.message : String(err)}`);
  }
  return m;
}

export function contextOptions(m: TlsMaterial): tls.SecureContextOptions {
  return { cert: m.cert, key: m.key, minVersion: 'TLSv1.3', ...(m.clientCa ? { ca: m.clientCa } : {}) };
}

/** The DNS names and common name of a peer certificate. */
function namesOf(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const part of (cert.subjectAltName ?? '').split(', ')) if (part.startsWith('DNS:')) names.push(part.slice(4).toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  if (cn) names.push(cn.toLowerCase());
  return names;
}

/** Why the client of `socket` is refused, or null when its certificate is acceptable. */
export function clientRefusal(socket: TLSSocket, expectedName: string): string | null {
  if (!socket.authorized) return `client certificate not verified (${String(socket.authorizationError ?? 'none presented')})`;
  const peer = socket.getPeerX509Certificate();
  if (!peer) return 'no client certificate';
  const names = namesOf(peer);
  if (!names.includes(expectedName.toLowerCase())) return `client certificate names ${names.join(', ') || 'nothing'}, not ${expectedName}`;
  return null;
}
