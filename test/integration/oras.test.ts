// The tools people already have: the real ORAS CLI sees our signatures. `oras discover`
// lists them with their artifact type on both test registries (the in-process one with the
// referrers API, and Debian's docker-registry through the referrers tag schema), and
// fetching one with oras gives byte for byte the payload `atcr-verify` checked (from its export).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { toolPath } from '../support/tools.js';
import { runCli } from './cli.js';

const run = promisify(execFile);
const SIGNATURE_TYPE = 'application/vnd.atproto.signature.v1+json';

interface Discovered {
  digest: string;
  referrers?: { artifactType?: string; digest: string; annotations?: Record<string, string> }[];
}

for (const kind of ['referrers API (in-process registry)', 'tag schema (docker-registry)'] as const) {
  describe(`oras on the ${kind}`, () => {
    let world: AtprotoWorld;
    beforeAll(async () => {
      world = await AtprotoWorld.start({ dockerRegistry: kind.includes('docker') });
    });
    afterAll(async () => {
      await world?.stop();
    });

    it('discover lists our signature artifacts, and fetching one gives the payload verify checked', async () => {
      const alice = await world.account();
      const bob = await world.account();
      const img = await world.image('alice/app', '1.0');
      await world.sign(alice, img);
      await world.sign(bob, img);
      const subject = `${world.registryHost}/alice/app@${img.pushed.digest}`;
      const spec = kind.includes('docker') ? ['--distribution-spec', 'v1.1-referrers-tag'] : [];
      const { stdout } = await run(toolPath('oras'), ['discover', '--plain-http', '--format', 'json', ...spec, subject]);
      const tree = JSON.parse(stdout) as Discovered;
      const sigs = (tree.referrers ?? []).filter((r) => r.artifactType === SIGNATURE_TYPE);
      expect(sigs.map((s) => s.annotations?.['io.atcr.signature.did']).sort()).toEqual([alice.did, bob.did].sort());

      const dir = mkdtempSync(join(tmpdir(), 'atcr-oras-'));
      const bundleFile = join(dir, 'bundle.json');
      const exported = await runCli(['export', img.ref, '-o', bundleFile, '--plc-url', world.plcUrl, '--allow-private-network']);
      expect(exported.code, exported.stderr).toBe(0);
      const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { signatures: { artifactDigest: string; payload: string; did: string }[] };
      for (const sig of sigs) {
        // The payload layer has no file name (org.opencontainers.image.title), which `oras pull`
        // needs to write a file: fetch the artifact manifest, then its one blob.
        const repo = `${world.registryHost}/alice/app`;
        const manifest = JSON.parse((await run(toolPath('oras'), ['manifest', 'fetch', '--plain-http', `${repo}@${sig.digest}`])).stdout) as { layers: { digest: string }[] };
        const out = join(dir, sig.digest.replace(':', '-'));
        await run(toolPath('oras'), ['blob', 'fetch', '--plain-http', '-o', out, `${repo}@${manifest.layers[0]!.digest}`]);
        const pulled = readFileSync(out);
        const checked = bundle.signatures.find((s) => s.artifactDigest === sig.digest)!;
        expect(pulled.equals(Buffer.from(checked.payload, 'base64'))).toBe(true);
        expect(JSON.parse(pulled.toString('utf8'))).toMatchObject({ $type: 'io.atcr.signature', subject: { digest: img.pushed.digest } });
      }
    });
  });
}
