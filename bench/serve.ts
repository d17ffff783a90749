// `atcr-verify serve` under load, on loopback with the real world behind it. The service
// runs as its own process (`serve` as operators run it), autocannon drives it from another
// (bench/serve-load.ts) over TLS 1.3 with client certificates and keep-alive, with the
// same client settings for the service and the bare server. Suite name: `serve`.
// ATCR_BENCH_SERVE_CPU_PROF=DIR writes a V8 CPU profile of each service process to DIR.
//   - cached Gatekeeper requests with 1 key, next to a bare Node HTTPS server returning a
//     fixed body with the same TLS setup, in the same run;
//   - cached requests with 100 keys (keys/s);
//   - one cold request of 50 distinct signed images (a fresh service);
//   - resident memory of a process holding 100,000 cached images.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './harness.js';
import type { LoadJob, LoadResult } from './serve-load.js';
import { AtprotoWorld } from '../test/support/atproto-world.js';
import { GATEKEEPER_NAME, issue, makeCa, serverCert } from '../test/serve/support/certs.js';
import { call, providerRequest } from '../test/serve/support/client.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const DIST = fileURLToPath(new URL('../src/', import.meta.url));
const PROFILE_DIR = process.env.ATCR_BENCH_SERVE_CPU_PROF;
const NODE_ARGS = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      buf += c;
      const m = /"event":"listening","url":"([^"]+)"/.exec(buf) ?? /^LISTENING (\S+)$/m.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

function rssOf(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const LOADER = fileURLToPath(new URL('./serve-load.js', import.meta.url));
const CONNECTIONS = 32;

interface LoadTls {
  ca: string;
  cert: string;
  key: string;
}

/** One autocannon run in a process of its own (bench/serve-load.ts). */
function loadOnce(url: string, body: string, tls: LoadTls, seconds: number, expected?: string): LoadResult {
  const job: LoadJob = { url, body, ...tls, connections: CONNECTIONS, seconds, ...(expected !== undefined ? { expected } : {}) };
  const out = execFileSync(process.execPath, [LOADER, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

/** CPU time (user + system) of a process so far, in µs: from /proc, in clock ticks. */
function cpuMicros(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/**
 * A short warm-up (JIT, TLS session state, the caches), then the measured run, with the
 * server's CPU time per request: on a shared machine the rate depends on the others'
 * load, the CPU a request costs much less.
 */
function load(server: ChildProcess, url: string, body: string, tls: LoadTls, seconds: number, expected?: string): LoadResult & { cpuUs: number } {
  loadOnce(url, body, tls, 1, expected);
  const c0 = cpuMicros(server);
  const r = loadOnce(url, body, tls, seconds, expected);
  return { ...r, cpuUs: (cpuMicros(server) - c0) / r.total };
}

type Result = LoadResult & { cpuUs: number };

function row(name: string, r: Result, target: string, note: string, opsPerRequest = 1, rss = NaN): BenchRow {
  return {
    name,
    ops: r.total * opsPerRequest,
    opsPerSec: r.average * opsPerRequest,
    p50us: r.p50ms * 1000,
    p99us: r.p99ms * 1000,
    heapMiB: NaN,
    rssMiB: rss,
    target,
    note: `${note}; server CPU ${r.cpuUs.toFixed(0)} µs per request; errors ${r.errors}, timeouts ${r.timeouts}, non-2xx ${r.non2xx}, mismatches ${r.mismatches}`,
  };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const world = await AtprotoWorld.start();
  const pki = makeCa();
  const cert = serverCert(pki);
  const client = issue(pki, 'gatekeeper', GATEKEEPER_NAME, 'clientAuth');
  const tls: LoadTls = { ca: pki.ca, cert: client.cert, key: client.key };
  const serveArgs = ['serve', '--listen', '127.0.0.1:0', '--tls-cert', cert.cert, '--tls-key', cert.key, '--client-ca', pki.caCert, '--plc-url', world.plcUrl, '--allow-private-network', '--deadline', '5s', '--timeout', '10s', '--cache-ttl', '1h', '--negative-ttl', '1h', '--tag-ttl', '1h'];
  const env = { ...process.env, ATCR_PLC_URL: '' };
  try {
    const signers = await Promise.all(Array.from({ length: 5 }, () => world.account()));
    const images: string[] = [];
    for (let i = 0; i < 150; i++) {
      const img = await world.image(`bench/img${i % 10}`, `v${i}`);
      await world.sign(signers[i % signers.length]!, img);
      images.push(img.ref);
    }

    // Cold: 50 distinct signed images in one request to a fresh service.
    {
      const svc = spawn(process.execPath, [...NODE_ARGS, CLI, ...serveArgs], { env, stdio: ['ignore', 'pipe', 'ignore'] });
      const url = await waitForUrl(svc);
      const keys = images.slice(100, 150);
      const t0 = performance.now();
      const r = await call(url, 'POST', '/gatekeeper/v1/provider', providerRequest(keys), { ca: pki.ca, client });
      const ms = performance.now() - t0;
      const ok = (r.json.response.items as { value?: { signatures: { valid: boolean }[] } }[]).filter((i) => i.value?.signatures.some((s) => s.valid)).length;
      rows.push({ name: 'serve: cold Gatekeeper request, 50 distinct signed images', ops: 1, opsPerSec: 1000 / ms, p50us: ms * 1000, p99us: ms * 1000, heapMiB: NaN, rssMiB: rssOf(svc), target: '<= 1 s', note: `${ok}/50 verified` });
      await stop(svc);
    }

    // Cached: one service, warmed, then 1-key and 100-key requests.
    const svc = spawn(process.execPath, [...NODE_ARGS, CLI, ...serveArgs], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const url = await waitForUrl(svc);
    const one = JSON.stringify(providerRequest([images[0]!]));
    const hundred = JSON.stringify(providerRequest(images.slice(0, 100)));
    const expectOne = (await call(url, 'POST', '/gatekeeper/v1/provider', one, { ca: pki.ca, client })).text;
    const expectHundred = (await call(url, 'POST', '/gatekeeper/v1/provider', hundred, { ca: pki.ca, client })).text;

    // The bare server: same TLS 1.3 with client certificates, a fixed body of the same size.
    const bareScript = `
      const https = require('node:https'); const fs = require('node:fs');
      const body = Buffer.from(process.env.BODY);
      const srv = https.createServer({ cert: fs.readFileSync(process.env.CERT), key: fs.readFileSync(process.env.KEY), ca: fs.readFileSync(process.env.CA), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (req, res) => {
        req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
      });
      srv.keepAliveTimeout = 30000;
      srv.listen(0, '127.0.0.1', () => console.log('LISTENING https://127.0.0.1:' + srv.address().port));
      process.on('SIGTERM', () => process.exit(0));`;
    const bare = spawn(process.execPath, ['-e', bareScript], { env: { ...env, BODY: expectOne, CERT: cert.cert, KEY: cert.key, CA: pki.caCert }, stdio: ['ignore', 'pipe', 'ignore'] });
    const bareUrl = await waitForUrl(bare);
    const bareRun = load(bare, bareUrl, one, tls, 5);
    await stop(bare);
    const oneRun = load(svc, `${url}/gatekeeper/v1/provider`, one, tls, 5, expectOne);
    const share = (oneRun.average / bareRun.average) * 100;
    rows.push(row('serve: bare Node HTTPS server, fixed body (reference)', bareRun, '—', `same TLS 1.3 + client certificates, ${CONNECTIONS} connections`));
    rows.push(row('serve: cached Gatekeeper request, 1 key', oneRun, '>= 10,000 req/s, p99 <= 5 ms, >= 50% of bare', `${share.toFixed(0)}% of the bare server`, 1, rssOf(svc)));
    const hundredRun = load(svc, `${url}/gatekeeper/v1/provider`, hundred, tls, 5, expectHundred);
    rows.push(row('serve: cached Gatekeeper request, 100 keys (keys/s)', hundredRun, '>= 100,000 keys/s', 'ops = keys', 100, rssOf(svc)));
    await stop(svc);

    // Memory: 100,000 cached images, filled through the cache's real path with reports
    // shaped like the kernel's (one valid signature each), in a process of their own.
    const fill = `
      const { buildCache } = await import(process.env.SETUP);
      const { Registry } = await import('prom-client');
      const { parseImageRef } = await import(process.env.REF);
      const pino = (await import('pino')).default;
      const c = buildCache({ cacheTtl: '1h', negativeTtl: '1h', tagTtl: '1h', cacheSize: '100000' }, { registry: new Registry(), settings: {}, verificationMs: 10000, logger: pino({ enabled: false }) }, (m) => new Error(m));
      const hex = (n) => n.toString(16).padStart(64, '0');
      const before = process.memoryUsage().rss;
      for (let i = 0; i < 100000; i++) {
        const digest = 'sha256:' + hex(i);
        const ref = parseImageRef('registry.example.com/team' + (i % 100) + '/app@' + digest);
        const report = { image: '', ref, digest, owner: '', verified: true, unavailable: false, offline: false, unprovenDids: [], notes: [],
          signatures: [{ valid: true, did: 'did:plc:' + hex(i % 1000).slice(0, 24), signedAt: '2026-11-20T08:00:00.000Z', pds: 'https://pds.example.com', algorithm: 'ES256K', keyId: 'did:plc:x#atproto', digest,
            recordUri: 'at://did:plc:x/io.atcr.manifest/3l' + hex(i).slice(0, 11), recordCid: 'bafyrei' + hex(i).slice(0, 52), commitCid: 'bafyrei' + hex(i + 1).slice(0, 52), commitRev: '3l' + hex(i).slice(0, 11) }],
          timings: { resolveMs: 0, referrersMs: 0, ownerMs: 0, signatures: [] }, durationMs: 0 };
        await c.cache.get(ref, async () => report, new AbortController().signal);
      }
      global.gc?.();
      console.log(JSON.stringify({ rss: process.memoryUsage().rss, before }));
      await c.close();`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', fill], {
      env: { ...env, SETUP: `${DIST}serve/cache-setup.js`, REF: `${DIST}ref/reference.js` },
      encoding: 'utf8',
    });
    const { rss, before } = JSON.parse(out.trim().split('\n').pop()!) as { rss: number; before: number };
    rows.push({ name: 'serve: resident memory with 100,000 cached images', ops: 100_000, opsPerSec: NaN, p50us: NaN, p99us: NaN, heapMiB: NaN, rssMiB: rss / 2 ** 20, target: '<= 300 MiB', note: `process RSS; ${(before / 2 ** 20).toFixed(0)} MiB before filling` });
  } finally {
    await world.stop();
  }
  return rows;
}
