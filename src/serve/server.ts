// The admission-time service: Gatekeeper's external data provider and mutation
// provider, Kyverno's facts endpoint, a plain verify API, metrics and health. Built
// from one ServeConfig; `startServer` returns a handle to stop it gracefully.

import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import pino, { type Logger } from 'pino';
import { escapeControls, escapeJsonText } from '../diagnostics/format.js';
import { DiscoveryError, Verifier, type VerifierSettings, type VerifyReport } from '../kernel/index.js';
import type { VerificationJson } from '../verification/decide.js';
import { type FactSource, FactService, factsOf, type FactsResult } from './facts.js';
import { ServeMetrics } from './metrics.js';
import { type LoadedPolicy, loadPolicy } from './policy.js';
import { clientRefusal, contextOptions, readTls, type TlsFiles } from './tls.js';
import { watchFiles, type Watch } from './watch.js';
import { requestJson } from './wire/body.js';
import { BadRequest } from './wire/errors.js';
import { factsValue, pinnedValue, providerKeys, providerResponseBytes, systemError } from './wire/gatekeeper.js';
import { factsImages, factsResponse, transientFailure } from './wire/kyverno.js';
import { verifyJson } from './wire/verify.js';

export const POLICY_HEADER = 'x-atcr-policy-sha256';
/** Requests slower than this are logged at info even when answered from the cache. */
const SLOW_REQUEST_MS = 50;

export interface ServeLimits {
  /** Largest request body (default 1 MiB). */
  maxBodyBytes: number;
  /** Most images in one request (default 1000). */
  maxKeys: number;
  /** Time to receive a request's headers (default 10 s). */
  headersTimeoutMs: number;
  /** Time to receive a whole request (default 30 s). */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after (default 30 s). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: ServeLimits = {
  maxBodyBytes: 1024 * 1024,
  maxKeys: 1000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
};

export interface ServeConfig {
  host: string;
  port: number;
  /** Absent only with insecure HTTP. */
  tls?: TlsFiles;
  /** With tls.clientCa: the name the client certificate must carry. */
  clientName?: string;
  policyFile?: string;
  settings: VerifierSettings;
  /** An answer's deadline, below the caller's budget (default 1.5 s: Gatekeeper's Provider timeout is 2 s). */
  deadlineMs?: number;
  /** One verification's own budget; with a cache it goes on past an answer's deadline to fill it (default 10 s). */
  verificationMs?: number;
  /** The cache in front of verification; absent: every lookup verifies. */
  cache?: FactSource;
  /**
   * Whether the shared Redis tier answers. Reported by /readyz, which stays ready without
   * it: the instance serves from memory and the network (failing safe, never open).
   */
  redisHealthy?: () => boolean;
  allowedRegistries?: string[];
  limits?: Partial<ServeLimits>;
  /** How often watched files are checked (default 1 s). */
  watchIntervalMs?: number;
  logger?: Logger;
  metrics?: ServeMetrics;
}

export interface RunningServer {
  url: string;
  port: number;
  metrics: ServeMetrics;
  policy(): LoadedPolicy | null;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

type Endpoint = 'gatekeeper-provider' | 'gatekeeper-mutate' | 'kyverno-facts' | 'verify' | 'metrics' | 'healthz' | 'readyz' | 'unknown';

const ROUTES: Record<string, Endpoint> = {
  'POST /gatekeeper/v1/provider': 'gatekeeper-provider',
  'POST /gatekeeper/v1/mutate': 'gatekeeper-mutate',
  'POST /kyverno/v1/facts': 'kyverno-facts',
  'GET /v1/verify': 'verify',
  'POST /v1/verify': 'verify',
  'GET /metrics': 'metrics',
  'GET /healthz': 'healthz',
  'GET /readyz': 'readyz',
};

/** Text from the network, as it may appear in a log line: no controls, bounded. */
function logSafe(s: string, max = 512): string {
  return escapeControls(s.length > max ? `${s.slice(0, max)}…` : s);
}

interface RequestContext {
  /** Every image was answered from a cache tier (no verification ran or was joined). */
  cachedOnly: boolean;
}

class Reply {
  constructor(
    readonly status: number,
    /** JSON text, or its UTF-8 bytes. */
    readonly body: string | Buffer,
    readonly type = 'application/json',
  ) {}
  static json(status: number, value: unknown): Reply {
    return new Reply(status, escapeJsonText(JSON.stringify(value)));
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      reject(new BadRequest(`request body of ${declared} bytes; the limit is ${max}`, 413));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new BadRequest(`request body over the ${max}-byte limit`, 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Upstream latency per host, from Node's own HTTP client events (every kernel request). */
function observeUpstream(metrics: ServeMetrics): () => void {
  const started = new WeakMap<object, number>();
  const hostOf = (req: http.ClientRequest) => logSafe(String(req.host ?? ''), 128);
  const onStart = (m: unknown) => started.set((m as { request: object }).request, performance.now());
  const onFinish = (m: unknown) => {
    const { request, response } = m as { request: http.ClientRequest; response: http.IncomingMessage };
    const t = started.get(request);
    if (t === undefined) return;
    started.delete(request);
    metrics.upstream.observe({ host: hostOf(request), outcome: String(response.statusCode ?? 0) }, (performance.now() - t) / 1000);
  };
  const onError = (m: unknown) => {
    const { request } = m as { request: http.ClientRequest };
    const t = started.get(request);
    if (t === undefined) return;
    started.delete(request);
    metrics.upstream.observe({ host: hostOf(request), outcome: 'error' }, (performance.now() - t) / 1000);
  };
  diagnostics.subscribe('http.client.request.start', onStart);
  diagnostics.subscribe('http.client.response.finish', onFinish);
  diagnostics.subscribe('http.client.request.error', onError);
  return () => {
    diagnostics.unsubscribe('http.client.request.start', onStart);
    diagnostics.unsubscribe('http.client.response.finish', onFinish);
    diagnostics.unsubscribe('http.client.request.error', onError);
  };
}

function verifiedResult(report: VerifyReport | undefined, error: unknown): FactsResult {
  if (report) return { ok: true, facts: { ...factsOf(report), pinned: '' } };
  if (error instanceof DiscoveryError) return { ok: false, kind: error.kind, message: error.message };
  return { ok: false, kind: 'unavailable', message: error instanceof Error ? error.message : String(error) };
}

function outcomeLabel(r: FactsResult): string {
  if (!r.ok) return r.kind;
  if (r.facts.verified) return 'verified';
  return r.facts.unavailable ? 'unavailable' : 'not-verified';
}

export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...config.limits };
  const log = config.logger ?? pino({ base: { service: 'atcr-verify' } });
  const metrics = config.metrics ?? new ServeMetrics();
  const deadlineMs = config.deadlineMs ?? 1500;
  const shutdown = new AbortController();
  const verifier = new Verifier(config.settings);
  const watches: Watch[] = [];
  let closing = false;

  const facts = new FactService({
    verifier,
    ...(config.cache ? { source: config.cache } : {}),
    ...(config.allowedRegistries ? { allowedRegistries: config.allowedRegistries } : {}),
    signal: shutdown.signal,
    onSource: (source) => metrics.answered(source),
    onVerified: (image: string, report: VerifyReport | undefined, error: unknown, ms: number) => {
      const result = verifiedResult(report, error);
      metrics.verifications.inc({ outcome: outcomeLabel(result) });
      metrics.verificationLatency.observe(ms / 1000);
      for (const s of report?.signatures ?? []) metrics.signatures.inc({ result: s.valid ? 'valid' : (s.error?.code ?? 'invalid') });
      log.info(
        {
          event: 'verified',
          image: logSafe(image),
          outcome: outcomeLabel(result),
          ms: Math.round(ms * 10) / 10,
          ...(report
            ? { steps: { resolveMs: report.timings.resolveMs, referrersMs: report.timings.referrersMs, ownerMs: report.timings.ownerMs, signatures: report.timings.signatures.length } }
            : {}),
          ...(!result.ok ? { error: logSafe(result.message) } : {}),
        },
        'verification',
      );
    },
  });

  // In-flight verifications, as the caller sees them (waiting on a verification counts).
  const lookup = async (image: string, deadline: AbortSignal): Promise<FactsResult> => {
    metrics.waiting.inc();
    try {
      const r = await facts.lookup(image, deadline);
      metrics.image(r.ok && r.facts.signatures.some((s) => s.valid));
      return r;
    } finally {
      metrics.waiting.dec();
    }
  };
  // One timer per request (AbortSignal.timeout/any per request cost more than the answer).
  const lookupAll = async (images: string[], ctx: RequestContext) => {
    // Everything in memory: answered synchronously, no timer, no promise per image.
    const hits: FactsResult[] = [];
    for (const image of images) {
      const hit = facts.peek(image);
      if (!hit) break;
      hits.push(hit);
    }
    if (hits.length === images.length) {
      ctx.cachedOnly = true;
      for (const r of hits) metrics.image(r.ok && r.facts.signatures.some((s) => s.valid));
      metrics.answered('memory', hits.length);
      return hits;
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), deadlineMs);
    const onShutdown = () => deadline.abort();
    shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    try {
      const results = await Promise.all(images.map((i) => lookup(i, deadline.signal)));
      ctx.cachedOnly = results.every((r) => r.ok && (r.source === 'memory' || r.source === 'redis'));
      return results;
    } finally {
      clearTimeout(timer);
      shutdown.signal.removeEventListener('abort', onShutdown);
    }
  };

  // The policy: loaded before the first request, re-loaded on change.
  let policy: LoadedPolicy | null = null;
  let policyFailed = false;
  const reloadPolicy = async (initial: boolean) => {
    if (!config.policyFile) return;
    const r = await loadPolicy(config.policyFile);
    if (r.ok) {
      if (policy) metrics.policyInfo.remove({ sha256: policy.sha256 });
      policy = r.policy;
      policyFailed = false;
      metrics.policyInfo.set({ sha256: policy.sha256 }, 1);
      metrics.policyStale.set(0);
      metrics.policyReloads.inc({ result: 'ok' });
      log.info({ event: 'policy-loaded', file: config.policyFile, sha256: policy.sha256 }, 'policy loaded');
    } else {
      policyFailed = true;
      metrics.policyReloads.inc({ result: 'failed' });
      metrics.policyStale.set(policy ? 1 : 0);
      log.error({ event: 'policy-rejected', file: config.policyFile, findings: r.findings.map((f) => logSafe(f)), keeping: policy?.sha256 ?? null }, r.unreadable ? 'policy file unreadable' : 'policy does not compile');
      if (initial) throw new Error(r.unreadable ? r.findings.join('; ') : `${config.policyFile} is not a valid trust policy: ${r.findings.join('; ')}`);
    }
  };
  await reloadPolicy(true);
  if (config.policyFile) {
    let pending = Promise.resolve();
    watches.push(watchFiles([config.policyFile], config.watchIntervalMs ?? 1000, () => (pending = pending.then(() => reloadPolicy(false)))));
  }

  async function route(endpoint: Endpoint, req: http.IncomingMessage, url: URL | undefined, ctx: RequestContext): Promise<Reply> {
    switch (endpoint) {
      case 'healthz':
        return Reply.json(200, { status: 'ok' });
      case 'readyz': {
        const problems: string[] = [];
        if (config.policyFile && !policy) problems.push('no policy loaded');
        if (closing) problems.push('shutting down');
        const redis = config.redisHealthy ? (config.redisHealthy() ? 'up' : 'down') : 'not configured';
        return Reply.json(problems.length ? 503 : 200, { status: problems.length ? 'unready' : 'ready', problems, policyStale: policyFailed, redis });
      }
      case 'metrics':
        return new Reply(200, await metrics.registry.metrics(), metrics.registry.contentType);
      case 'gatekeeper-provider':
      case 'gatekeeper-mutate': {
        let keys: string[];
        try {
          keys = providerKeys(requestJson(await readBody(req, limits.maxBodyBytes)), limits.maxKeys);
        } catch (err) {
          if (err instanceof BadRequest) return Reply.json(err.status, systemError(err.message));
          throw err;
        }
        const results = await lookupAll(keys, ctx);
        return new Reply(200, providerResponseBytes(keys, results, endpoint === 'gatekeeper-provider' ? factsValue : pinnedValue));
      }
      case 'kyverno-facts': {
        const images = factsImages(requestJson(await readBody(req, limits.maxBodyBytes)), limits.maxKeys);
        const results = await lookupAll(images, ctx);
        const transient = transientFailure(results);
        if (transient) return Reply.json(503, { error: `could not verify now: ${transient}; retry` });
        return Reply.json(200, factsResponse(images, results));
      }
      case 'verify': {
        let images: string[];
        let single = false;
        if (req.method === 'GET') {
          const image = url!.searchParams.get('image');
          if (!image) throw new BadRequest('the image query parameter is required: /v1/verify?image=REF');
          images = [image];
          single = true;
        } else {
          images = factsImages(requestJson(await readBody(req, limits.maxBodyBytes)), limits.maxKeys);
        }
        const t0 = performance.now();
        const results = await lookupAll(images, ctx);
        const answers = images.map((image, i) => verifyAnswer(image, results[i]!, performance.now() - t0));
        return Reply.json(200, single ? answers[0] : { results: answers });
      }
      default:
        throw new BadRequest(`no endpoint ${logSafe(req.method ?? '', 16)} ${logSafe(url?.pathname ?? '', 256)}`, 404);
    }
  }

  /** `verify --output json` for one image, decided by the service's policy when it has one. */
  function verifyAnswer(image: string, r: FactsResult, ms: number): VerificationJson {
    const answer = verifyJson(image, r, ms, policy?.ir ?? null);
    if (answer.decision) metrics.decisions.inc({ policy: logSafe(answer.decision.policy ?? '(none)', 128), effect: answer.decision.effect });
    return answer;
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t0 = performance.now();
    const rid = randomUUID();
    const ctx: RequestContext = { cachedOnly: false };
    let endpoint: Endpoint = 'unknown';
    const finish = (reply: Reply) => {
      if (res.headersSent || res.destroyed) return;
      // Encoded once: its length and its bytes from one pass over a text of up to ~1 MB.
      const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
      const headers = ['content-type', reply.type, 'content-length', String(body.length), 'x-request-id', rid, POLICY_HEADER, policy?.sha256 ?? 'none'];
      // Shutting down: the client should take its next request elsewhere.
      if (closing) headers.push('connection', 'close');
      res.writeHead(reply.status, headers);
      res.end(body);
      metrics.request(endpoint, reply.status, (performance.now() - t0) / 1000);
      if (endpoint !== 'metrics' && endpoint !== 'healthz' && endpoint !== 'readyz') {
        // A fast answer from the cache is the common case and is counted in the metrics;
        // its line is debug, so that logging does not become the service's main cost.
        const ms = performance.now() - t0;
        const level = reply.status >= 400 || ms >= SLOW_REQUEST_MS || !ctx.cachedOnly ? 'info' : 'debug';
        if (log.isLevelEnabled(level)) log[level]({ rid, method: logSafe(req.method ?? ''), endpoint, status: reply.status, ms: Math.round(ms * 100) / 100 }, 'request');
      }
    };
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    endpoint = ROUTES[`${req.method} ${q < 0 ? target : target.slice(0, q)}`] ?? 'unknown';
    // Parsed only where the query or the path's text is needed (verify, 404).
    let url: URL | undefined;
    if (endpoint === 'verify' || endpoint === 'unknown') {
      try {
        url = new URL(target, 'http://service');
      } catch {
        return finish(Reply.json(400, { error: 'the request target is not a URL path' }));
      }
    }
    route(endpoint, req, url, ctx).then(finish, (err: unknown) => {
      if (err instanceof BadRequest) return finish(Reply.json(err.status, { error: err.message }));
      // One request's bug is that request's 500, logged; never the process.
      log.error({ rid, endpoint, err: logSafe(err instanceof Error ? (err.stack ?? err.message) : String(err), 4096) }, 'request failed');
      finish(Reply.json(500, { error: 'internal error', requestId: rid }));
    });
  };

  let server: http.Server | https.Server;
  if (config.tls) {
    const files = config.tls;
    const material = await readTls(files);
    const requireClient = Boolean(files.clientCa);
    server = https.createServer({ ...contextOptions(material), requestCert: requireClient, rejectUnauthorized: requireClient }, handler);
    const clientName = config.clientName ?? DEFAULT_CLIENT_NAME;
    if (requireClient) {
      server.on('secureConnection', (socket: TLSSocket) => {
        const why = clientRefusal(socket, clientName);
        if (why) {
          metrics.clientRefused.inc();
          log.warn({ event: 'client-refused', remote: socket.remoteAddress, why: logSafe(why) }, 'TLS client refused');
          socket.destroy();
        }
      });
    }
    server.on('tlsClientError', () => metrics.clientRefused.inc());
    const tlsServer = server as https.Server;
    let tlsPending = Promise.resolve();
    watches.push(
      watchFiles([files.cert, files.key, ...(files.clientCa ? [files.clientCa] : [])], config.watchIntervalMs ?? 1000, () => {
        // One reload at a time, in order: the last change read is the one in force.
        tlsPending = tlsPending.then(async () => {
          try {
            tlsServer.setSecureContext(contextOptions(await readTls(files)));
            metrics.tlsReloads.inc({ result: 'ok' });
            log.info({ event: 'tls-reloaded' }, 'certificates reloaded');
          } catch (err) {
            // Mid-rotation the key and certificate may disagree for a moment: keep the old pair.
            metrics.tlsReloads.inc({ result: 'failed' });
            log.warn({ event: 'tls-reload-failed', err: logSafe(err instanceof Error ? err.message : String(err)) }, 'keeping the previous certificates');
          }
        });
      }),
    );
  } else {
    server = http.createServer(handler);
  }
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = 100;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  const stopObserving = observeUpstream(metrics);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostText = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${hostText}:${port}`;
  log.info({ event: 'listening', url, policy: (policy as LoadedPolicy | null)?.sha256 ?? null, mtls: Boolean(config.tls?.clientCa) }, 'listening');

  return {
    url,
    port,
    metrics,
    policy: () => policy,
    async close(graceMs = 10_000) {
      closing = true;
      for (const w of watches) w.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        // Past the grace period: answer nothing more, stop background work.
        shutdown.abort();
        for (const s of sockets) s.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      shutdown.abort();
      stopObserving();
      log.info({ event: 'stopped' }, 'stopped');
    },
  };
}

/** Gatekeeper's webhook certificate name in its default namespace (integrations.md §1.2). */
export const DEFAULT_CLIENT_NAME = 'gatekeeper-webhook-service.gatekeeper-system.svc';
