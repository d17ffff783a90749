// A did:web signer end to end, through the built CLI: the account lives on the real
// dev-env PDS under `did:web:localhost%3A<port>` (the PDS's bring-your-own-DID flow),
// and its DID document is served by a local host over TLS with the committed test
// certificate (test/fixtures/tls). The verifier trusts that host only through
// --ca-file or NODE_EXTRA_CA_CERTS.
//
// One port speaks both HTTPS and plain HTTP: the verifier fetches
// `https://localhost:<port>/.well-known/did.json` as the spec says, while the PDS's
// own resolver (@atproto/identity) fetches did:web:localhost over plain http.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acrypto from '@atproto/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld, type Signer } from '../support/atproto-world.js';
import { parseOutput, runCli } from './cli.js';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const CA_FILE = `${TLS_DIR}ca.pem`;

/** An HTTPS and HTTP server on one loopback port, told apart by the first byte (0x16: a TLS handshake). */
class DidWebHost {
  document = '';
  readonly fetched: { tls: boolean; url: string }[] = [];
  private readonly front = net.createServer((socket) => {
    socket.once('data', (first) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? this.secure : this.plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  private readonly handler = (tls: boolean) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    this.fetched.push({ tls, url: req.url ?? '' });
    if (req.url !== '/.well-known/did.json' || !this.document) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(this.document);
  };
  private readonly secure = https.createServer(
    { key: readFileSync(`${TLS_DIR}server.key`), cert: readFileSync(`${TLS_DIR}server.pem`) },
    this.handler(true),
  );
  private readonly plain = http.createServer(this.handler(false));
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.front.listen(0, '127.0.0.1', r));
    this.port = (this.front.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.secure.closeAllConnections();
    this.plain.closeAllConnections();
    await new Promise((r) => this.front.close(r));
  }
}

/** The PDS behind TLS with the test certificate: a TCP relay after the handshake. */
async function tlsFront(target: URL): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = tls.createServer({ key: readFileSync(`${TLS_DIR}server.key`), cert: readFileSync(`${TLS_DIR}server.pem`) }, (client) => {
    const upstream = net.connect(Number(target.port), '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `https://localhost:${(srv.address() as AddressInfo).port}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

function b64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

/** A service-auth JWT (ES256K) from `iss`, as the PDS asks of a bring-your-own-DID signup. */
async function serviceJwt(iss: string, aud: string, lxm: string, key: acrypto.Secp256k1Keypair): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256K' }));
  const body = b64url(JSON.stringify({ iss, aud, lxm, iat: now, exp: now + 300, jti: b64url(acrypto.randomBytes(16)) }));
  const sig = await key.sign(new TextEncoder().encode(`${head}.${body}`));
  return `${head}.${body}.${b64url(sig)}`;
}

function didDocument(did: string, handle: string, didKey: string, pds: string): string {
  return JSON.stringify({
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    alsoKnownAs: [`at://${handle}`],
    verificationMethod: [
      { id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase: didKey.slice('did:key:'.length) },
    ],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pds }],
  });
}

let world: AtprotoWorld;
let host: DidWebHost;
let signer: Signer;
let dir: string;
/** The document as activated, and one naming a key that did not sign the repository. */
let goodDocument: string;
let wrongKeyDocument: string;

beforeAll(async () => {
  [world, host] = await Promise.all([AtprotoWorld.start(), new DidWebHost().start()]);
  dir = mkdtempSync(join(tmpdir(), 'atcr-did-web-'));
  const did = `did:web:localhost%3A${host.port}`;
  const handle = `web${host.port}.test`;

  // Signup: the DID document first names a key we hold, to sign the service-auth token.
  const own = await acrypto.Secp256k1Keypair.create();
  host.document = didDocument(did, handle, own.did(), world.pdsUrl);
  const pdsDid = world.net.pds.ctx.cfg.service.did;
  const agent = world.net.pds.getClient();
  const jwt = await serviceJwt(did, pdsDid, 'com.atproto.server.createAccount', own);
  await agent.createAccount(
    { did, handle, email: `web${host.port}@test.invalid`, password: 'password' },
    { headers: { authorization: `Bearer ${jwt}` } },
  );
  // The repository is signed with the PDS's key for the account: the document must name it.
  const creds = await agent.com.atproto.identity.getRecommendedDidCredentials();
  const repoKey = (creds.data.verificationMethods as { atproto: string }).atproto;
  goodDocument = host.document = didDocument(did, handle, repoKey, world.pdsUrl);
  wrongKeyDocument = didDocument(did, handle, own.did(), world.pdsUrl);
  await agent.com.atproto.server.activateAccount();
  signer = { did, handle, agent };
});

afterAll(async () => {
  await Promise.all([world?.stop(), host?.stop()]);
});

function verify(ref: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runCli(['verify', ref, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json', ...extra], {
    NODE_EXTRA_CA_CERTS: '',
    ...env,
  });
}

describe('a did:web signer over TLS', () => {
  it('the PDS wrote the repository under the did:web DID', async () => {
    const repo = await signer.agent.com.atproto.repo.describeRepo({ repo: signer.did });
    expect(repo.data.did).toBe(signer.did);
    expect(repo.data.handle).toBe(signer.handle);
  });

  it('verifies with --ca-file: the document comes from https://localhost:<port>', async () => {
    const img = await world.image('web/app', '1.0');
    const signed = await world.sign(signer, img);
    host.fetched.length = 0;
    const run = await verify(img.ref, ['--ca-file', CA_FILE]);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run);
    expect(out.verified).toBe(true);
    expect(out.signatures).toHaveLength(1);
    expect(out.signatures[0]).toMatchObject({
      valid: true,
      did: signer.did,
      handle: signer.handle,
      pds: world.pdsUrl,
      keyId: `${signer.did}#atproto`,
      recordUri: signed.recordUri,
    });
    expect(host.fetched).toEqual([{ tls: true, url: '/.well-known/did.json' }]);
  });

  it('the served document decides: naming another key fails the commit signature', async () => {
    const img = await world.image('web/wrong-key', '1');
    await world.sign(signer, img);
    host.document = wrongKeyDocument;
    try {
      const run = await verify(img.ref, ['--ca-file', CA_FILE]);
      expect(run.code).toBe(1);
      const [sig] = parseOutput(run).signatures;
      expect(sig).toMatchObject({ valid: false, did: signer.did });
      expect(sig!.error!.code).toBe('commit-signature-invalid');
    } finally {
      host.document = goodDocument;
    }
  });

  it('verifies with NODE_EXTRA_CA_CERTS instead of --ca-file', async () => {
    const img = await world.image('web/env', '1');
    await world.sign(signer, img);
    const run = await verify(img.ref, [], { NODE_EXTRA_CA_CERTS: CA_FILE });
    expect(run.code, run.stderr).toBe(0);
    expect(parseOutput(run).signatures[0]).toMatchObject({ valid: true, did: signer.did });
  });

  it('without the CA the certificate is untrusted: the signature is undecided (exit 3)', async () => {
    const img = await world.image('web/untrusted', '1');
    await world.sign(signer, img);
    const run = await verify(img.ref);
    expect(run.code).toBe(3);
    const [sig] = parseOutput(run).signatures;
    expect(sig).toMatchObject({ valid: false, did: signer.did });
    expect(sig!.error!.code).toBe('did-resolution-failed');
    expect(sig!.error!.message).toMatch(/untrusted certificate/);
  });

  it('without --allow-private-network the did:web host on loopback is refused (exit 1)', async () => {
    const img = await world.image('web/private', '1');
    await world.sign(signer, img);
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--ca-file', CA_FILE, '--output', 'json']);
    expect(run.code).toBe(1);
    const [sig] = parseOutput(run).signatures;
    expect(sig!.error).toMatchObject({ code: 'did-resolution-failed' });
    expect(sig!.error!.message).toMatch(/non-public address/);
  });

  it('export --ca-file bundles the did:web document; offline it is reported unproven', async () => {
    const img = await world.image('web/export', '1');
    await world.sign(signer, img);
    const bundle = join(dir, 'bundle.json');
    const exp = await runCli(['export', img.ref, '-o', bundle, '--plc-url', world.plcUrl, '--allow-private-network', '--ca-file', CA_FILE]);
    expect(exp.code, exp.stderr).toBe(0);
    const run = await runCli(['verify', img.ref, '--offline', '--bundle', bundle, '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run) as ReturnType<typeof parseOutput> & { notes: string[] };
    expect(out.signatures[0]).toMatchObject({ valid: true, did: signer.did });
    expect(out.notes.join('\n')).toContain(`${signer.did}: did:web document taken from the bundle as is`);
  });
});

describe('sign --ca-file: the PDS over TLS', () => {
  it('signs through https://localhost with the test CA, and the signature verifies', async () => {
    const front = await tlsFront(new URL(world.pdsUrl));
    try {
      const img = await world.image('web/signed', '1');
      // By handle: the PDS lower-cases a DID identifier, and did:web:localhost%3A… has upper case.
      const args = ['sign', img.ref, '--pds', front.url, '--identifier', signer.handle, '--output', 'json'];
      const env = { ATCR_PDS_PASSWORD: 'password', NODE_EXTRA_CA_CERTS: '' };

      const untrusted = await runCli(args, env);
      expect(untrusted.code, untrusted.stdout).toBe(3);
      expect(untrusted.stderr).toMatch(/untrusted certificate/);

      const run = await runCli([...args, '--ca-file', CA_FILE], env);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ did: signer.did });

      const verified = await verify(img.ref, ['--ca-file', CA_FILE]);
      expect(verified.code, verified.stderr).toBe(0);
      expect(parseOutput(verified).signatures[0]).toMatchObject({ valid: true, did: signer.did });
    } finally {
      await front.stop();
    }
  });
});

describe('--ca-file is checked before any network traffic', () => {
  it('a missing file or one without certificates is a usage error (exit 2)', async () => {
    const missing = await runCli(['verify', 'registry.invalid/a/b:1', '--ca-file', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    for (const cmd of [['verify', 'registry.invalid/a/b:1'], ['export', 'registry.invalid/a/b:1', '-o', join(dir, 'x.json')]]) {
      const run = await runCli([...cmd, '--ca-file', junk]);
      expect(run.code, cmd[0]).toBe(2);
      expect(run.stderr).toContain('no PEM certificate');
    }
    const sign = await runCli(
      ['sign', 'registry.invalid/a/b:1', '--pds', 'https://pds.invalid', '--identifier', 'alice.test', '--ca-file', junk],
      { ATCR_PDS_PASSWORD: 'x' },
    );
    expect(sign.code).toBe(2);
    expect(sign.stderr).toContain('no PEM certificate');
  });
});
