import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetError, followSameHost, request } from '../../../src/kernel/net/http.js';

let server: http.Server;
let base: string;
let other: http.Server;
let otherBase: string;

function listen(s: http.Server): Promise<string> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    switch (u.pathname) {
      case '/ok':
        res.setHeader('x-one', 'a');
        res.setHeader('link', ['<a>; rel="next"', '<b>; rel="prev"']);
        return res.end('hello');
      case '/echo': {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => res.end(`${req.method} ${Buffer.concat(chunks).toString()}`));
        return;
      }
      case '/big-declared':
        res.setHeader('content-length', '100000');
        return res.end(Buffer.alloc(100000));
      case '/big-chunked':
        res.write(Buffer.alloc(6000));
        res.write(Buffer.alloc(6000));
        return res.end();
      case '/hang':
        return; // never answers: the client's deadline must fire
      case '/redirect':
        res.statusCode = 302;
        res.setHeader('location', '/ok');
        return res.end();
      case '/loop':
        res.statusCode = 307;
        res.setHeader('location', '/loop');
        return res.end();
      case '/away':
        res.statusCode = 302;
        res.setHeader('location', `${otherBase}/ok`);
        return res.end();
      default:
        res.statusCode = 404;
        return res.end();
    }
  });
  base = await listen(server);
  other = http.createServer((_q, res) => res.end('other'));
  otherBase = await listen(other);
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  other.close();
});

const open = { timeoutMs: 2000, maxBytes: 10_000, allowPrivate: true, allowHttp: true };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    return (e as NetError).code;
  }
  return 'no error';
}

describe('request', () => {
  it('returns status, lower-case headers and body', async () => {
    const res = await request(`${base}/ok`, open);
    expect(res.status).toBe(200);
    expect(res.headers['x-one']).toBe('a');
    expect(res.headers['link']).toBe('<a>; rel="next", <b>; rel="prev"');
    expect(Buffer.from(res.body).toString()).toBe('hello');
  });

  it('sends method and body', async () => {
    const res = await request(`${base}/echo`, { ...open, method: 'PUT', body: 'data' });
    expect(Buffer.from(res.body).toString()).toBe('PUT data');
  });

  it('refuses http:// unless allowed', async () => {
    expect(await codeOf(request(`${base}/ok`, { ...open, allowHttp: false }))).toBe('http-scheme');
    expect(await codeOf(request('ftp://example.com/x', open))).toBe('http-scheme');
    expect(await codeOf(request('not a url', open))).toBe('http-scheme');
  });

  it('refuses a private IP literal unless allowed', async () => {
    expect(await codeOf(request(`${base}/ok`, { ...open, allowPrivate: false }))).toBe('private-address');
    expect(await codeOf(request('http://[::ffff:127.0.0.1]:1/', { ...open, allowPrivate: false }))).toBe('private-address');
    // NAT64 local-use (RFC 8215) and Teredo, each leading to 127.0.0.1 (issue 12, item 8).
    expect(await codeOf(request('http://[64:ff9b:1::7f00:1]:1/', { ...open, allowPrivate: false }))).toBe('private-address');
    expect(await codeOf(request('http://[2001:0:808:808::80ff:fffe]:1/', { ...open, allowPrivate: false }))).toBe('private-address');
  });

  it('refuses a name that resolves to a private address', async () => {
    const port = new URL(base).port;
    expect(await codeOf(request(`http://localhost:${port}/ok`, { ...open, allowPrivate: false }))).toBe('private-address');
  });

  it('aborts a body declared larger than the cap', async () => {
    expect(await codeOf(request(`${base}/big-declared`, open))).toBe('too-large');
  });

  it('aborts a streamed body that grows past the cap', async () => {
    expect(await codeOf(request(`${base}/big-chunked`, open))).toBe('too-large');
  });

  it('times out a server that never answers', async () => {
    expect(await codeOf(request(`${base}/hang`, { ...open, timeoutMs: 100 }))).toBe('timeout');
  });

  it('stops on an abort signal', async () => {
    const ac = new AbortController();
    const p = request(`${base}/hang`, { ...open, signal: ac.signal });
    ac.abort();
    expect(await codeOf(p)).toBe('aborted');
  });

  it('reports a refused connection', async () => {
    const s = http.createServer();
    const addr = await listen(s);
    await new Promise((r) => s.close(r));
    expect(await codeOf(request(`${addr}/`, open))).toBe('connect');
  });

  it('does not follow redirects on its own', async () => {
    const res = await request(`${base}/redirect`, open);
    expect(res.status).toBe(302);
  });
});

describe('followSameHost', () => {
  it('follows a same-origin redirect', async () => {
    const res = await followSameHost(`${base}/redirect`, open);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${base}/ok`);
  });

  it('returns a redirect to another origin unfollowed', async () => {
    const res = await followSameHost(`${base}/away`, open);
    expect(res.status).toBe(302);
  });

  it('stops after three hops', async () => {
    const res = await followSameHost(`${base}/loop`, open);
    expect(res.status).toBe(307);
  });
});

describe('connection reuse', () => {
  it('reuses one connection for sequential requests to a host', async () => {
    let connections = 0;
    const s = http.createServer((_q, res) => res.end('x'));
    s.on('connection', () => connections++);
    const addr = await listen(s);
    for (let i = 0; i < 5; i++) expect((await request(`${addr}/`, open)).status).toBe(200);
    expect(connections).toBe(1);
    s.closeAllConnections();
    s.close();
  });

  it('keeps working when the server drops idle connections', async () => {
    const s = http.createServer((_q, res) => res.end('x'));
    s.keepAliveTimeout = 1;
    const addr = await listen(s);
    for (let i = 0; i < 5; i++) {
      expect((await request(`${addr}/`, open)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5 * i));
    }
    s.closeAllConnections();
    s.close();
  });

  it('does not let a connection opened without the address check serve a checked request', async () => {
    const port = new URL(base).port;
    expect((await request(`http://localhost:${port}/ok`, open)).status).toBe(200);
    await expect(request(`http://localhost:${port}/ok`, { ...open, allowPrivate: false })).rejects.toMatchObject({ code: 'private-address' });
  });
});
