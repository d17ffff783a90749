// The per-host limit on upstream requests, as operators run the service: the signers'
// PDS sits behind a loopback proxy that holds every request a while and counts how many
// are open at once. However many images one Gatekeeper request names, the service never
// has more than --max-host-requests requests open at that PDS, and still answers every
// image correctly.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { call, providerRequest } from './support/client.js';
import { startServe } from './support/process.js';

const IMAGES = 12;
const HOLD_MS = 150;

interface CountingProxy {
  url: string;
  open: number;
  peak: number;
  seen: number;
  reset(): void;
  close(): Promise<void>;
}

/** Forwards to `target` after holding each request HOLD_MS, counting open requests. */
async function countingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const state = { open: 0, peak: 0, seen: 0 };
  const server = http.createServer((req, res) => {
    state.open++;
    state.seen++;
    state.peak = Math.max(state.peak, state.open);
    const done = () => state.open--;
    res.once('close', done);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const out = http.request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      }, HOLD_MS);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get open() {
      return state.open;
    },
    get peak() {
      return state.peak;
    },
    get seen() {
      return state.seen;
    },
    reset() {
      state.peak = state.open;
      state.seen = 0;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let world: AtprotoWorld;
let proxy: CountingProxy;
const images: string[] = [];

beforeAll(async () => {
  world = await AtprotoWorld.start();
  const signer = await world.account();
  for (let i = 0; i < IMAGES; i++) {
    const img = await world.image(`limits/app${i}`, 'v1');
    await world.sign(signer, img);
    images.push(img.ref);
  }
  proxy = await countingProxy(world.pdsUrl);
  await world.movePds(signer, proxy.url);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await world?.stop();
});

async function answerAll(maxHostRequests: number): Promise<{ valid: number; peak: number; seen: number }> {
  const svc = await startServe(['--insecure-http', '--listen', '127.0.0.1:0', '--plc-url', world.plcUrl, '--allow-private-network', '--deadline', '30s', '--timeout', '60s', '--max-host-requests', String(maxHostRequests)]);
  try {
    proxy.reset();
    const r = await call(svc.url, 'POST', '/gatekeeper/v1/provider', providerRequest(images));
    expect(r.status).toBe(200);
    expect(r.json.response.systemError).toBe('');
    const items = r.json.response.items as { key: string; value?: { signatures: { valid: boolean }[] }; error: string }[];
    expect(items.map((i) => i.key)).toEqual(images);
    const valid = items.filter((i) => i.error === '' && i.value?.signatures.some((s) => s.valid)).length;
    return { valid, peak: proxy.peak, seen: proxy.seen };
  } finally {
    await svc.stop();
  }
}

describe('serve --max-host-requests', () => {
  it('keeps at most N requests open at one PDS, however many images are verified at once', async () => {
    const r = await answerAll(2);
    expect(r.valid).toBe(IMAGES);
    expect(r.seen).toBeGreaterThanOrEqual(IMAGES);
    expect(r.peak).toBeLessThanOrEqual(2);
    // The limit was reached: verifications did contend for the PDS.
    expect(r.peak).toBe(2);
  }, 120_000);

  it('lets more through with a higher limit (the bound above is the limit, not the workload)', async () => {
    const r = await answerAll(6);
    expect(r.valid).toBe(IMAGES);
    expect(r.peak).toBeLessThanOrEqual(6);
    expect(r.peak).toBeGreaterThan(2);
  }, 120_000);
});
