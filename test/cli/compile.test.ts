// `policy compile -o DIR`: a bad output directory is a clear usage error, never a hang
// or an internal error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli } from './run.js';

beforeAll(assertBuilt);

describe('policy compile output directory', () => {
  it('a file where the directory should be: exit 2 naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atcr-compile-'));
    const file = path.join(dir, 'taken');
    writeFileSync(file, 'x');
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'rego', '-o', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`atcr-verify: cannot write ${file}/policy.rego (-o ${file}): ${file} is not a directory\n`);
  });

  it('a directory that cannot be created (under /proc): exit 2, no hang', async () => {
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'rego', '-o', '/proc/atcr-nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^atcr-verify: cannot write \/proc\/atcr-nope\/policy\.rego \(-o \/proc\/atcr-nope\): /);
  });

  it('nested missing directories are created and every artifact path is printed', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'atcr-compile-')), 'a', 'b');
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'all', '-o', out]);
    expect(r.code).toBe(0);
    const paths = r.stdout.trim().split('\n');
    for (const t of ['rego/policy.rego', 'wasm/policy.wasm', 'gatekeeper/constraint-template.yaml', 'kyverno/clusterpolicy.yaml']) {
      expect(paths).toContain(path.join(out, t));
    }
  });
});

describe('policy compile service options', () => {
  const compile = (args: string[], target = 'all') =>
    cli(['policy', 'compile', 'policies/production.yaml', '--target', target, '-o', mkdtempSync(path.join(tmpdir(), 'atcr-compile-')), ...args]);

  it('--service-url must be an absolute URL, https for Gatekeeper: exit 2 otherwise', async () => {
    const relative = await compile(['--service-url', 'atcr-verify.svc']);
    expect([relative.code, relative.stderr]).toEqual([2, 'atcr-verify: --service-url "atcr-verify.svc" is not an absolute URL (e.g. https://atcr-verify.atcr-system.svc)\n']);
    const plain = await compile(['--service-url', 'http://atcr-verify.svc'], 'gatekeeper');
    expect([plain.code, plain.stderr]).toEqual([2, 'atcr-verify: --service-url must be https for Gatekeeper (its external data providers only speak HTTPS)\n']);
    expect((await compile(['--service-url', 'http://atcr-verify.svc'], 'kyverno')).code).toBe(0);
    expect((await compile(['--service-url', 'ftp://atcr-verify.svc'], 'kyverno')).code).toBe(2);
  });

  it('--ca-bundle: base64 in the Gatekeeper Providers, PEM in the Kyverno apiCalls; a file without a certificate is exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atcr-compile-'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUOg==\n-----END CERTIFICATE-----\n';
    writeFileSync(path.join(dir, 'ca.pem'), pem);
    writeFileSync(path.join(dir, 'junk'), 'not a cert');
    const out = path.join(dir, 'out');
    const r = await cli(['policy', 'compile', 'policies/production.yaml', '--target', 'all', '-o', out, '--ca-bundle', path.join(dir, 'ca.pem'), '--pin-digests']);
    expect(r.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const providers = readFileSync(path.join(out, 'gatekeeper', 'provider.yaml'), 'utf8');
    expect(providers.split(`caBundle: ${Buffer.from(pem).toString('base64')}`)).toHaveLength(3);
    expect(readFileSync(path.join(out, 'gatekeeper', 'mutation.yaml'), 'utf8')).toContain('provider: atcr-verify-mutate');
    expect(readFileSync(path.join(out, 'kyverno', 'clusterpolicy.yaml'), 'utf8')).toContain('caBundle: |\n');
    const junk = await compile(['--ca-bundle', path.join(dir, 'junk')]);
    expect([junk.code, junk.stderr]).toEqual([2, `atcr-verify: --ca-bundle ${path.join(dir, 'junk')}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)\n`]);
    const zero = await compile(['--ca-bundle', '/dev/zero']);
    expect([zero.code, zero.stderr.startsWith('atcr-verify: --ca-bundle /dev/zero')]).toEqual([2, true]);
  });

  it('--pin-digests only with Gatekeeper; --exclude-namespace takes namespace names', async () => {
    const r = await compile(['--pin-digests'], 'kyverno');
    expect([r.code, r.stderr]).toEqual([2, 'atcr-verify: --pin-digests is a Gatekeeper option (use --target gatekeeper or all)\n']);
    const ns = await compile(['--exclude-namespace', 'Kube System']);
    expect([ns.code, ns.stderr]).toEqual([2, 'atcr-verify: --exclude-namespace "Kube System" is not a Kubernetes namespace name\n']);
  });
});
