// The service's Kyverno endpoint on loopback HTTPS for the corpus: POST {"images": [...]}
// → {"results": {image: facts}} in the service's wire format (docs/compile-kyverno.md),
// answering from a table of decision inputs keyed by the path prefix the ClusterPolicy's
// service URL carries (`/<namespace>/<name>/kyverno/v1/facts`: the admitted object's), so
// one Kyverno process can put many cases with the same image to it. Kyverno's own HTTP
// client (a new transport per call, the caBundle as its only roots) talks to it; every
// request's headers are recorded.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FACTS_PATH } from '../../src/backends/kyverno/index.js';
import { factsFor, type ImageFacts } from '../backends/kyverno/fake-service.js';

const TLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'tls');

export interface FactsRequest {
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  images: unknown;
}

export interface KyvernoFactsServer {
  /** The service URL to compile with: Kyverno substitutes the object's namespace and name. */
  serviceUrl: string;
  /** The facts of each image, by `<namespace>/<name>` of the admitted object. */
  table: Map<string, Record<string, ImageFacts>>;
  requests: FactsRequest[];
  close(): Promise<void>;
}

export async function startKyvernoFacts(): Promise<KyvernoFactsServer> {
  const table = new Map<string, Record<string, ImageFacts>>();
  const requests: FactsRequest[] = [];
  const server: Server = createServer({ key: readFileSync(join(TLS_DIR, 'server.key')), cert: readFileSync(join(TLS_DIR, 'server.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Kyverno builds a new HTTP transport for every call: nothing to keep alive for.
      const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
      const m = /^\/([^/]+)\/([^/]+)(\/.*)$/u.exec(req.url ?? '');
      let images: unknown;
      try {
        images = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { images?: unknown }).images;
      } catch {
        images = undefined;
      }
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], authorization: req.headers.authorization, images });
      const facts = m && m[3] === FACTS_PATH ? table.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`) : undefined;
      if (req.method !== 'POST' || !facts) return reply(404, { error: `no facts for ${req.method} ${req.url}` });
      if (!Array.isArray(images) || images.some((i) => typeof i !== 'string')) return reply(400, { error: 'images must be an array of strings' });
      const results: Record<string, unknown> = {};
      for (const image of images as string[]) results[image] = factsFor(image, facts[image]);
      reply(200, { results });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    serviceUrl: `https://localhost:${port}/{{ request.object.metadata.namespace }}/{{ request.object.metadata.name }}`,
    table,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
