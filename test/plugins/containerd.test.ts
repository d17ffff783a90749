// The real containerd 2.x (built from its module, run as root) pulling through its
// Transfer Service, with the standalone executable as its one bindir image verifier, from
// the in-process registry with the referrers API and from Debian's docker-registry.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { closedPort } from '../integration/cli.js';
import { Containerd, pushMultiPlatformImage, pushRunnableImage, seaBinary, Serve, tempDir } from './support.js';

const REJECTED = /verifier atcr-verify rejected image \(exit code (\d+)\)/;

function scenario(name: string, opts: { dockerRegistry?: boolean }) {
  describe(name, () => {
    let world: AtprotoWorld;
    let ctd: Containerd;
    const confDir = tempDir('atcr-ctd-conf-');
    const configFile = join(confDir, 'config.yaml');
    const configure = (extra: Record<string, unknown> = {}) =>
      writeFileSync(configFile, JSON.stringify({ plcUrl: world.plcUrl, allowPrivateNetwork: true, timeout: '8s', ...extra }));

    beforeAll(async () => {
      seaBinary();
      world = await AtprotoWorld.start(opts);
      configure();
      ctd = await new Containerd({ ATCR_VERIFY_CONFIG: configFile }).start();
    }, 120_000);
    afterAll(async () => {
      await ctd?.stop();
      await world?.stop();
    });

    it('pulls a signed image', async () => {
      configure();
      const a = await world.account();
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'signed');
      await world.sign(a, img);
      const pull = await ctd.pull(img.ref);
      expect(pull.code, pull.stdout + pull.stderr).toBe(0);
      expect(pull.stdout + pull.stderr).not.toMatch(REJECTED);
    });

    it('refuses an unsigned image with the reason in the error', async () => {
      configure();
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'unsigned');
      const pull = await ctd.pull(img.ref);
      expect(pull.code).not.toBe(0);
      expect(pull.stderr).toMatch(REJECTED);
      expect(pull.stderr).toContain('no ATProto signatures found');
      expect(pull.stderr).toContain(img.pushed.digest);
    });

    it('refuses an image whose only signature was revoked', async () => {
      configure();
      const a = await world.account();
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'revoked');
      const signed = await world.sign(a, img);
      await world.revoke(a, signed);
      const pull = await ctd.pull(img.ref);
      expect(pull.stderr).toMatch(REJECTED);
      expect(pull.stderr).toContain('record-deleted');
      expect(pull.stderr).toContain(a.did);
    });

    it('refuses an image signed for another digest', async () => {
      configure();
      const a = await world.account();
      const other = await pushRunnableImage(world.registryHost, 'alice/app', 'other');
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'wrong');
      await world.sign(a, img, { recordDigest: other.pushed.digest });
      const pull = await ctd.pull(img.ref);
      expect(pull.stderr).toMatch(REJECTED);
      expect(pull.stderr).toContain('record-digest-mismatch');
    });

    it('refuses a validly signed image the policy denies, naming the policy and the violation', async () => {
      const trusted = await world.account();
      const stranger = await world.account();
      const policy = join(confDir, 'policy.yaml');
      writeFileSync(
        policy,
        `version: 1\nunmatched: deny\npolicies:\n  - name: only-trusted\n    scope: "${world.registryHost}/**"\n    require:\n      trustedDIDs: [${trusted.did}]\n`,
      );
      configure({ policy });
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'stranger');
      await world.sign(stranger, img);
      const denied = await ctd.pull(img.ref);
      expect(denied.stderr).toMatch(REJECTED);
      expect(denied.stderr).toContain('policy only-trusted: deny');
      expect(denied.stderr).toContain('untrusted-did');

      const ok = await pushRunnableImage(world.registryHost, 'alice/app', 'trusted');
      await world.sign(trusted, ok);
      const allowed = await ctd.pull(ok.ref);
      expect(allowed.code, allowed.stderr).toBe(0);
      configure();
    });

    it('refuses (fails closed) when the signer’s PDS cannot be reached', async () => {
      configure();
      const a = await world.account();
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'nopds');
      await world.sign(a, img);
      await world.movePds(a, `http://127.0.0.1:${await closedPort()}`);
      const pull = await ctd.pull(img.ref);
      const m = REJECTED.exec(pull.stderr);
      expect(m, pull.stderr).not.toBeNull();
      expect(m![1]).toBe('3');
      expect(pull.stderr).toContain('could not decide');
    });

    it('verifies the index of a multi-platform image, not its platform manifests', async () => {
      configure();
      const a = await world.account();
      const signedIndex = await pushMultiPlatformImage(world.registryHost, 'alice/multi', 'signed');
      await world.sign(a, signedIndex.index);
      const ok = await ctd.pull(signedIndex.index.ref, { platform: 'linux/amd64' });
      expect(ok.code, ok.stderr).toBe(0);

      // Signatures on the platform manifests alone do not admit the index.
      const childrenOnly = await pushMultiPlatformImage(world.registryHost, 'alice/multi', 'children');
      await world.sign(a, childrenOnly.amd64);
      await world.sign(a, childrenOnly.arm64);
      const refused = await ctd.pull(childrenOnly.index.ref, { platform: 'linux/amd64' });
      expect(refused.stderr).toMatch(REJECTED);
      expect(refused.stderr).toContain(childrenOnly.index.pushed.digest);
    });

    it('delegates to a running `atcr-verify serve` when the configuration names it', async () => {
      const trusted = await world.account();
      const stranger = await world.account();
      const policy = join(confDir, 'serve-policy.yaml');
      writeFileSync(policy, `version: 1\nunmatched: deny\npolicies:\n  - name: served\n    scope: "${world.registryHost}/**"\n    require:\n      trustedDIDs: [${trusted.did}]\n`);
      const serve = await new Serve().start(['--plc-url', world.plcUrl, '--allow-private-network', '--policy', policy]);
      try {
        // Only the server's settings count: the local file names no PLC directory at all.
        writeFileSync(configFile, JSON.stringify({ server: serve.url }));
        const ok = await pushRunnableImage(world.registryHost, 'alice/app', 'served-ok');
        await world.sign(trusted, ok);
        const allowed = await ctd.pull(ok.ref);
        expect(allowed.code, allowed.stderr).toBe(0);
        const no = await pushRunnableImage(world.registryHost, 'alice/app', 'served-no');
        await world.sign(stranger, no);
        const denied = await ctd.pull(no.ref);
        expect(denied.stderr).toMatch(REJECTED);
        expect(denied.stderr).toContain('policy served: deny');
        expect(denied.stderr).toContain(`[answered by ${serve.url}]`);
      } finally {
        await serve.stop();
      }
      // The server gone: refused, could not decide.
      const gone = await ctd.pull((await pushRunnableImage(world.registryHost, 'alice/app', 'served-gone')).ref);
      const m = REJECTED.exec(gone.stderr);
      expect(m, gone.stderr).not.toBeNull();
      expect(m![1]).toBe('3');
      expect(gone.stderr).toContain('could not be reached');
      configure();
    });

    it('is bypassed by `ctr image pull --local`, which does not use the Transfer Service', async () => {
      configure();
      const img = await pushRunnableImage(world.registryHost, 'alice/app', 'local');
      const transfer = await ctd.pull(img.ref);
      expect(transfer.stderr).toMatch(REJECTED);
      const local = await ctd.pull(img.ref, { local: true });
      expect(local.code, local.stderr).toBe(0);
    });
  });
}

scenario('containerd pulls from a registry with the referrers API', {});
scenario('containerd pulls from Debian’s docker-registry', { dockerRegistry: true });

describe('containerd with a broken verifier configuration', () => {
  let world: AtprotoWorld;
  let ctd: Containerd;
  const confDir = tempDir('atcr-ctd-bad-');
  const configFile = join(confDir, 'config.yaml');
  beforeAll(async () => {
    seaBinary();
    world = await AtprotoWorld.start({});
    ctd = await new Containerd({ ATCR_VERIFY_CONFIG: configFile }).start();
  }, 120_000);
  afterAll(async () => {
    await ctd?.stop();
    await world?.stop();
  });

  it('blocks every pull, naming the file and what is wrong', async () => {
    const a = await world.account();
    const img = await pushRunnableImage(world.registryHost, 'alice/app', 'conf');
    await world.sign(a, img);
    const missing = await ctd.pull(img.ref);
    expect(missing.stderr).toMatch(REJECTED);
    expect(missing.stderr).toContain(`configuration file ${configFile} does not exist`);

    writeFileSync(configFile, 'plcUrl: [not, a, url]\n');
    const broken = await ctd.pull(img.ref);
    expect(broken.stderr).toContain(`configuration file ${configFile}: plcUrl must be a non-empty string`);

    writeFileSync(configFile, 'plcURL: http://example.test\n');
    const typo = await ctd.pull(img.ref);
    expect(typo.stderr).toContain('unknown key "plcURL"');
  });
});
