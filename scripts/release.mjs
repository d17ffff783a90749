// `npm run release` (after `npm run build:sea`, which the npm script runs first): the
// release artifacts in build/release/, each with a `.sha256` file that `sha256sum -c`
// checks, and one SHA256SUMS for them all:
//   atcr-verify-linux-x64            the standalone executable (no Node.js needed)
//   atcr-verify-<version>.tgz        the npm package (`npm install -g ./atcr-verify-<version>.tgz`)
// The file names are the ones docs/install.md tells users to download and check.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sea = join(root, 'build/sea/atcr-verify');
const out = join(root, 'build/release');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(`release: the standalone executable is built for linux-x64, and this is ${process.platform}-${process.arch}\n`);
  process.exit(2);
}
if (!existsSync(sea)) {
  process.stderr.write('release: build/sea/atcr-verify is missing: run `npm run build:sea` first (or `npm run release`, which does)\n');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const exeName = 'atcr-verify-linux-x64';
copyFileSync(sea, join(out, exeName));
chmodSync(join(out, exeName), 0o755);
// The build already ran (the npm script's first half): pack what it made, without building again.
const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', out], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1);
const tgzName = `atcr-verify-${version}.tgz`;
if (packed !== tgzName) throw new Error(`npm pack wrote ${packed}, expected ${tgzName}`);

const sums = [];
for (const name of [exeName, tgzName]) {
  const line = `${createHash('sha256').update(readFileSync(join(out, name))).digest('hex')}  ${name}\n`;
  writeFileSync(join(out, `${name}.sha256`), line);
  sums.push(line);
}
writeFileSync(join(out, 'SHA256SUMS'), sums.join(''));
process.stdout.write(`release: build/release/ ${exeName}, ${tgzName}, their .sha256 files and SHA256SUMS (atcr-verify ${version})\n`);
