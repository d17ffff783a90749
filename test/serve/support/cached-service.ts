// A service with the real cache (memory tier) over mTLS on the loopback world, for the
// load test and the benchmark.

import type { Logger } from 'pino';
import type { VerifierSettings } from '../../../src/kernel/index.js';
import { buildCache, type BuiltCache } from '../../../src/serve/cache-setup.js';
import { ServeMetrics } from '../../../src/serve/metrics.js';
import { type RunningServer, startServer } from '../../../src/serve/server.js';
import { GATEKEEPER_NAME, issue, makeCa, serverCert, type Issued, type Pki } from './certs.js';
import { silentLogger } from './log.js';

export interface CachedService {
  server: RunningServer;
  cache: BuiltCache;
  pki: Pki;
  client: Issued;
  close(): Promise<void>;
}

export async function startCachedService(settings: VerifierSettings, opts: { cacheSize?: number; logger?: Logger } = {}): Promise<CachedService> {
  const pki = makeCa();
  const cert = serverCert(pki);
  const client = issue(pki, 'gatekeeper', GATEKEEPER_NAME, 'clientAuth');
  const logger = opts.logger ?? silentLogger();
  const metrics = new ServeMetrics();
  const cache = buildCache(
    { cacheTtl: '10m', negativeTtl: '10m', tagTtl: '10m', cacheSize: String(opts.cacheSize ?? 100_000) },
    { registry: metrics.registry, settings, verificationMs: 10_000, logger },
    (m) => new Error(m),
  );
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    tls: { cert: cert.cert, key: cert.key, clientCa: pki.caCert },
    settings,
    cache: cache.cache,
    deadlineMs: 10_000,
    logger,
    metrics,
    limits: { maxKeys: 1000 },
  });
  return {
    server,
    cache,
    pki,
    client,
    async close() {
      await server.close();
      await cache.close();
    },
  };
}
