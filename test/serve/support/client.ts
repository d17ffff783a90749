// A client of the service as Gatekeeper and Kyverno are: HTTPS with the service's CA
// (and a client certificate for mTLS), JSON bodies, the status and headers kept.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Issued } from './certs.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface ClientTls {
  ca?: string;
  client?: Issued;
}

export function call(base: string, method: string, path: string, body?: unknown, tls: ClientTls = {}, headers: Record<string, string> = {}): Promise<Reply> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        headers: { ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers },
        ...(url.protocol === 'https:'
          ? {
              ca: tls.ca,
              ...(tls.client ? { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) } : {}),
              agent: false,
            }
          : { agent: false }),
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

export function providerRequest(keys: string[]): unknown {
  return { apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderRequest', request: { keys } };
}
