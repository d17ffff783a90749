// The release artifacts (`npm run release`): the standalone linux-x64 executable and the npm
// tarball, each with a `.sha256` file that `sha256sum -c` accepts, as docs/install.md tells
// users to check them; the executable runs with no Node.js on PATH.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
});
