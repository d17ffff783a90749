// did:web over real TLS: a local HTTPS server with the committed test certificate
// (test/fixtures/tls) serves `/.well-known/did.json` for `did:web:localhost%3A<port>`.
// The resolver trusts it only when given the test CA, keeps to the private-address
// rule, follows no redirect and refuses an oversized document.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import * as acrypto from '@atproto/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DidResolver } from '../../../src/kernel/atproto/did-resolver.js';
import { parseCaCertificates } from '../../../src/kernel/net/ca.js';
import { request } from '../../../src/kernel/net/http.js';
import { VerifyError } from '../../../src/kernel/proof/errors.js';

const TLS_DIR = fileURLToPath(new URL('../../fixtures/tls/', import.meta.url));
const CA = readFileSync(`${TLS_DIR}ca.pem`, 'utf8');
const KEY = readFileSync(`${TLS_DIR}server.key`);
const CERT = readFileSync(`${TLS_DIR}server.pem`);

type Handler = (req: { url: string; host: string }, res: import('node:http').ServerResponse) => void;

interface Server {
  srv: https.Server;
  port: number;
  hits: string[];
  handler: Handler;
}

async function startServer(): Promise<Server> {
  const s: Server = { srv: undefined as unknown as https.Server, port: 0, hits: [], handler: (_q, res) => res.writeHead(404).end() };
  s.srv = https.createServer({ key: KEY, cert: CERT }, (req, res) => {
    s.hits.push(req.url ?? '');
    s.handler({ url: req.url ?? '', host: req.headers.host ?? '' }, res);
  });
  await new Promise<void>((r) => s.srv.listen(0, '127.0.0.1', r));
  s.port = (s.srv.address() as AddressInfo).port;
  return s;
}

let main: Server;
let other: Server;
let did: string;
let docBody: string;
let signingKey: string;

function didDoc(id: string, key: string): string {
  return JSON.stringify({
    '@context': ['https://www.w3.org/ns/did/v1'],
    id,
    alsoKnownAs: ['at://alice.example.com'],
    verificationMethod: [{ id: `${id}#atproto`, type: 'Multikey', controller: id, publicKeyMultibase: key.slice('did:key:'.length) }],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' }],
  });
}

beforeAll(async () => {
  [main, other] = await Promise.all([startServer(), startServer()]);
  did = `did:web:localhost%3A${main.port}`;
  signingKey = (await acrypto.Secp256k1Keypair.create()).did();
  docBody = didDoc(did, signingKey);
});

afterAll(async () => {
  main.srv.closeAllConnections();
  other.srv.closeAllConnections();
  await Promise.all([new Promise((r) => main.srv.close(r)), new Promise((r) => other.srv.close(r))]);
});

function serve(handler: Handler): void {
  main.hits.length = 0;
  other.hits.length = 0;
  main.handler = handler;
}

function serveDocument(body = docBody): void {
  serve((q, res) => {
    if (q.url !== '/.well-known/did.json') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
  });
}

async function failure(p: Promise<unknown>): Promise<VerifyError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof VerifyError)) throw new Error(`expected a VerifyError, got ${String(err)}`);
  return err;
}

const resolver = (opts: { ca?: string; allowPrivate?: boolean } = {}) =>
  new DidResolver({ plcUrl: 'https://plc.invalid', timeoutMs: 5000, allowPrivate: opts.allowPrivate ?? true, ca: opts.ca, cacheTtlMs: 0 });

describe('did:web over TLS', () => {
  it('resolves the document from https://localhost:<port>/.well-known/did.json when the test CA is trusted', async () => {
    serveDocument();
    const { doc, raw } = await resolver({ ca: CA }).resolve(did);
    expect(doc.did).toBe(did);
    expect(doc.pds).toBe('https://pds.example.com');
    expect(doc.key.didKey).toBe(signingKey);
    expect(new TextDecoder().decode(raw)).toBe(docBody);
    expect(main.hits).toEqual(['/.well-known/did.json']);
  });

  it('fails with did-resolution-failed naming an untrusted certificate when the CA is not given', async () => {
    serveDocument();
    const err = await failure(resolver().resolve(did));
    expect(err.code).toBe('did-resolution-failed');
    expect(err.message).toContain(`https://localhost:${main.port}/.well-known/did.json`);
    expect(err.message).toMatch(/untrusted certificate/);
    // The handshake failed: the request never reached the server.
    expect(main.hits).toEqual([]);
  });

  it('does not trust a CA other than the one that issued the certificate', async () => {
    serveDocument();
    // A real CA, just not this server's: extra CAs add trust, they do not switch checks off.
    const err = await failure(resolver({ ca: tls.rootCertificates[0]! }).resolve(did));
    expect(err.code).toBe('did-resolution-failed');
    expect(err.message).toMatch(/untrusted certificate/);
  });

  it('refuses the private address without allow-private, before any request', async () => {
    serveDocument();
    const err = await failure(resolver({ ca: CA, allowPrivate: false }).resolve(did));
    expect(err.code).toBe('did-resolution-failed');
    expect(err.unavailable).toBe(false);
    expect(err.message).toMatch(/non-public address 127\.0\.0\.1/);
    expect(main.hits).toEqual([]);
  });

  it('does not follow a redirect to another host', async () => {
    const elsewhere = `https://127.0.0.1:${other.port}/.well-known/did.json`;
    other.handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(docBody);
    serve((_q, res) => res.writeHead(302, { location: elsewhere }).end());
    const err = await failure(resolver({ ca: CA }).resolve(did));
    expect(err.code).toBe('did-resolution-failed');
    expect(err.message).toMatch(/answered 302/);
    expect(main.hits).toEqual(['/.well-known/did.json']);
    expect(other.hits).toEqual([]);
  });

  it('does not follow a redirect on the same host either', async () => {
    serve((q, res) => {
      if (q.url === '/did.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(docBody);
      res.writeHead(301, { location: '/did.json' }).end();
    });
    const err = await failure(resolver({ ca: CA }).resolve(did));
    expect(err.message).toMatch(/answered 301/);
    expect(main.hits).toEqual(['/.well-known/did.json']);
  });

  it('rejects a document over 64 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ ...JSON.parse(docBody), padding: 'x'.repeat(64 * 1024) });
    serveDocument(big);
    const declared = await failure(resolver({ ca: CA }).resolve(did));
    expect(declared.code).toBe('did-resolution-failed');
    expect(declared.unavailable).toBe(false);
    expect(declared.message).toMatch(/declares \d+ bytes, limit 65536/);

    serve((_q, res) => {
      // No content-length: the cap must be enforced while reading.
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      for (let i = 0; i < big.length; i += 8192) res.write(big.slice(i, i + 8192));
      res.end();
    });
    const streamed = await failure(resolver({ ca: CA }).resolve(did));
    expect(streamed.code).toBe('did-resolution-failed');
    expect(streamed.unavailable).toBe(false);
    expect(streamed.message).toMatch(/exceeds 65536 bytes/);
  });

  it('accepts a document of exactly 64 KiB', async () => {
    const base = JSON.stringify({ ...JSON.parse(docBody), padding: '' });
    const exact = JSON.stringify({ ...JSON.parse(docBody), padding: 'x'.repeat(64 * 1024 - base.length) });
    expect(Buffer.byteLength(exact)).toBe(64 * 1024);
    serveDocument(exact);
    const { doc } = await resolver({ ca: CA }).resolve(did);
    expect(doc.did).toBe(did);
  });
});

describe('extra CA certificates (per request, never process-wide)', () => {
  it('trusts the CA only for the requests that carry it', async () => {
    serveDocument();
    const { doc } = await resolver({ ca: CA }).resolve(did);
    expect(doc.did).toBe(did);
    // A resolver without it, in the same process, still refuses the server.
    const err = await failure(resolver().resolve(did));
    expect(err.message).toMatch(/untrusted certificate/);
  });

  it('takes a bundle of several CAs in one request', async () => {
    serveDocument();
    const res = await request(`https://localhost:${main.port}/.well-known/did.json`, {
      timeoutMs: 5000,
      maxBytes: 65536,
      allowPrivate: true,
      ca: `${tls.rootCertificates[0]!}\n${CA}`,
    });
    expect(res.status).toBe(200);
  });

  it('parseCaCertificates keeps every certificate of a bundle and names a broken one', () => {
    const two = parseCaCertificates(`${CA}\n# a comment\n${tls.rootCertificates[0]}`);
    expect(two.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(() => parseCaCertificates('not a certificate')).toThrow(/no PEM certificate/);
    expect(() => parseCaCertificates(`${CA}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)).toThrow(/certificate 2 does not parse/);
  });
});

describe('NODE_EXTRA_CA_CERTS', () => {
  // Node reads the variable once, at start-up: a fresh process is the only honest test.
  const script = `
    const { DidResolver } = await import(process.env.RESOLVER);
    const ca = process.env.OPERATOR_CA || undefined;
    const r = new DidResolver({ plcUrl: 'https://plc.invalid', timeoutMs: 5000, allowPrivate: true, ca });
    try { console.log((await r.resolve(process.env.DID)).doc.did); } catch (e) { console.log('ERR ' + e.message); }
  `;
  const dist = fileURLToPath(new URL('../../../dist/src/kernel/', import.meta.url));

  const inherited = { ...process.env };
  delete inherited.NODE_EXTRA_CA_CERTS;

  function run(env: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        {
          env: { ...inherited, RESOLVER: `${dist}atproto/did-resolver.js`, DID: did, ...env },
          timeout: 30_000,
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())),
      );
    });
  }

  it('is honoured by the kernel agents, alone and next to an operator CA', async () => {
    serveDocument();
    expect(await run({ NODE_EXTRA_CA_CERTS: `${TLS_DIR}ca.pem` })).toBe(did);
    // An explicit CA list makes Node drop its NODE_EXTRA_CA_CERTS: ours keeps it.
    expect(await run({ NODE_EXTRA_CA_CERTS: `${TLS_DIR}ca.pem`, OPERATOR_CA: tls.rootCertificates[0]! })).toBe(did);
    expect(await run({})).toMatch(/^ERR .*untrusted certificate/);
  });
});
