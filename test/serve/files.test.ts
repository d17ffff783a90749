// Every file the service reads goes through the one bounded reader (issue 12, item 2):
// a certificate, key, client CA, policy or cache key that is /dev/zero or a FIFO stops
// `serve` at start with a message naming the file (never a hang, never unbounded
// memory), and a watched file that turns into one on reload leaves the previous
// certificates or policy in force.

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../integration/cli.js';
import { makeCa, serverCert, type Issued, type Pki } from './support/certs.js';
import { call } from './support/client.js';
import { sample, startServe, until, type ServeProcess } from './support/process.js';

let dir: string;
let pki: Pki;
let cert: Issued;
const running: ServeProcess[] = [];

const POLICY = 'version: 1\npolicies:\n  - name: all\n    scope: "**"\n    require:\n      trustedDIDs: [did:plc:ewvi7nxzyoun6zhxrhs64oiz]\n';

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync('mkfifo', [p]);
  return p;
}

/** Puts `target` in place of `file` in one rename, as Kubernetes swaps a volume's link. */
function swapForLink(file: string, target: string): void {
  const tmp = `${file}.next`;
  symlinkSync(target, tmp);
  renameSync(tmp, file);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atcr-serve-files-'));
  pki = makeCa();
  cert = serverCert(pki);
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
});

describe('serve refuses to start on a file that is a device or a pipe', () => {
  const PLAIN = ['--insecure-http', '--listen', '127.0.0.1:0'];
  type Case = [flag: string, args: (file: string) => string[], cap: string];
  const cases: Case[] = [
    ['--tls-cert', (f) => ['--listen', '127.0.0.1:0', '--tls-cert', f, '--tls-key', cert.key], '1 MiB'],
    ['--tls-key', (f) => ['--listen', '127.0.0.1:0', '--tls-cert', cert.cert, '--tls-key', f], '1 MiB'],
    ['--client-ca', (f) => ['--listen', '127.0.0.1:0', '--tls-cert', cert.cert, '--tls-key', cert.key, '--client-ca', f], '4 MiB'],
    ['the policy file', (f) => [...PLAIN, '--policy', f], '5 MiB'],
    ['--cache-key-file', (f) => [...PLAIN, '--redis', 'redis://127.0.0.1:1', '--cache-key-file', f], '4 KiB'],
  ];

  it.each(cases)('%s: /dev/zero stops at its cap, a FIFO without a writer is empty', async (what, args, cap) => {
    const pipe = fifo(`nowriter-${what.replace(/\W/g, '')}`);
    const [zero, empty] = await Promise.all([runCli(['serve', ...args('/dev/zero')]), runCli(['serve', ...args(pipe)])]);
    expect(zero.code, zero.stderr).toBe(2);
    expect(zero.stderr).toContain(`${what} /dev/zero is larger than ${cap}`);
    expect(empty.code, empty.stderr).toBe(2);
    expect(empty.stderr).toContain(`${what} ${pipe} is empty (a pipe that nothing writes to)`);
    for (const r of [zero, empty]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops waiting for a pipe whose writer never closes', async () => {
    const pipe = fifo('slow-key');
    // Opens the FIFO, writes a little and holds it open for longer than the test.
    const writer = spawn('sh', ['-c', `exec 3>"${pipe}"; printf abc >&3; sleep 60`], { stdio: 'ignore' });
    try {
      const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--tls-cert', cert.cert, '--tls-key', pipe]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--tls-key ${pipe} was still being read when the time limit passed`);
    } finally {
      writer.kill();
    }
  });
});

describe('a watched file that becomes a device or a pipe', () => {
  it('keeps the previous policy and certificates, logs the file, and goes on serving', async () => {
    const policy = join(dir, 'live-policy.yaml');
    const live = { cert: join(dir, 'live.pem'), key: join(dir, 'live.key') };
    writeFileSync(policy, POLICY);
    copyFileSync(cert.cert, live.cert);
    copyFileSync(cert.key, live.key);
    const svc = await startServe(['--listen', '127.0.0.1:0', '--tls-cert', live.cert, '--tls-key', live.key, '--policy', policy]);
    running.push(svc);
    const tls = { ca: pki.ca };
    const first = (await call(svc.url, 'GET', '/healthz', undefined, tls)).headers['x-atcr-policy-sha256'];
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const failures = async (name: string, n: number) =>
      until(`${n} failed reload(s) of ${name}`, async () => {
        const m = await call(svc.url, 'GET', '/metrics', undefined, tls);
        return sample(m.text, name, { result: 'failed' }) >= n ? m : undefined;
      });

    swapForLink(policy, '/dev/zero');
    await failures('atcr_verify_policy_reloads_total', 1);
    swapForLink(policy, fifo('policy-fifo'));
    await failures('atcr_verify_policy_reloads_total', 2);
    swapForLink(live.cert, '/dev/zero');
    await failures('atcr_verify_tls_reloads_total', 1);
    // The good certificate back (a reload that succeeds), then the key becomes a pipe.
    copyFileSync(cert.cert, `${live.cert}.good`);
    renameSync(`${live.cert}.good`, live.cert);
    await until('the certificate back', async () => {
      const m = await call(svc.url, 'GET', '/metrics', undefined, tls);
      return sample(m.text, 'atcr_verify_tls_reloads_total', { result: 'ok' }) >= 1 ? m : undefined;
    });
    swapForLink(live.key, fifo('key-fifo'));
    await failures('atcr_verify_tls_reloads_total', 2);

    const after = await call(svc.url, 'GET', '/healthz', undefined, tls);
    expect(after.status).toBe(200);
    expect(after.headers['x-atcr-policy-sha256']).toBe(first);
    const log = svc.lines.join('\n');
    expect(log).toContain(`the policy file ${policy} is larger than 5 MiB`);
    expect(log).toContain(`the policy file ${policy} is empty (a pipe that nothing writes to)`);
    expect(log).toContain(`--tls-cert ${live.cert} is larger than 1 MiB`);
    expect(log).toContain(`--tls-key ${live.key} is empty (a pipe that nothing writes to)`);
    await svc.stop();
  }, 120_000);
});
