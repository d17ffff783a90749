// `atcr-verify serve`: the service the compiled Gatekeeper and Kyverno artifacts call
// (docs/serve.md). HTTPS with TLS 1.3 by default; plain HTTP only with --insecure-http,
// and then only on loopback unless --listen names another address. SIGTERM/SIGINT stop
// it gracefully: no new connections, requests in flight answered, then exit.

import { isIP } from 'node:net';
import type { Command } from 'commander';
import { isLoopbackHost } from '../../kernel/net/address.js';
import pino from 'pino';
import { ServeMetrics } from '../../serve/metrics.js';
import { DEFAULT_CLIENT_NAME, DEFAULT_LIMITS, type RunningServer, startServer } from '../../serve/server.js';
import { CliError, EXIT } from '../errors.js';
import { out, parseTimeout, safeText } from '../io.js';
import { readTls } from '../../serve/tls.js';
import { loadPolicy } from '../../serve/policy.js';
import type { ParsedSettings } from '../../verification/settings.js';
import { addNetworkOptions, verifierSettings, type NetworkFlags } from './verify.js';
import { buildCache, type CacheFlags, DEFAULT_MAX_VERIFICATIONS, verificationLimit } from '../../serve/cache-setup.js';
import { DEFAULT_HOST_REQUESTS, upstreamGate } from '../../serve/upstream-limit.js';

interface ServeFlags extends NetworkFlags, CacheFlags {
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  clientName: string;
  policy?: string;
  allowedRegistries?: string;
  insecureHttp?: boolean;
  deadline: string;
  maxBodyBytes: string;
  maxKeys: string;
  shutdownGrace: string;
  check?: boolean;
  maxHostRequests: string;
}

function hostPort(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]*):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port < 65536)) throw new CliError(`--listen "${text}" is not HOST:PORT, e.g. 0.0.0.0:8443 or [::]:8443`, EXIT.usage);
  return { host: m[1] || '0.0.0.0', port };
}

function duration(flag: string, text: string): number {
  const ms = parseTimeout(text);
  if (ms === null) throw new CliError(`${flag} "${text}" is not a duration such as 1500ms, 10s or 5m`, EXIT.usage);
  return ms;
}

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${flag} "${text}" is not a positive whole number`, EXIT.usage);
  return n;
}

/**
 * `serve --check`: everything start-up would refuse, refused the same way (exit 2 naming
 * the flag or file), without listening or connecting. For a chart's rendered arguments,
 * an init container, or a pre-deploy CI step.
 */
async function checkOnly(
  flags: ServeFlags,
  listen: { host: string; port: number },
  ctx: { settings: ParsedSettings['settings']; verificationMs: number; logger: pino.Logger; metrics: ServeMetrics },
): Promise<void> {
  const usage = (message: string) => new CliError(message, EXIT.usage);
  const cache = buildCache(flags, { registry: ctx.metrics.registry, settings: ctx.settings, verificationMs: ctx.verificationMs, logger: ctx.logger, connect: false }, usage);
  await cache.close();
  duration('--deadline', flags.deadline);
  duration('--shutdown-grace', flags.shutdownGrace);
  count('--max-body-bytes', flags.maxBodyBytes);
  count('--max-keys', flags.maxKeys);
  count('--max-host-requests', flags.maxHostRequests);
  verificationLimit(flags.maxVerifications, usage);
  if (!flags.insecureHttp) {
    try {
      readTls({ cert: flags.tlsCert!, key: flags.tlsKey!, ...(flags.clientCa ? { clientCa: flags.clientCa } : {}) });
    } catch (err) {
      throw usage((err as Error).message);
    }
  }
  let policy = 'none';
  if (flags.policy) {
    const r = await loadPolicy(flags.policy);
    if (!r.ok) throw usage(`${flags.policy} is not a valid trust policy: ${r.findings.join('; ')}`);
    policy = `${flags.policy} (sha256 ${r.policy.sha256.slice(0, 12)}…)`;
  }
  const scheme = flags.insecureHttp ? 'http' : 'https';
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  await out(
    safeText(
      `serve: configuration OK: would listen on ${scheme}://${host}:${listen.port}` +
        `${flags.clientCa ? `, client certificates for ${flags.clientName}` : ''}; policy ${policy}; cache ${flags.redis ? 'memory + Redis' : 'memory'}`,
    ) + '\n',
  );
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('Run the admission-time service for Gatekeeper (external data) and Kyverno (apiCall), with a verify API and metrics.')
    .option('--listen <host:port>', 'address to listen on (default 0.0.0.0:8443; 127.0.0.1:8080 with --insecure-http)')
    .option('--tls-cert <file>', 'serving certificate (PEM); re-read when it changes')
    .option('--tls-key <file>', 'its private key (PEM); re-read when it changes')
    .option('--client-ca <file>', 'require client certificates issued by this CA (PEM; re-read when it changes)')
    .option('--client-name <name>', 'the DNS name or CN a client certificate must carry (with --client-ca)', DEFAULT_CLIENT_NAME)
    .option('--policy <file>', "trust policy for /v1/verify decisions; re-loaded when it changes (a version that does not compile keeps the previous one)")
    .option('--allowed-registries <list>', 'comma-separated registries callers may make the service contact (default: any)')
    .option('--insecure-http', 'serve plain HTTP (loopback only unless --listen is given): for tests and local development')
    .option('--deadline <duration>', "each answer's deadline, below the caller's (Gatekeeper Provider timeout 2s)", '1500ms')
    .option('--max-body-bytes <n>', 'largest request body', String(DEFAULT_LIMITS.maxBodyBytes))
    .option('--max-keys <n>', 'most images in one request', String(DEFAULT_LIMITS.maxKeys))
    .option('--shutdown-grace <duration>', 'on SIGTERM, how long requests in flight may take', '10s')
    .option('--max-verifications <n>', 'verifications at once (8 per image registry)', String(DEFAULT_MAX_VERIFICATIONS))
    .option('--max-host-requests <n>', 'requests at once to any one upstream host: registry, PLC directory, PDS, did:web or handle host', String(DEFAULT_HOST_REQUESTS))
    .option('--cache-ttl <duration>', 'how long verified facts of a digest are reused', '60s')
    .option('--negative-ttl <duration>', 'how long facts without a valid signature are reused', '10s')
    .option('--tag-ttl <duration>', 'how long a tag → digest resolution is reused', '10s')
    .option('--cache-size <n>', 'most images kept in memory', '100000')
    .option('--redis <url>', 'share facts between replicas through Redis (redis://host:port)')
    .option('--cache-key-file <file>', 'HMAC key for Redis entries (required with --redis)')
    .option('--check', 'check the flags and the files they name (certificate, key, client CA, policy, cache key), say what would be served, and exit: no listening, no Redis');
  addNetworkOptions(cmd, "budget of one verification (it may go on after an answer's deadline, to fill the cache)", '10s')
    .addHelpText(
      'after',
      '\nExamples:\n  atcr-verify serve --tls-cert tls.crt --tls-key tls.key --client-ca gatekeeper-ca.crt\n  atcr-verify serve --insecure-http --listen 127.0.0.1:8080 --policy policy.yaml\n',
    )
    .action(async (flags: ServeFlags) => {
      if (flags.insecureHttp && (flags.tlsCert || flags.tlsKey || flags.clientCa)) {
        throw new CliError('--insecure-http serves plain HTTP: drop --tls-cert, --tls-key and --client-ca, or drop --insecure-http', EXIT.usage);
      }
      if (!flags.insecureHttp && (!flags.tlsCert || !flags.tlsKey)) {
        throw new CliError('serve needs --tls-cert FILE and --tls-key FILE (Gatekeeper calls providers over TLS 1.3 only), or --insecure-http for local use', EXIT.usage);
      }
      const listen = hostPort(flags.listen ?? (flags.insecureHttp ? '127.0.0.1:8080' : '0.0.0.0:8443'));
      if (flags.insecureHttp && flags.listen === undefined && !isLoopbackHost(listen.host)) {
        throw new CliError('--insecure-http listens on loopback only unless --listen names the address', EXIT.usage);
      }
      if (listen.host !== '0.0.0.0' && listen.host !== '::' && isIP(listen.host) === 0 && listen.host !== 'localhost') {
        throw new CliError(`--listen "${flags.listen}": the host must be an IP address`, EXIT.usage);
      }
      const { settings: networkSettings, deadlineMs: verificationMs } = verifierSettings(flags);
      const usage = (message: string) => new CliError(message, EXIT.usage);
      const settings = {
        ...networkSettings,
        requestGate: upstreamGate({ perHost: count('--max-host-requests', flags.maxHostRequests), maxVerifications: verificationLimit(flags.maxVerifications, usage) }),
      };
      const deadlineMs = duration('--deadline', flags.deadline);
      const allowedRegistries = flags.allowedRegistries?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      // Asynchronous writes: a log line per request must not block answering; flushed at exit.
      const logger = pino({ base: { service: 'atcr-verify' } }, pino.destination({ dest: 1, sync: false }));
      const metrics = new ServeMetrics();
      if (flags.check) return checkOnly(flags, listen, { settings, verificationMs, logger, metrics });
      const cache = buildCache(flags, { registry: metrics.registry, settings, verificationMs, logger }, usage);
      let server: RunningServer;
      try {
        server = await startServer({
          host: listen.host,
          port: listen.port,
          ...(flags.insecureHttp ? {} : { tls: { cert: flags.tlsCert!, key: flags.tlsKey!, ...(flags.clientCa ? { clientCa: flags.clientCa } : {}) } }),
          clientName: flags.clientName,
          ...(flags.policy ? { policyFile: flags.policy } : {}),
          settings,
          deadlineMs,
          cache: cache.cache,
          ...(cache.redisHealthy ? { redisHealthy: cache.redisHealthy } : {}),
          logger,
          metrics,
          ...(allowedRegistries && allowedRegistries.length > 0 ? { allowedRegistries } : {}),
          limits: { maxBodyBytes: count('--max-body-bytes', flags.maxBodyBytes), maxKeys: count('--max-keys', flags.maxKeys) },
        });
      } catch (err) {
        await cache.close();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${flags.listen ?? `${listen.host}:${listen.port}`} (${code})`, EXIT.usage);
        throw new CliError(err instanceof Error ? err.message : String(err), EXIT.usage);
      }
      const grace = duration('--shutdown-grace', flags.shutdownGrace);
      // A bug in one request is that request's 500; anything escaping is logged, not fatal.
      process.on('uncaughtException', (err) => process.stderr.write(`${JSON.stringify({ level: 50, msg: 'uncaught exception', err: String(err) })}\n`));
      process.on('unhandledRejection', (err) => process.stderr.write(`${JSON.stringify({ level: 50, msg: 'unhandled rejection', err: String(err) })}\n`));
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void server
            .close(grace)
            .then(() => cache.close())
            .then(() => logger.flush())
            .then(resolve, resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
