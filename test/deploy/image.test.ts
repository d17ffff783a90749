// The container image, built without a Docker engine (scripts/build-image.sh: the standalone
// executable plus crane), pushed to Debian's docker-registry, signed with `atcr-verify sign`
// on the dev-env PDS and verified with `atcr-verify verify`: the tool verifies its own image.
// Then its root file system runs under Debian's crun.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { toolPath } from '../support/tools.js';
import { ROOT } from '../cli/run.js';
import { runCli } from '../integration/cli.js';

const run = promisify(execFile);
const SEA = join(ROOT, 'build/sea/atcr-verify');

let world: AtprotoWorld;
let ref: string;
let crane: string;

beforeAll(async () => {
  if (!existsSync(SEA)) throw new Error(`${SEA} is missing: build it with \`npm run build:sea\``);
  crane = toolPath('crane');
  world = await AtprotoWorld.start({ dockerRegistry: true });
  ref = `${world.registryHost}/atcr-verify/atcr-verify:0.1.0`;
  await run('bash', [join(ROOT, 'scripts/build-image.sh'), ref, SEA], { env: { ...process.env, CRANE: crane, CRANE_FLAGS: '--insecure' } });
}, 180_000);
afterAll(async () => {
  await world?.stop();
});

describe('the atcr-verify container image', () => {
  it('is minimal, non-root and labelled', async () => {
    const config = JSON.parse((await run(crane, ['config', '--insecure', ref])).stdout);
    expect(config).toMatchObject({ os: 'linux', architecture: 'amd64' });
    expect(config.config).toMatchObject({ Entrypoint: ['/atcr-verify'], User: '65532:65532' });
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'atcr-verify',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.version': expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    const files = (await run('bash', ['-c', `"${crane}" export --insecure "${ref}" - | tar -t`], { maxBuffer: 1 << 20 })).stdout
      .split('\n')
      .map((f) => f.replace(/^\.\//u, ''));
    expect(files).toContain('atcr-verify');
    expect(files.some((f) => /(^|\/)(sh|bash|busybox)$/.test(f))).toBe(false);
  });

  it('is signed with atcr-verify sign and verified with atcr-verify verify', async () => {
    const signer = await world.account('imagesigner');
    const sign = await runCli(['sign', ref, '--pds', world.pdsUrl, '--identifier', signer.handle, '--output', 'json'], { ATCR_PDS_PASSWORD: 'password' });
    expect(sign.code, sign.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'atcr-image-'));
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, `version: 1\nunmatched: deny\npolicies:\n  - name: self\n    scope: "${world.registryHost}/atcr-verify/*"\n    require:\n      trustedDIDs: [${signer.did}]\n`);
    const verify = await runCli(['verify', ref, '--policy', policy, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json']);
    expect(verify.code, verify.stderr).toBe(0);
    const out = JSON.parse(verify.stdout);
    expect(out.decision).toMatchObject({ allowed: true, policy: 'self' });
    expect(out.signatures[0]).toMatchObject({ valid: true, did: signer.did });
    const digest = (await run(crane, ['digest', '--insecure', ref])).stdout.trim();
    expect(out.digest).toBe(digest);
  });

  it('runs `atcr-verify --version` inside its own root file system under crun', async () => {
    const bundle = mkdtempSync(join(tmpdir(), 'atcr-crun-'));
    const rootfs = join(bundle, 'rootfs');
    mkdirSync(rootfs);
    await run('bash', ['-c', `"${crane}" export --insecure "${ref}" - | tar -x -C "${rootfs}"`]);
    await run('crun', ['spec'], { cwd: bundle });
    const spec = JSON.parse((await run('cat', [join(bundle, 'config.json')])).stdout);
    spec.process = { ...spec.process, terminal: false, args: ['/atcr-verify', '--version'], user: { uid: 65532, gid: 65532 }, cwd: '/tmp', env: ['HOME=/tmp'] };
    spec.root.readonly = true;
    // No cgroup setup: this checks the file system, not resource limits (and this host mixes cgroup v1 and v2).
    delete spec.linux.resources;
    spec.linux.namespaces = spec.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
    spec.mounts = spec.mounts.filter((m: { destination: string }) => m.destination !== '/sys/fs/cgroup');
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    // crun refuses hybrid cgroup hosts; in a private mount namespace it sees cgroup v2 only.
    const { stdout } = await run('unshare', ['-m', 'sh', '-c', `mount --make-rprivate / && umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && crun --cgroup-manager=disabled run -b "${bundle}" atcr-image-test-${process.pid}`]);
    expect(stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
