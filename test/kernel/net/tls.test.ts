import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { NetError, request } from '../../../src/kernel/net/http.js';

let server: https.Server;
let base: string;
let cert: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'atcr-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_q, res) => res.end('secure'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('request over TLS', () => {
  it('rejects a certificate it does not trust with code tls', async () => {
    const err = await request(base, { timeoutMs: 2000, maxBytes: 100, allowPrivate: true }).catch((e) => e);
    expect(err).toBeInstanceOf(NetError);
    expect((err as NetError).code).toBe('tls');
  });

  it('accepts the certificate when its CA is given', async () => {
    const res = await request(base, { timeoutMs: 2000, maxBytes: 100, allowPrivate: true, ca: cert });
    expect(Buffer.from(res.body).toString()).toBe('secure');
  });
});
