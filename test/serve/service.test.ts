// The service as a process: mTLS that refuses what Gatekeeper would not present,
// certificates and policies re-read without a restart, limits, two replicas sharing
// Redis (and surviving its loss and a forged entry), deadlines on dead upstreams, and
// SIGTERM with a request in flight.

import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld, type ImageHandle } from '../support/atproto-world.js';
import { runCli } from '../integration/cli.js';
import { MemoryRegistry } from '../support/registry/memory-registry.js';
import { RedisServer } from './cache/redis-server.js';
import { GATEKEEPER_NAME, issue, makeCa, serverCert, type Issued, type Pki } from './support/certs.js';
import { call, type ClientTls, providerRequest } from './support/client.js';
import { sample, startServe, until, type ServeProcess } from './support/process.js';

let world: AtprotoWorld;
let pki: Pki;
let server: Issued;
let gatekeeper: Issued;
let dir: string;
let signed: ImageHandle;
let hang: Server;
const sockets: Socket[] = [];
const running: ServeProcess[] = [];

const POLICY = (did: string) => `version: 1\npolicies:\n  - name: all\n    scope: "**"\n    require:\n      trustedDIDs: [${did}]\n`;

async function serve(args: string[]): Promise<ServeProcess> {
  const p = await startServe(args);
  running.push(p);
  return p;
}

function tlsArgs(cert = server, ca = pki.caCert): string[] {
  return ['--listen', '127.0.0.1:0', '--tls-cert', cert.cert, '--tls-key', cert.key, '--client-ca', ca];
}

function network(): string[] {
  return ['--plc-url', world.plcUrl, '--allow-private-network'];
}

const client = (): ClientTls => ({ ca: pki.ca, client: gatekeeper });

beforeAll(async () => {
  world = await AtprotoWorld.start();
  pki = makeCa();
  server = serverCert(pki);
  gatekeeper = issue(pki, 'gatekeeper', GATEKEEPER_NAME, 'clientAuth');
  dir = mkdtempSync(join(tmpdir(), 'atcr-serve-svc-'));
  const alice = await world.account();
  signed = await world.image('alice/app', '1.0');
  await world.sign(alice, signed);
  writeFileSync(join(dir, 'policy.yaml'), POLICY(alice.did));
  hang = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  for (const s of sockets) s.destroy();
  await new Promise((r) => hang?.close(r));
  await world?.stop();
});

describe('command line', () => {
  it('needs a certificate, or --insecure-http which stays on loopback', async () => {
    const none = await runCli(['serve']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--tls-cert FILE and --tls-key FILE/);
    const redisWithoutKey = await runCli(['serve', '--insecure-http', '--redis', 'redis://127.0.0.1:1']);
    expect(redisWithoutKey.code).toBe(2);
    expect(redisWithoutKey.stderr).toMatch(/--cache-key-file/);
    const plain = await serve(['--insecure-http', '--listen', '127.0.0.1:0', ...network()]);
    expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(plain.url, 'GET', '/readyz')).json).toMatchObject({ status: 'ready', redis: 'not configured' });
    await plain.stop();
  });
});

describe('mTLS', () => {
  it('admits only a client certificate from the CA carrying the expected name', async () => {
    const svc = await serve([...tlsArgs(), ...network()]);
    expect((await call(svc.url, 'GET', '/healthz', undefined, client())).status).toBe(200);
    await expect(call(svc.url, 'GET', '/healthz', undefined, { ca: pki.ca })).rejects.toThrow();
    const wrongName = issue(pki, 'other', 'other.default.svc', 'clientAuth');
    await expect(call(svc.url, 'GET', '/healthz', undefined, { ca: pki.ca, client: wrongName })).rejects.toThrow();
    const otherCa = makeCa('other-ca');
    const foreign = issue(otherCa, 'foreign', GATEKEEPER_NAME, 'clientAuth');
    await expect(call(svc.url, 'GET', '/healthz', undefined, { ca: pki.ca, client: foreign })).rejects.toThrow();
    const metrics = await call(svc.url, 'GET', '/metrics', undefined, client());
    expect(sample(metrics.text, 'atcr_verify_tls_clients_refused_total')).toBeGreaterThanOrEqual(3);
    await svc.stop();
  });

  it('picks up a rotated certificate and client CA without a restart', async () => {
    const live = { cert: join(dir, 'live.pem'), key: join(dir, 'live.key') };
    const ca = join(dir, 'client-ca.pem');
    copyFileSync(server.cert, live.cert);
    copyFileSync(server.key, live.key);
    copyFileSync(pki.caCert, ca);
    const svc = await serve([...tlsArgs(live, ca), ...network()]);
    expect((await call(svc.url, 'GET', '/healthz', undefined, client())).status).toBe(200);
    // cert-manager and Gatekeeper rotate: a new CA for both sides.
    const next = makeCa('next-ca');
    const nextServer = serverCert(next, 'next-server');
    const nextClient = issue(next, 'next-gk', GATEKEEPER_NAME, 'clientAuth');
    copyFileSync(nextServer.key, live.key);
    copyFileSync(nextServer.cert, live.cert);
    copyFileSync(next.caCert, ca);
    await until('the new certificate', async () => ((await call(svc.url, 'GET', '/healthz', undefined, { ca: next.ca, client: nextClient })).status === 200 ? true : undefined));
    await expect(call(svc.url, 'GET', '/healthz', undefined, client())).rejects.toThrow();
    await svc.stop();
  });
});

describe('policy hot reload', () => {
  it('takes a good policy, keeps the previous one on a bad one, and says so', async () => {
    const file = join(dir, 'reload.yaml');
    const alice = await world.account();
    writeFileSync(file, POLICY(alice.did));
    const svc = await serve([...tlsArgs(), ...network(), '--policy', file]);
    const first = (await call(svc.url, 'GET', '/healthz', undefined, client())).headers['x-atcr-policy-sha256'];
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    // The hash the compiled artifacts carry: the OPA bundle's revision of the same file.
    const out = mkdtempSync(join(tmpdir(), 'atcr-reload-compiled-'));
    const compiled = await runCli(['policy', 'compile', file, '--target', 'rego', '-o', out]);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(out, 'bundle', '.manifest'), 'utf8')) as { revision: string }).revision).toBe(first);
    writeFileSync(file, POLICY((await world.account()).did) + '# second\n');
    const second = await until('the new policy', async () => {
      const h = (await call(svc.url, 'GET', '/healthz', undefined, client())).headers['x-atcr-policy-sha256'];
      return h !== first ? h : undefined;
    });
    writeFileSync(file, 'version: 1\npolicies:\n  - name: broken\n    require: { minSignatures: "many" }\n');
    const stale = await until('the rejection', async () => {
      const m = await call(svc.url, 'GET', '/metrics', undefined, client());
      return sample(m.text, 'atcr_verify_policy_stale') === 1 ? m : undefined;
    });
    expect(sample(stale.text, 'atcr_verify_policy_reloads_total', { result: 'failed' })).toBeGreaterThanOrEqual(1);
    expect((await call(svc.url, 'GET', '/healthz', undefined, client())).headers['x-atcr-policy-sha256']).toBe(second);
    expect(svc.lines.some((l) => l.includes('"event":"policy-rejected"'))).toBe(true);
    const ready = await call(svc.url, 'GET', '/readyz', undefined, client());
    expect(ready.json).toMatchObject({ status: 'ready', policyStale: true });
    await svc.stop();
  });
});

describe('limits and bad requests', () => {
  it('refuses oversized bodies and too many keys with JSON, never a stack trace', async () => {
    const svc = await serve([...tlsArgs(), ...network(), '--max-body-bytes', '2048', '--max-keys', '3']);
    const big = await call(svc.url, 'POST', '/gatekeeper/v1/provider', 'x'.repeat(4096), client());
    expect(big.status).toBe(413);
    expect(big.json.response.systemError).toMatch(/limit is 2048/);
    const many = await call(svc.url, 'POST', '/gatekeeper/v1/provider', providerRequest(['a', 'b', 'c', 'd']), client());
    expect(many.status).toBe(400);
    expect(many.json.response.systemError).toMatch(/4 keys .* limit is 3/);
    const notJson = await call(svc.url, 'POST', '/kyverno/v1/facts', '{not json', client());
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ error: 'the body is not JSON' });
    const nowhere = await call(svc.url, 'GET', '/nope', undefined, client());
    expect(nowhere.status).toBe(404);
    expect(nowhere.text).not.toMatch(/at .*\.js/);
    await svc.stop();
  });

  it('--allowed-registries answers other registries with a per-key error and never contacts them', async () => {
    const svc = await serve([...tlsArgs(), ...network(), '--allowed-registries', 'registry.example']);
    const reply = await call(svc.url, 'POST', '/gatekeeper/v1/provider', providerRequest([signed.ref]), client());
    expect(reply.json.response.items).toEqual([{ key: signed.ref, error: expect.stringMatching(/^refused: registry .* not among the allowed/) }]);
    await svc.stop();
  });
});

describe('dead upstreams', () => {
  it('answers by the deadline when the PLC directory never answers', async () => {
    const port = (hang.address() as AddressInfo).port;
    const svc = await serve([...tlsArgs(), '--plc-url', `http://127.0.0.1:${port}`, '--allow-private-network', '--deadline', '700ms']);
    const reply = await call(svc.url, 'POST', '/gatekeeper/v1/provider', providerRequest([signed.ref]), client());
    expect(reply.json.response.items).toEqual([]);
    expect(reply.json.response.systemError).toMatch(/could not verify 1 of 1/);
    const ky = await call(svc.url, 'POST', '/kyverno/v1/facts', { images: [signed.ref] }, client());
    expect(ky.status).toBe(503);
    await svc.stop();
  });
});

describe('SIGTERM', () => {
  it('finishes the request in flight, then exits 0', async () => {
    const slow = http503Delay();
    await slow.start();
    try {
      const svc = await serve([...tlsArgs(), '--plc-url', slow.url, '--allow-private-network', '--deadline', '5s']);
      const pending = call(svc.url, 'POST', '/gatekeeper/v1/provider', providerRequest([signed.ref]), client());
      await until('the verification to start', async () => (slow.hits > 0 ? true : undefined));
      svc.child.kill('SIGTERM');
      const reply = await pending;
      expect(reply.status).toBe(200);
      expect(reply.json.kind).toBe('ProviderResponse');
      expect(await svc.exited).toBe(0);
    } finally {
      await slow.stop();
    }
  });
});

/** A PLC directory that answers 503 after a second: a verification that takes a while. */
function http503Delay() {
  const state = { hits: 0, url: '', srv: undefined as unknown as import('node:http').Server };
  return {
    get hits() {
      return state.hits;
    },
    get url() {
      return state.url;
    },
    async start() {
      const http = await import('node:http');
      state.srv = http.createServer((_req, res) => {
        state.hits++;
        setTimeout(() => res.writeHead(503).end(), 1000);
      });
      await new Promise<void>((r) => state.srv.listen(0, '127.0.0.1', r));
      state.url = `http://127.0.0.1:${(state.srv.address() as AddressInfo).port}`;
    },
    async stop() {
      state.srv.closeAllConnections();
      await new Promise((r) => state.srv.close(r));
    },
  };
}

describe('replicas sharing Redis', () => {
  it('the second answers from what the first verified; a forged entry is ignored; Redis down keeps it working', async () => {
    const redis = await RedisServer.start();
    const keyFile = join(dir, 'cache.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const registry = world.registry as MemoryRegistry;
    const shared = ['--redis', redis.url, '--cache-key-file', keyFile];
    const redisUp = (p: ServeProcess) =>
      until('redis up', async () => ((await call(p.url, 'GET', '/readyz', undefined, client())).json.redis === 'up' ? true : undefined));
    try {
      const a = await serve([...tlsArgs(), ...network(), ...shared]);
      const b = await serve([...tlsArgs(), ...network(), ...shared]);
      await Promise.all([redisUp(a), redisUp(b)]);
      const first = await call(a.url, 'POST', '/gatekeeper/v1/provider', providerRequest([signed.ref]), client());
      expect(first.json.response.items[0].value.signatures[0].valid).toBe(true);
      const before = registry.log.length;
      const second = await call(b.url, 'POST', '/gatekeeper/v1/provider', providerRequest([signed.ref]), client());
      expect(second.json.response.items).toEqual(first.json.response.items);
      expect(registry.log.length).toBe(before);
      const mb = await call(b.url, 'GET', '/metrics', undefined, client());
      expect(sample(mb.text, 'atcr_verify_fact_answers_total', { source: 'redis' })).toBe(1);

      // Write access to Redis alone: a facts entry rewritten to claim a valid signature for an unsigned image.
      const raw = new Redis(redis.url);
      const unsigned = await world.image('alice/unsigned', '1');
      await call(a.url, 'POST', '/gatekeeper/v1/provider', providerRequest([unsigned.ref]), client());
      const keys = await raw.keys('*facts*');
      const victim = keys.find((k) => k.includes('alice/unsigned'))!;
      expect(victim).toBeDefined();
      const entry = (await raw.get(victim))!;
      const [fmt, expires, mac, ...json] = entry.split('\n');
      const facts = JSON.parse(json.join('\n'));
      facts.verified = true;
      facts.signatures = first.json.response.items[0].value.signatures;
      await raw.set(victim, [fmt, expires, mac, JSON.stringify(facts)].join('\n'), 'PX', 60_000);
      const c = await serve([...tlsArgs(), ...network(), ...shared]);
      await redisUp(c);
      const forged = await call(c.url, 'POST', '/gatekeeper/v1/provider', providerRequest([unsigned.ref]), client());
      expect(forged.json.response.items[0].value.signatures).toEqual([]);
      const mc = await call(c.url, 'GET', '/metrics', undefined, client());
      expect(sample(mc.text, 'atcr_verify_cache_redis_rejected_total', { reason: 'forged' })).toBe(1);
      raw.disconnect();

      // Redis stops: b still answers (memory, then the network), and says Redis is down.
      await redis.stop();
      const again = await call(b.url, 'POST', '/gatekeeper/v1/provider', providerRequest([signed.ref]), client());
      expect(again.json.response.items[0].value.signatures[0].valid).toBe(true);
      const other = await world.image('alice/app', '2.0');
      const cold = await call(b.url, 'POST', '/gatekeeper/v1/provider', providerRequest([other.ref]), client());
      expect(cold.json.response.items[0].value.signatures).toEqual([]);
      const ready = await until('redis down in readyz', async () => {
        const r = await call(b.url, 'GET', '/readyz', undefined, client());
        return r.json.redis === 'down' ? r : undefined;
      });
      expect(ready.status).toBe(200);
    } finally {
      await redis.stop();
    }
  }, 120_000);
});
