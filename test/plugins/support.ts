// What the plugin tests share: the standalone executable (npm run build:sea), a real
// containerd started as root on a private socket with the verifier bin dir, and images
// that containerd can really unpack (an empty gzip'd tar layer), single or multi-platform.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { toolPath } from '../support/tools.js';
import { OCI_MANIFEST, pushBlob, pushManifest, type Pushed } from '../support/registry/push.js';
import type { ImageHandle } from '../support/atproto-world.js';

// The project root from test/plugins/ (vitest) or dist/test/plugins/ (the bench).
const ROOT = [fileURLToPath(new URL('../../', import.meta.url)), fileURLToPath(new URL('../../../', import.meta.url))].find((d) => existsSync(join(d, 'package.json')))!;

/** The built standalone executable; a missing one fails the test saying how to build it. */
export function seaBinary(): string {
  const file = process.env.ATCR_VERIFY_SEA ?? join(ROOT, 'build/sea/atcr-verify');
  if (!existsSync(file)) throw new Error(`the standalone executable ${file} is missing: run \`npm run build:sea\``);
  return file;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with `input` on standard input and a clean environment plus `env`. */
export function run(file: string, args: string[], opts: { env?: Record<string, string>; input?: string | Buffer; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
    const child = execFile(
      file,
      args,
      { env: { ...base, ...opts.env }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
    child.stdin!.on('error', () => {}); // a verifier that refuses before reading all input
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// --- images containerd can unpack -------------------------------------------------------

const EMPTY_TAR = Buffer.alloc(1024);
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pushPlatformImage(host: string, repo: string, ref: string, arch: string): Promise<Pushed> {
  const layer = gzipSync(EMPTY_TAR);
  // A random label keeps every image distinct, so no test sees another's signatures.
  const config = Buffer.from(
    JSON.stringify({ architecture: arch, os: 'linux', config: { Labels: { nonce: String(Math.random()) } }, rootfs: { type: 'layers', diff_ids: [sha256(EMPTY_TAR)] } }),
  );
  const configDigest = await pushBlob(host, repo, config);
  const layerDigest = await pushBlob(host, repo, layer);
  return pushManifest(host, repo, ref, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.byteLength }],
  });
}

/** A linux/amd64 image with one (empty) layer, tagged. */
export async function pushRunnableImage(host: string, repo: string, tag: string): Promise<ImageHandle> {
  const pushed = await pushPlatformImage(host, repo, tag, 'amd64');
  return { repo, tag, pushed, ref: `${host}/${repo}:${tag}` };
}

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** An index of linux/amd64 and linux/arm64 images; returns the index and its children. */
export async function pushMultiPlatformImage(host: string, repo: string, tag: string): Promise<{ index: ImageHandle; amd64: ImageHandle; arm64: ImageHandle }> {
  const amd64 = await pushPlatformImage(host, repo, `${tag}-amd64`, 'amd64');
  const arm64 = await pushPlatformImage(host, repo, `${tag}-arm64`, 'arm64');
  const index = await pushManifest(
    host,
    repo,
    tag,
    {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd64.digest, size: amd64.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: OCI_MANIFEST, digest: arm64.digest, size: arm64.size, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    },
    OCI_INDEX,
  );
  const handle = (p: Pushed, t: string) => ({ repo, tag: t, pushed: p, ref: `${host}/${repo}:${t}` });
  return { index: handle(index, tag), amd64: handle(amd64, `${tag}-amd64`), arm64: handle(arm64, `${tag}-arm64`) };
}

// --- containerd -------------------------------------------------------------------------

/** containerd 2.x as root on its own socket, with our executable as its one image verifier. */
export class Containerd {
  private child: ChildProcess | null = null;
  readonly dir = tempDir('atcr-ctd-');
  readonly binDir = join(this.dir, 'verifiers');
  readonly socket = join(this.dir, 'containerd.sock');
  private log = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(verifier: string | null = seaBinary()): Promise<this> {
    const containerd = toolPath('containerd');
    toolPath('ctr');
    mkdirSync(this.binDir, { recursive: true });
    // Installed as containerd's docs say: the executable itself, named for what it is.
    if (verifier) {
      copyFileSync(verifier, join(this.binDir, 'atcr-verify'));
      chmodSync(join(this.binDir, 'atcr-verify'), 0o755);
    }
    const config = join(this.dir, 'config.toml');
    writeFileSync(
      config,
      [
        'version = 3',
        `root = "${this.dir}/root"`,
        `state = "${this.dir}/state"`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${this.socket}"`,
        '[ttrpc]',
        `  address = "${this.socket}.ttrpc"`,
        "[plugins.'io.containerd.image-verifier.v1.bindir']",
        `  bin_dir = "${this.binDir}"`,
        '  max_verifiers = 10',
        '  per_verifier_timeout = "10s"',
        "[plugins.'io.containerd.transfer.v1.local']",
        "  [[plugins.'io.containerd.transfer.v1.local'.unpack_config]]",
        '    platform = "linux/amd64"',
        '    snapshotter = "native"',
        '    differ = "walking"',
        '',
      ].join('\n'),
    );
    const child = spawn(containerd, ['-c', config], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log = (this.log + d).slice(-200_000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`containerd exited (${child.exitCode}): ${this.log.slice(-4000)}`);
      if (existsSync(this.socket)) {
        const v = await run(toolPath('ctr'), ['-a', this.socket, 'version'], { timeoutMs: 10_000 });
        if (v.code === 0) break;
      }
      if (Date.now() > deadline) throw new Error(`containerd did not come up on ${this.socket}: ${this.log.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return this;
  }

  /** `ctr image pull` through the Transfer Service (as the verifiers need), or with --local. */
  pull(ref: string, opts: { local?: boolean; platform?: string } = {}): Promise<Run> {
    const args = ['-a', this.socket, 'image', 'pull', '--plain-http'];
    if (opts.local) args.push('--local');
    if (opts.platform) args.push('--platform', opts.platform);
    args.push(ref);
    return run(toolPath('ctr'), args, { timeoutMs: 60_000 });
  }

  get logs(): string {
    return this.log;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// --- atcr-verify serve --------------------------------------------------------------------

/** `atcr-verify serve --insecure-http` of the standalone executable on a loopback port. */
export class Serve {
  private child: ChildProcess | null = null;
  url = '';
  private log = '';

  async start(args: string[]): Promise<this> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const child = spawn(seaBinary(), ['serve', '--insecure-http', '--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d) => (this.log = (this.log + d).slice(-20_000)));
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return this;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`atcr-verify serve did not start: ${this.log.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}
