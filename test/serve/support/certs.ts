// Certificates for the service's tests, made by the openssl CLI: a CA, server
// certificates for localhost, and client certificates with a chosen name — Gatekeeper's
// webhook name by default — signed by that CA or by another one.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  /** The CA's PEM text. */
  ca: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('the openssl CLI is needed to make test certificates (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? String(err)}`);
  }
}

export function makeCa(name = 'test-ca', dir = mkdtempSync(join(tmpdir(), 'atcr-serve-pki-'))): Pki {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`], dir);
  return { dir, caCert: join(dir, `${name}.pem`), caKey: join(dir, `${name}.key`), ca: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

export interface Issued {
  cert: string;
  key: string;
}

/** A leaf certificate signed by `pki` for `name` (a DNS name), with the given extended key usage. */
export function issue(pki: Pki, file: string, name: string, usage: 'serverAuth' | 'clientAuth', extraSans: string[] = []): Issued {
  const ext = join(pki.dir, `${file}.ext`);
  const sans = [`DNS:${name}`, ...extraSans].join(',');
  writeFileSync(ext, `subjectAltName=${sans}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${file}.key`, '-out', `${file}.csr`], pki.dir);
  openssl(['x509', '-req', '-in', `${file}.csr`, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', `${file}.pem`], pki.dir);
  return { cert: join(pki.dir, `${file}.pem`), key: join(pki.dir, `${file}.key`) };
}

export const GATEKEEPER_NAME = 'gatekeeper-webhook-service.gatekeeper-system.svc';

/** A server certificate for localhost and 127.0.0.1. */
export function serverCert(pki: Pki, file = 'server'): Issued {
  return issue(pki, file, 'localhost', 'serverAuth', ['IP:127.0.0.1']);
}
