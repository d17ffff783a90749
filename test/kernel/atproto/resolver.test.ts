// DID and handle resolution against local HTTP servers: limits, caching, outage vs
// answer, and the private-address rule for URLs from untrusted data.

import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as acrypto from '@atproto/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DidResolver } from '../../../src/kernel/atproto/did-resolver.js';
import { resolveHandle } from '../../../src/kernel/atproto/handle.js';
import { VerifyError } from '../../../src/kernel/proof/errors.js';
import { txtServer } from '../../support/dns-txt.js';

const DID = 'did:plc:abcdefghijklmnopqrstuvwx';
let server: http.Server;
let base: string;
let hits = 0;
const routes = new Map<string, { status: number; body: string }>();

async function docFor(did: string, handle = 'alice.example.com') {
  const key = await acrypto.Secp256k1Keypair.create();
  return JSON.stringify({
    id: did,
    alsoKnownAs: [`at://${handle}`],
    verificationMethod: [{ id: '#atproto', type: 'Multikey', controller: did, publicKeyMultibase: key.did().slice(8) }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    const r = routes.get(req.url ?? '');
    res.writeHead(r?.status ?? 404, { 'content-type': 'application/json' });
    res.end(r?.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

async function failure(p: Promise<unknown>): Promise<{ code: string; unavailable: boolean } | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof VerifyError) return { code: err.code, unavailable: err.unavailable };
    throw err;
  }
}

const resolver = (extra: Partial<ConstructorParameters<typeof DidResolver>[0]> = {}) =>
  new DidResolver({ plcUrl: base, timeoutMs: 2000, allowPrivate: false, ...extra });

describe('DID resolution', () => {
  it('resolves did:plc from the directory and caches the answer', async () => {
    routes.set(`/${DID}`, { status: 200, body: await docFor(DID) });
    const r = resolver();
    const before = hits;
    const [a, b] = await Promise.all([r.resolve(DID), r.resolve(DID)]);
    await r.resolve(DID);
    expect(a.doc.did).toBe(DID);
    expect(b).toBe(a);
    expect(hits - before).toBe(1);
  });

  it('tells a missing DID (answer) from a failing directory (outage)', async () => {
    const missing = 'did:plc:bbbbbbbbbbbbbbbbbbbbbbbb';
    expect(await failure(resolver().resolve(missing))).toEqual({ code: 'did-resolution-failed', unavailable: false });
    const broken = 'did:plc:cccccccccccccccccccccccc';
    routes.set(`/${broken}`, { status: 503, body: '' });
    expect(await failure(resolver().resolve(broken))).toEqual({ code: 'did-resolution-failed', unavailable: true });
    const down = new DidResolver({ plcUrl: 'http://127.0.0.1:1', timeoutMs: 2000, allowPrivate: false });
    expect(await failure(down.resolve(DID))).toEqual({ code: 'did-resolution-failed', unavailable: true });
  });

  it('does not remember failures', async () => {
    const later = 'did:plc:dddddddddddddddddddddddd';
    const r = resolver();
    expect(await failure(r.resolve(later))).not.toBe('ok');
    routes.set(`/${later}`, { status: 200, body: await docFor(later) });
    expect(await failure(r.resolve(later))).toBe('ok');
  });

  it('refuses documents over 64 KiB', async () => {
    const big = 'did:plc:eeeeeeeeeeeeeeeeeeeeeeee';
    routes.set(`/${big}`, { status: 200, body: JSON.stringify({ id: big, pad: 'x'.repeat(70_000) }) });
    expect(await failure(resolver().resolve(big))).toEqual({ code: 'did-resolution-failed', unavailable: false });
  });

  it('rejects a document for another DID', async () => {
    const other = 'did:plc:ffffffffffffffffffffffff';
    routes.set(`/${other}`, { status: 200, body: await docFor(DID) });
    expect(await failure(resolver().resolve(other))).toEqual({ code: 'did-document-invalid', unavailable: false });
  });

  it('refuses a did:web host on a private address unless allowed', async () => {
    const port = (server.address() as AddressInfo).port;
    const did = `did:web:localhost%3A${port}`;
    routes.set('/.well-known/did.json', { status: 200, body: await docFor(did) });
    const strict = resolver({ allowHttpWeb: true });
    expect(await failure(strict.resolve(did))).toEqual({ code: 'did-resolution-failed', unavailable: false });
    const open = resolver({ allowHttpWeb: true, allowPrivate: true });
    expect((await open.resolve(did)).doc.did).toBe(did);
  });
});

describe('DID resolution under a deadline', () => {
  it('an abort signal ends a request the directory never answers, as unavailable', async () => {
    // A directory that accepts the connection and then says nothing.
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const controller = new AbortController();
      const r = new DidResolver({
        plcUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        timeoutMs: 600_000, // far beyond the test's own limit: only the signal can end it
        allowPrivate: false,
        signal: controller.signal,
      });
      const pending = failure(r.resolve(DID));
      setTimeout(() => controller.abort(), 50);
      expect(await pending).toEqual({ code: 'did-resolution-failed', unavailable: true });
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it('a handle whose well-known host never answers is "could not ask" once aborted, not "does not resolve"', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const controller = new AbortController();
      const port = (silent.address() as AddressInfo).port;
      const opts = {
        timeoutMs: 600_000,
        allowPrivate: true,
        allowHttp: true,
        dns: false,
        wellKnownUrl: (h: string) => `http://127.0.0.1:${port}/${h}`,
        signal: controller.signal,
      };
      const pending = failure(resolveHandle('slow.example.com', resolver(), opts));
      setTimeout(() => controller.abort(), 50);
      expect(await pending).toEqual({ code: 'did-resolution-failed', unavailable: true });
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('handle resolution', () => {
  it('an aborted lookup does not wait for a DNS server that never answers', async () => {
    // A DNS server on loopback UDP that reads every query and answers none.
    const silent = dgram.createSocket('udp4');
    const controller = new AbortController();
    // The abort comes once the query has reached the server: DNS is then what is waited on.
    silent.on('message', () => controller.abort());
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const opts = {
        timeoutMs: 600_000, // far beyond the test's own limit: only the signal can end it
        allowPrivate: true,
        allowHttp: true,
        dnsServers: [`127.0.0.1:${silent.address().port}`],
        wellKnownUrl: () => `${base}/none`,
        signal: controller.signal,
      };
      expect(await failure(resolveHandle('quiet.example.com', resolver(), opts))).toEqual({ code: 'did-resolution-failed', unavailable: true });
    } finally {
      silent.close();
    }
    // Node's c-ares gives up on a silent server after 5-6 s whatever its timeout option
    // says; a lookup that ignored the signal waited that long, past this test's limit.
  }, 4_000);


  it('resolves a handle whose DID claims it back', async () => {
    const did = 'did:plc:gggggggggggggggggggggggg';
    routes.set(`/${did}`, { status: 200, body: await docFor(did, 'owner.example.com') });
    routes.set('/handle/owner.example.com', { status: 200, body: `${did}\n` });
    const opts = { timeoutMs: 2000, allowPrivate: true, allowHttp: true, dns: false, wellKnownUrl: (h: string) => `${base}/handle/${h}` };
    expect(await resolveHandle('Owner.Example.com', resolver(), opts)).toBe(did);
  });

  it('rejects a handle the DID does not claim', async () => {
    const did = 'did:plc:hhhhhhhhhhhhhhhhhhhhhhhh';
    routes.set(`/${did}`, { status: 200, body: await docFor(did, 'someone-else.example.com') });
    routes.set('/handle/liar.example.com', { status: 200, body: did });
    const opts = { timeoutMs: 2000, allowPrivate: true, allowHttp: true, dns: false, wellKnownUrl: (h: string) => `${base}/handle/${h}` };
    expect(await failure(resolveHandle('liar.example.com', resolver(), opts))).toMatchObject({ code: 'did-document-invalid' });
    expect(await failure(resolveHandle('nobody.example.com', resolver(), opts))).toMatchObject({ code: 'did-resolution-failed' });
    expect(await failure(resolveHandle('not a handle', resolver(), opts))).toMatchObject({ code: 'did-resolution-failed' });
  });
});

describe('handle resolution through DNS', () => {
  it('reads _atproto.<handle> TXT records, and refuses ambiguous ones', async () => {
    const did = 'did:plc:iiiiiiiiiiiiiiiiiiiiiiii';
    routes.set(`/${did}`, { status: 200, body: await docFor(did, 'dns.example.com') });
    const dns = await txtServer(
      new Map([
        ['_atproto.dns.example.com', [`did=${did}`]],
        ['_atproto.two.example.com', ['did=did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', 'did=did:plc:bbbbbbbbbbbbbbbbbbbbbbbb']],
      ]),
    );
    try {
      // No well-known fallback here: the only way to the DID is DNS.
      const opts = { timeoutMs: 2000, allowPrivate: true, allowHttp: true, dnsServers: [dns.server], wellKnownUrl: () => `${base}/none` };
      expect(await resolveHandle('dns.example.com', resolver(), opts)).toBe(did);
      expect(await failure(resolveHandle('two.example.com', resolver(), opts))).toMatchObject({ code: 'did-resolution-failed' });
    } finally {
      dns.close();
    }
  });
});
