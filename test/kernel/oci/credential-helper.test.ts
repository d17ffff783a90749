// Registry credentials as CI systems hold them: Docker's credsStore and credHelpers (run
// by Docker's helper protocol, here by small helper programs the test writes onto PATH),
// and the environment. Against Debian's docker-registry with htpasswd auth, through the
// built CLI and through the kernel's lookup.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../../../src/kernel/oci/credentials.js';
import { MAX_HELPER_OUTPUT_BYTES } from '../../../src/kernel/oci/credential-helper.js';
import { DockerRegistry, TEST_HTPASSWD } from '../../support/registry/docker-registry.js';
import { pushImage } from '../../support/registry/push.js';
import { assertBuilt, cli, STACK_FRAME, type Run } from '../../cli/run.js';

const dir = mkdtempSync(join(tmpdir(), 'atcr-credhelper-'));
const bin = join(dir, 'bin');
const log = join(dir, 'asked.log');
const { username, password } = TEST_HTPASSWD;

/** Writes `docker-credential-<name>` into the test's PATH folder. */
function helper(name: string, body: string): void {
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

function dockerConfig(name: string, config: unknown): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'config.json'), JSON.stringify(config));
  return d;
}

let reg: DockerRegistry;
let imageRef = '';
let digest = '';

beforeAll(async () => {
  mkdirSync(bin, { recursive: true });
  reg = await new DockerRegistry({ htpasswd: [TEST_HTPASSWD.line] }).start();
  const basic = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  const image = await pushImage(reg.host, 'team/app', '1.0', basic);
  imageRef = `${reg.host}/team/app:1.0`;
  digest = image.digest;
  // A helper that speaks the protocol: the server URL on stdin, JSON on stdout, and
  // Docker's "not found" sentence with a non-zero exit for any other registry.
  helper(
    'atcrtest',
    [
      'read -r server',
      `echo "$server" >> ${log}`,
      `if [ "$1" = get ] && [ "$server" = "${reg.host}" ]; then`,
      `  printf '{"ServerURL":"%s","Username":"${username}","Secret":"${password}"}' "$server"`,
      'else',
      '  echo "credentials not found in native keychain"; exit 1',
      'fi',
    ].join('\n'),
  );
  helper('wrongpw', `read -r server\nprintf '{"ServerURL":"%s","Username":"${username}","Secret":"nope"}' "$server"`);
  helper('hangs', 'exec sleep 30');
  helper('chatty', `head -c ${MAX_HELPER_OUTPUT_BYTES * 2} /dev/zero`);
  helper('garbled', 'echo "Secret: hunter2"');
  helper('broken', 'echo "keychain locked" >&2; exit 3');
  helper('token', `printf '{"ServerURL":"x","Username":"<token>","Secret":"refresh-hunter2"}'`);
}, 30_000);
afterAll(async () => {
  await reg?.stop();
});

const PATH = () => `${bin}:${process.env.PATH}`;

function verify(env: Record<string, string>): Promise<Run> {
  assertBuilt();
  return cli(['verify', imageRef, '--output', 'json'], undefined, { PATH: PATH(), HOME: dir, ...env });
}

/** The image was read (exit 1: it carries no signature) rather than refused (exit 3). */
function readTheImage(run: Run): void {
  expect(run.code, run.stderr).toBe(1);
  expect(JSON.parse(run.stdout).digest).toBe(digest);
}

describe('verify against a registry that demands a login', () => {
  it('is refused without credentials (could not decide, exit 3)', async () => {
    const run = await verify({ DOCKER_CONFIG: dockerConfig('none', {}) });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('requires a login and no credentials were found');
  });

  it('reads the image with credsStore: the helper gets the registry host on standard input', async () => {
    writeFileSync(log, '');
    readTheImage(await verify({ DOCKER_CONFIG: dockerConfig('store', { credsStore: 'atcrtest', auths: { [reg.host]: {} } }) }));
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([reg.host]);
  });

  it('prefers the credHelpers entry for the host over credsStore', async () => {
    readTheImage(await verify({ DOCKER_CONFIG: dockerConfig('helpers', { credsStore: 'wrongpw', credHelpers: { [reg.host]: 'atcrtest' } }) }));
    const wrong = await verify({ DOCKER_CONFIG: dockerConfig('helpers-wrong', { credsStore: 'atcrtest', credHelpers: { [reg.host]: 'wrongpw' } }) });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('refused our credentials');
  });

  it('takes credentials from the environment, which win over config.json', async () => {
    const suffix = reg.host.replace(/[^0-9A-Za-z]/g, '_').toUpperCase();
    readTheImage(
      await verify({
        DOCKER_CONFIG: dockerConfig('env-wins', { credsStore: 'wrongpw' }),
        [`ATCR_REGISTRY_USERNAME_${suffix}`]: username,
        [`ATCR_REGISTRY_PASSWORD_${suffix}`]: password,
      }),
    );
    readTheImage(await verify({ DOCKER_CONFIG: dockerConfig('none', {}), CI_REGISTRY: reg.host, CI_REGISTRY_USER: username, CI_REGISTRY_PASSWORD: password }));
  });

  it('says so when a helper answers an identity token to a registry that wants Basic credentials', async () => {
    const run = await verify({ DOCKER_CONFIG: dockerConfig('token', { credsStore: 'token' }) });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('asks for Basic credentials, and the ones found are an identity token');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('names a helper missing from PATH, without a stack trace', async () => {
    const run = await verify({ DOCKER_CONFIG: dockerConfig('missing', { credsStore: 'nosuchhelper' }) });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/credential helper docker-credential-nosuchhelper \(named by credsStore of .*config\.json\) is not on PATH/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('resolveCredentials', () => {
  const env = () => ({ PATH: PATH() });
  const cfg = (name: string, config: unknown) => join(dockerConfig(name, config), 'config.json');

  it('is anonymous when the helper has no credentials for the host', async () => {
    expect(await resolveCredentials('ghcr.io', { env: env(), dockerConfigPath: cfg('nf', { credsStore: 'atcrtest' }) })).toBeNull();
  });

  it('asks for Docker Hub under its legacy index URL', async () => {
    writeFileSync(log, '');
    await resolveCredentials('docker.io', { env: env(), dockerConfigPath: cfg('hub', { credHelpers: { 'docker.io': 'atcrtest' } }) });
    expect(readFileSync(log, 'utf8').trim()).toBe('https://index.docker.io/v1/');
  });

  it('bounds a helper in time and in output, and never repeats a secret', async () => {
    await expect(resolveCredentials(reg.host, { env: env(), timeoutMs: 200, dockerConfigPath: cfg('hang', { credsStore: 'hangs' }) })).rejects.toThrow(
      /docker-credential-hangs .* did not answer within 200 ms/,
    );
    await expect(resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('chatty', { credsStore: 'chatty' }) })).rejects.toThrow(
      `printed more than ${MAX_HELPER_OUTPUT_BYTES} bytes`,
    );
    const garbled = resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('garbled', { credsStore: 'garbled' }) });
    await expect(garbled).rejects.toThrow('did not answer JSON');
    await expect(garbled).rejects.not.toThrow('hunter2');
    await expect(resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('broken', { credsStore: 'broken' }) })).rejects.toThrow(
      'docker-credential-broken (named by credsStore of',
    );
    await expect(resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('broken2', { credsStore: 'broken' }) })).rejects.toThrow('failed (exit 3): keychain locked');
  });

  it("takes an identity token from a helper (Username \"<token>\") or config.json's identitytoken", async () => {
    const identity = { username: '', password: '', identityToken: 'refresh-hunter2' };
    expect(await resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('token', { credsStore: 'token' }) })).toEqual(identity);
    const inline = { auths: { [reg.host]: { auth: Buffer.from('someone:pw').toString('base64'), identitytoken: 'refresh-hunter2' } } };
    expect(await resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('inline-token', inline) })).toEqual(identity);
  });

  it('refuses a helper name that is a path', async () => {
    await expect(resolveCredentials(reg.host, { env: env(), dockerConfigPath: cfg('path', { credsStore: '../../bin/sh' }) })).rejects.toThrow('is not a program name');
  });

  it('reports half of an environment pair', async () => {
    await expect(resolveCredentials('ghcr.io', { env: { ATCR_REGISTRY_USERNAME_GHCR_IO: 'bot' } })).rejects.toThrow(
      'ATCR_REGISTRY_USERNAME_GHCR_IO is set but ATCR_REGISTRY_PASSWORD_GHCR_IO is not',
    );
  });
});
