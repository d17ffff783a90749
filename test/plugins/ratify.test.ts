// The real Ratify v1.4 CLI (built from its module): `ratify verify -s IMAGE@DIGEST -c
// config.json` with the ORAS store over plain http and the standalone executable in
// pluginBinDirs as an external verifier, on the in-process registry with the referrers
// API and on Debian's docker-registry (tag fallback).

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld, SIGNATURE_TYPE } from '../support/atproto-world.js';
import { toolPath } from '../support/tools.js';
import { run, seaBinary, tempDir } from './support.js';

interface Report {
  subject: string;
  isSuccess: boolean;
  name: string;
  type: string;
  referenceDigest: string;
  artifactType: string;
  message: string;
  extensions?: { signature?: { did: string; valid: boolean; error?: { code: string } }; decision?: { allowed: boolean; policy?: { policy: string; effect: string } | null }; subject?: string };
}
interface RatifyResult {
  isSuccess: boolean;
  verifierReports: Report[];
}

function scenario(name: string, opts: { dockerRegistry?: boolean }) {
  describe(name, () => {
    let world: AtprotoWorld;
    const dir = tempDir('atcr-ratify-');
    const pluginDir = join(dir, 'plugins');

    beforeAll(async () => {
      mkdirSync(pluginDir);
      // Named after its `type`, which is no built-in verifier's name.
      copyFileSync(seaBinary(), join(pluginDir, 'atcr-verify'));
      toolPath('ratify');
      world = await AtprotoWorld.start(opts);
    }, 120_000);
    afterAll(async () => {
      await world?.stop();
    });

    async function ratify(subject: string, verifier: Record<string, unknown>, policy: 'all' | 'any' = 'all'): Promise<RatifyResult> {
      const config = {
        store: { version: '1.0.0', plugins: [{ name: 'oras', useHttp: true }] },
        policy: { version: '1.0.0', plugin: { name: 'configPolicy', artifactVerificationPolicies: { [SIGNATURE_TYPE]: policy } } },
        verifier: {
          version: '1.0.0',
          pluginBinDirs: [pluginDir],
          plugins: [{ name: 'atcr', type: 'atcr-verify', artifactTypes: SIGNATURE_TYPE, plcUrl: world.plcUrl, allowPrivateNetwork: true, ...verifier }],
        },
      };
      const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(config));
      const r = await run(toolPath('ratify'), ['verify', '-s', subject, '-c', file], { env: { HOME: dir } });
      expect(r.code, r.stderr).toBe(0);
      // Ratify's own parser took our line: its output is one JSON document. Go's
      // omitempty drops `isSuccess: false`, so absent means false.
      const out = JSON.parse(r.stdout) as RatifyResult;
      return { isSuccess: out.isSuccess === true, verifierReports: (out.verifierReports ?? []).map((v) => ({ ...v, isSuccess: v.isSuccess === true })) };
    }

    const subjectOf = (img: { repo: string; pushed: { digest: string } }) => `${world.registryHost}/${img.repo}@${img.pushed.digest}`;

    it('accepts a valid signature by a trusted DID, with the fact and the decision in extensions', async () => {
      const a = await world.account();
      const img = await world.image('alice/r-valid', '1.0');
      const signed = await world.sign(a, img);
      const out = await ratify(subjectOf(img), { trustedDIDs: [a.did] });
      expect(out.isSuccess).toBe(true);
      expect(out.verifierReports).toHaveLength(1);
      const r = out.verifierReports[0]!;
      expect(r).toMatchObject({ isSuccess: true, name: 'atcr', type: 'atcr-verify', referenceDigest: signed.artifact.digest });
      expect(r.message).toContain('is valid and trusted');
      expect(r.extensions?.signature).toMatchObject({ did: a.did, valid: true });
      expect(r.extensions?.decision?.allowed).toBe(true);
    });

    it('rejects a signature whose proof does not check out, with the kernel’s code', async () => {
      const a = await world.account();
      const other = await world.image('alice/r-other', '1.0');
      const img = await world.image('alice/r-invalid', '1.0');
      await world.sign(a, img, { recordDigest: other.pushed.digest });
      const out = await ratify(subjectOf(img), { trustedDIDs: [a.did] });
      expect(out.isSuccess).toBe(false);
      const r = out.verifierReports[0]!;
      expect(r.isSuccess).toBe(false);
      expect(r.message).toContain('record-digest-mismatch');
      expect(r.extensions?.signature?.error?.code).toBe('record-digest-mismatch');
    });

    it('rejects a revoked signature', async () => {
      const a = await world.account();
      const img = await world.image('alice/r-revoked', '1.0');
      const signed = await world.sign(a, img);
      await world.revoke(a, signed);
      const out = await ratify(subjectOf(img), { trustedDIDs: [a.did] });
      expect(out.isSuccess).toBe(false);
      expect(out.verifierReports[0]!.message).toContain('record-deleted');
    });

    it('rejects a valid signature by a DID that is not trusted', async () => {
      const a = await world.account();
      const stranger = await world.account();
      const img = await world.image('alice/r-untrusted', '1.0');
      await world.sign(stranger, img);
      const out = await ratify(subjectOf(img), { trustedDIDs: [a.did] });
      expect(out.isSuccess).toBe(false);
      const r = out.verifierReports[0]!;
      expect(r.message).toContain(`${stranger.did} is not in trustedDIDs`);
      expect(r.extensions?.signature?.valid).toBe(true);
      expect(r.extensions?.decision?.allowed).toBe(false);
    });

    it('reports each of two signatures on one image on its own, one good and one bad', async () => {
      const a = await world.account();
      const b = await world.account();
      const other = await world.image('alice/r-two-other', '1.0');
      const img = await world.image('alice/r-two', '1.0');
      const good = await world.sign(a, img);
      const bad = await world.sign(b, img, { recordDigest: other.pushed.digest });
      const all = await ratify(subjectOf(img), { trustedDIDs: [a.did, b.did] }, 'all');
      expect(all.isSuccess).toBe(false);
      const by = Object.fromEntries(all.verifierReports.map((r) => [r.referenceDigest, r]));
      expect(Object.keys(by).sort()).toEqual([good.artifact.digest, bad.artifact.digest].sort());
      expect(by[good.artifact.digest]!.isSuccess).toBe(true);
      expect(by[bad.artifact.digest]!.isSuccess).toBe(false);
      expect(by[bad.artifact.digest]!.message).toContain('record-digest-mismatch');
      const any = await ratify(subjectOf(img), { trustedDIDs: [a.did, b.did] }, 'any');
      expect(any.isSuccess).toBe(true);
    });

    it('decides with a trust policy file named in the verifier config', async () => {
      const a = await world.account();
      const stranger = await world.account();
      const policy = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(policy, `version: 1\nunmatched: deny\npolicies:\n  - name: ratify-policy\n    scope: "${world.registryHost}/**"\n    require:\n      trustedDIDs: [${a.did}]\n`);
      const ok = await world.image('alice/r-policy', '1.0');
      await world.sign(a, ok);
      const allowed = await ratify(subjectOf(ok), { policy });
      expect(allowed.isSuccess).toBe(true);
      expect(allowed.verifierReports[0]!.extensions?.decision?.policy).toMatchObject({ policy: 'ratify-policy', effect: 'allow' });
      const no = await world.image('alice/r-policy-no', '1.0');
      await world.sign(stranger, no);
      const denied = await ratify(subjectOf(no), { policy });
      expect(denied.isSuccess).toBe(false);
      expect(denied.verifierReports[0]!.message).toContain('untrusted-did');
    });

    it('fails the verification with a clear message when the verifier config is wrong', async () => {
      const a = await world.account();
      const img = await world.image('alice/r-badconf', '1.0');
      await world.sign(a, img);
      const out = await ratify(subjectOf(img), { trustedDIDs: [a.did], plcURL: 'http://typo.test' });
      expect(out.isSuccess).toBe(false);
      expect(out.verifierReports[0]!.message).toContain('configuration error: verifier config "atcr": unknown key "plcURL"');
      const none = await ratify(subjectOf(img), {});
      expect(none.isSuccess).toBe(false);
      expect(none.verifierReports[0]!.message).toContain('set trustedDIDs (a list of DIDs) or policy');
    });
  });
}

scenario('Ratify with a registry with the referrers API', {});
scenario('Ratify with Debian’s docker-registry', { dockerRegistry: true });
