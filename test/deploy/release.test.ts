// The release artifacts (`npm run release`): the standalone linux-x64 executable and the npm
// tarball, each with a `.sha256` file that `sha256sum -c` accepts, as docs/install.md tells
// users to check them; the executable runs with no Node.js on PATH.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, seaBinary } from '../plugins/support.js';
import { ROOT } from '../cli/run.js';

const OUT = join(ROOT, 'build/release');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('npm run release', () => {
  it('writes the executable and the tarball with checksums that sha256sum -c accepts', async () => {
    seaBinary(); // built by `npm test` (build:sea) before the suite
    const made = await run(process.execPath, ['scripts/release.mjs'], { env: { PATH: process.env.PATH ?? '' }, timeoutMs: 120_000 });
    expect(made.code, made.stderr).toBe(0);
    const exe = 'atcr-verify-linux-x64';
    const tgz = `atcr-verify-${version}.tgz`;
    for (const file of [`${exe}.sha256`, `${tgz}.sha256`, 'SHA256SUMS']) {
      const checked = execFileSync('sha256sum', ['-c', file], { cwd: OUT, encoding: 'utf8' });
      expect(checked, file).toContain(`${file === `${tgz}.sha256` ? tgz : exe}: OK`);
    }
    // No Node.js on PATH: the executable carries its own.
    const v = await run(join(OUT, exe), ['--version'], { env: { PATH: '/nonexistent' } });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.split('\n')[0]).toBe(`atcr-verify ${version}`);
    const listing = execFileSync('tar', ['-tzf', join(OUT, tgz)], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/src/cli/main.js');
    expect(listing).toContain('package/LICENSE');
  }, 180_000);

  it('the tarball alone holds everything the CLI reads at run time', async () => {
    // Unpacked beside the repository's installed dependencies, as `npm install -g` lays it
    // out: a file left out of package.json "files" (a schema, a template, the wasm runtime,
    // the ahead-of-time validators) fails one of these commands.
    const tgz = join(OUT, `atcr-verify-${version}.tgz`); // written by the test above
    const into = mkdtempSync(join(tmpdir(), 'atcr-unpacked-'));
    execFileSync('tar', ['-xzf', tgz, '-C', into]);
    const pkg = join(into, 'package');
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const bin = join(pkg, (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['atcr-verify']!);
    // npm makes the bin executable when it links it; here node runs it, as that link would.
    const av = (...args: string[]) => run(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '' }, timeoutMs: 60_000 });
    expect((await av('--version')).stdout).toContain(`atcr-verify ${version}`);
    const lint = await av('policy', 'lint', join(pkg, 'policies'));
    expect(lint.code, lint.stderr).toBe(0);
    const compiled = await av('policy', 'compile', join(pkg, 'policies/production.yaml'), '--target', 'all', '-o', join(into, 'out'));
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.stdout).toContain('wasm/policy.wasm');
    const tested = await av('policy', 'test', join(pkg, 'policies'), '--engine', 'all');
    expect(tested.code, tested.stderr).toBe(0);
    const image = readFileSync(join(ROOT, 'examples/image.txt'), 'utf8').trim();
    const verified = await av('verify', image, '--offline', '--bundle', join(ROOT, 'examples/bundle.json'), '--now', '2026-12-10T00:00:00Z');
    expect(verified.code, verified.stderr).toBe(0);
    expect((await av('policy', 'schema')).stdout).toContain('"$schema"');
  }, 180_000);

  it('npm install -g of the tarball gives a working atcr-verify', async () => {
    // A real global install into its own prefix, dependencies from the npm registry as a
    // user gets them: no prepare runs for a tarball, so dist/ must be in it.
    const tgz = join(OUT, `atcr-verify-${version}.tgz`); // written by the first test
    const prefix = mkdtempSync(join(tmpdir(), 'atcr-global-'));
    const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tgz], {
      // The user's own npm settings (registry, proxy, CA): as they would run it.
      env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
      timeoutMs: 300_000,
    });
    expect(installed.code, installed.stderr).toBe(0);
    const av = (...args: string[]) => run(join(prefix, 'bin', 'atcr-verify'), args, { env: { PATH: process.env.PATH ?? '' }, timeoutMs: 60_000 });
    const v = await av('--version');
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.split('\n')[0]).toBe(`atcr-verify ${version}`);
    const lint = await av('policy', 'lint', join(ROOT, 'policies'));
    expect(lint.code, lint.stderr).toBe(0);
    const image = readFileSync(join(ROOT, 'examples/image.txt'), 'utf8').trim();
    const verified = await av('verify', image, '--offline', '--bundle', join(ROOT, 'examples/bundle.json'), '--policy', join(ROOT, 'examples/policy.yaml'), '--now', '2026-12-10T00:00:00Z');
    expect(verified.code, verified.stderr).toBe(0);
  }, 360_000);
});
