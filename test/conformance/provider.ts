// A Gatekeeper external-data provider on loopback HTTPS, answering from a table of facts
// per key (what `atcr-verify serve` answers from the kernel), so Gatekeeper's real client
// code (TLS 1.3, caBundle-only roots, optional client certificate) is what talks to it.
// Modes make it misbehave for the fail-closed tests.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';

const TLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'tls');
export const TEST_CA_PEM = readFileSync(join(TLS_DIR, 'ca.pem'), 'utf8');

export type ProviderMode = 'answer' | 'junk' | 'slow' | 'http-500' | 'system-error';

export interface ProviderAnswer {
  value?: unknown;
  error?: string;
}

export interface FactsProvider {
  url: string;
  /** Answers by key; a key not in the table gets no item. */
  table: Map<string, ProviderAnswer>;
  mode: ProviderMode;
  /** Every request: the keys asked for and the client certificate's subject CN ('' if none). */
  requests: { keys: string[]; clientCN: string; contentType: string }[];
  close(): Promise<void>;
}

export interface ProviderOptions {
  /** PEM CA that client certificates must chain to (mTLS); without it no client cert is asked for. */
  clientCA?: string;
  /** How long 'slow' waits before answering, in ms. */
  slowMs?: number;
}

export async function startProvider(opts: ProviderOptions = {}): Promise<FactsProvider> {
  const table = new Map<string, ProviderAnswer>();
  const requests: FactsProvider['requests'] = [];
  const state = { mode: 'answer' as ProviderMode };
  const server: Server = createServer(
    {
      key: readFileSync(join(TLS_DIR, 'server.key')),
      cert: readFileSync(join(TLS_DIR, 'server.pem')),
      minVersion: 'TLSv1.3',
      ...(opts.clientCA ? { ca: opts.clientCA, requestCert: true, rejectUnauthorized: true } : {}),
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 16 << 20) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate?.();
        let keys: string[] = [];
        try {
          keys = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { keys?: string[] } }).request?.keys ?? [];
        } catch {
          /* answered below as an empty request */
        }
        requests.push({ keys, clientCN: peer?.subject?.CN ?? '', contentType: String(req.headers['content-type'] ?? '') });
        const send = () => {
          if (state.mode === 'junk') {
            res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
            return;
          }
          const items = keys.flatMap((key) => {
            const a = table.get(key);
            return a ? [{ key, ...(a.error ? { error: a.error } : { value: a.value }) }] : [];
          });
          const body = {
            apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
            kind: 'ProviderResponse',
            response: state.mode === 'system-error' ? { idempotent: true, systemError: 'verification backend unavailable' } : { idempotent: true, items },
          };
          res.writeHead(state.mode === 'http-500' ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        };
        if (state.mode === 'slow') setTimeout(send, opts.slowMs ?? 3000).unref();
        else send();
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}/gatekeeper/v1/provider`,
    table,
    get mode() {
      return state.mode;
    },
    set mode(m: ProviderMode) {
      state.mode = m;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
