#!/usr/bin/env node
// Builds the standalone `atcr-verify` (a Node single executable application, linux-x64):
//   1. bundles dist/src/plugins/sea-entry.js and everything it reaches with rolldown into
//      code-split CommonJS chunks (Node 20's SEA runs a single CommonJS script, no import());
//      the entry chunk, after scripts/sea-loader.cjs, is that script, and every other
//      chunk is an asset with a code cache of all its functions (scripts/sea-code-cache.cjs),
//      loaded on first require: a process compiles and runs only the code its path needs;
//   2. embeds the files the code reads at run time as SEA assets (schemas, templates,
//      package.json, the policy-engine wasm runtime, libsecp256k1's wasm);
//   3. writes the SEA blob with `node --experimental-sea-config` and injects it into a
//      copy of this node binary with postject;
//   4. runs the executable's --version, checking that V8 accepted the chunks' caches.
// Output: build/sea/atcr-verify and build/sea/atcr-verify.sha256. Run after `npm run build`
// (`npm run build:sea` does both).
//
// How the run-time files are found: every module that uses import.meta.url gets the URL
// it would have in the source tree, under a virtual root (/__atcr_sea__/…), and its `fs`
// is an overlay that answers for that root from the embedded assets (and passes every
// other path to the real fs). So the modules' own lookups (schemaPath, runtimePath,
// templatesRoot, toolVersion, tiny-secp256k1's wasm_path) run unchanged. Our modules'
// createRequire(...) gets a require that knows the few modules they load by name (the
// ahead-of-time validators, Ajv, multiformats, dag-cbor), bundled and loaded lazily.

import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const outDir = join(root, 'build', 'sea');
const VROOT = '/__atcr_sea__/';

function fail(message) {
  process.stderr.write(`build-sea: ${message}\n`);
  process.exit(1);
}

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`builds for linux-x64 only (this is ${process.platform}-${process.arch})`);
const entry = join(root, 'dist/src/plugins/sea-entry.js');
if (!existsSync(entry)) fail('dist/ is missing or stale: run `npm run build` first');

/** A file's path under the virtual root: relative to the project, or from node_modules/ on. */
function vpath(file) {
  const abs = resolve(file);
  const nm = abs.lastIndexOf(`${sep}node_modules${sep}`);
  return (nm >= 0 ? abs.slice(nm + 1) : relative(root, abs)).split(sep).join('/');
}

// Files read at run time, by their virtual path.
function walk(dir) {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(join(root, rel)).isDirectory() ? walk(rel) : [rel];
  });
}
const assets = [
  'package.json',
  ...walk('schemas'),
  ...walk('templates'),
  'dist/src/backends/wasm/runtime.wasm',
];
const secpWasm = join(dirname(require.resolve('tiny-secp256k1')), '..', 'secp256k1.wasm');
const assetFiles = Object.fromEntries(assets.map((a) => [a, join(root, a)]));
assetFiles[vpath(secpWasm)] = secpWasm;
assets.push(vpath(secpWasm));
for (const [a, file] of Object.entries(assetFiles)) if (!existsSync(file)) fail(`asset ${a} is missing (${file})`);

/**
 * Modules our code loads through createRequire, bundled and loaded on first use, by the
 * module that loads them: each gets a require that knows only its own, so that the
 * kernel's chunk does not carry Ajv and the validators (the policy front end's).
 */
const REQUIRED_BY = {
  'dist/src/policy/schema.js': {
    [`${VROOT}dist/validators/trust-policy.validate.cjs`]: join(root, 'dist/validators/trust-policy.validate.cjs'),
    [`${VROOT}dist/validators/policy-test.validate.cjs`]: join(root, 'dist/validators/policy-test.validate.cjs'),
    'ajv/dist/2020.js': 'ajv/dist/2020.js',
  },
  'dist/src/kernel/proof/ipld.js': {
    'multiformats/cid': 'multiformats/cid',
    '@ipld/dag-cbor': '@ipld/dag-cbor',
  },
};

const SEA_FS = `
import * as fs from 'node:fs';
import { getRawAsset, isSea } from 'node:sea';
export * from 'node:fs';
const ROOT = ${JSON.stringify(VROOT)};
const ASSETS = new Set(${JSON.stringify(assets)});
const DIRS = new Set();
for (const a of ASSETS) for (let i = a.indexOf('/'); i > 0; i = a.indexOf('/', i + 1)) DIRS.add(a.slice(0, i));
const key = (p) => {
  const s = typeof p === 'string' ? p : p instanceof URL ? p.pathname : null;
  return s !== null && s.startsWith(ROOT) ? s.slice(ROOT.length).replace(/\\/+$/, '') : null;
};
const enoent = (p) => Object.assign(new Error("ENOENT: no such file or directory, open '" + p + "'"), { code: 'ENOENT', path: String(p) });
export function existsSync(p) {
  const k = key(p);
  return k === null ? fs.existsSync(p) : ASSETS.has(k) || DIRS.has(k);
}
export function readFileSync(p, options) {
  const k = key(p);
  if (k === null) return fs.readFileSync(p, options);
  if (!isSea() || !ASSETS.has(k)) throw enoent(p);
  const bytes = Buffer.from(getRawAsset(k));
  const encoding = typeof options === 'string' ? options : options?.encoding;
  return encoding ? bytes.toString(encoding) : bytes;
}
export default { ...fs, existsSync, readFileSync };
`;

const seaModule = (required) => `
export * from 'node:module';
const LOADERS = {
${Object.entries(required).map(([id, target]) => `  ${JSON.stringify(id)}: () => require(${JSON.stringify(target)}),`).join('\n')}
};
export function createRequire() {
  const req = (id) => {
    const load = LOADERS[id];
    if (!load) throw Object.assign(new Error('module ' + id + ' is not part of the standalone build'), { code: 'MODULE_NOT_FOUND' });
    return load();
  };
  req.resolve = (id) => id;
  return req;
}
export default { createRequire };
`;

const chevrotainMjs = join(dirname(require.resolve('chevrotain')), '..', 'chevrotain.mjs');
if (!existsSync(chevrotainMjs)) fail(`${chevrotainMjs} is missing`);

/** Source edits the bundle needs; each must apply, or the build stops (the source changed). */
const EDITS = {
  // Node 20's SEA runs CommonJS: no top-level await.
  'dist/src/cli/main.js': [['\nawait main();', '\nvoid main();']],
};

/** Modules that read an asset through a path another module computed from import.meta.url. */
const READS_ASSETS = new Set(['node_modules/tiny-secp256k1/lib/wasm_loader.js']);

const isOurs = (id) => id.startsWith(join(root, 'dist', 'src') + sep);
const vurl = (id) => JSON.stringify(`file://${VROOT}${vpath(id)}`);
const metaUsers = [];
const metaCache = new Map();

const seaPlugin = {
  name: 'atcr-sea',
  resolveId(source, importer) {
    if (source === '\0sea-fs' || source.startsWith('\0sea-module:')) return source;
    if (!importer || importer.startsWith('\0')) return null;
    const usesMeta = metaCache.get(importer) ?? readFileSync(importer, 'utf8').includes('import.meta.url');
    metaCache.set(importer, usesMeta);
    if ((usesMeta || READS_ASSETS.has(vpath(importer))) && (source === 'fs' || source === 'node:fs')) return '\0sea-fs';
    if (isOurs(importer) && usesMeta && source === 'node:module') {
      if (!REQUIRED_BY[vpath(importer)]) fail(`${vpath(importer)} uses createRequire: list what it requires in REQUIRED_BY (scripts/build-sea.mjs)`);
      return `\0sea-module:${vpath(importer)}`;
    }
    return null;
  },
  load(id) {
    if (id === '\0sea-fs') return SEA_FS;
    if (id.startsWith('\0sea-module:')) return seaModule(REQUIRED_BY[id.slice('\0sea-module:'.length)]);
    const rel = vpath(id);
    // The single-module chevrotain, which the source finds through a computed dynamic import.
    if (rel === 'dist/src/expr/chevrotain.js') {
      return `export { createToken, createSyntaxDiagramsCode, EmbeddedActionsParser, EOF, Lexer, tokenMatcher } from ${JSON.stringify(chevrotainMjs)};`;
    }
    if (!existsSync(id)) return null;
    let code = readFileSync(id, 'utf8');
    for (const [from, to] of EDITS[rel] ?? []) {
      if (!code.includes(from)) fail(`${rel} no longer contains ${JSON.stringify(from)}: update scripts/build-sea.mjs`);
      code = code.replace(from, to);
    }
    if (code.includes('import.meta.url')) {
      metaUsers.push(rel);
      code = code.replaceAll('import.meta.url', vurl(id));
    }
    return code;
  },
};

const t0 = performance.now();
const { rolldown } = await import('rolldown');
mkdirSync(outDir, { recursive: true });
const script = join(outDir, 'atcr-verify.cjs');
const bundle = await rolldown({
  input: entry,
  platform: 'node',
  plugins: [seaPlugin],
  logLevel: 'warn',
  onLog(level, log) {
    // Circular imports and `eval` in dependencies are theirs; anything else is shown.
    if (log.code === 'CIRCULAR_DEPENDENCY' || log.code === 'EVAL') return;
    process.stderr.write(`build-sea: ${level}: ${log.message}\n`);
  },
});
const rawDir = join(outDir, 'rolldown');
rmSync(rawDir, { recursive: true, force: true });
const { output } = await bundle.write({ dir: rawDir, format: 'cjs', entryFileNames: 'main.cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: false, minify: false });
await bundle.close();

// The entry chunk, after the loader, is the SEA's main script; every other chunk becomes an
// asset, wrapped as a function of the loader, with a code cache of all its functions.
const chunkDir = join(outDir, 'chunks');
rmSync(chunkDir, { recursive: true, force: true });
mkdirSync(chunkDir);
const names = readdirSync(rawDir);
// node:sea exists only with its prefix, so builtinModules does not list it.
const BUILTINS = new Set([...builtinModules, 'sea']);
for (const chunk of output) {
  // What a chunk imports besides chunks must be node's own: the SEA's require knows nothing else.
  for (const id of [...chunk.imports, ...chunk.dynamicImports]) {
    if (!names.includes(id) && !BUILTINS.has(id.replace(/^node:/, ''))) fail(`chunk ${chunk.fileName} imports ${JSON.stringify(id)}, neither a chunk nor a node builtin`);
  }
}
const CHUNK_REQUIRE = /\brequire\((["'])\.\/([^"'/]+)\1\)/g;
function linked(name) {
  const code = readFileSync(join(rawDir, name), 'utf8').replace(CHUNK_REQUIRE, (_, _q, dep) => {
    if (!names.includes(dep)) fail(`chunk ${name} requires ./${dep}, which rolldown did not write`);
    return `__atcrChunk(${JSON.stringify(dep)})`;
  });
  return code;
}
writeFileSync(script, `${readFileSync(join(root, 'scripts/sea-loader.cjs'), 'utf8')}\n${linked('main.cjs')}`);
const chunks = names.filter((n) => n !== 'main.cjs');
for (const name of chunks) {
  writeFileSync(join(chunkDir, name), `(function (exports, require, module, __filename, __dirname, __atcrChunk) {${linked(name)}\n})`);
}
rmSync(rawDir, { recursive: true });
// A fresh node of this very binary, without this process's flags (V8 checks them).
execFileSync(process.execPath, [join(root, 'scripts/sea-code-cache.cjs'), JSON.stringify(chunks.map((n) => [join(chunkDir, n), `/__atcr_sea__/chunks/${n}`]))], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
});
for (const name of chunks) {
  assetFiles[`chunks/${name}`] = join(chunkDir, name);
  assetFiles[`chunks/${name}.cache`] = join(chunkDir, `${name}.cache`);
}
const t1 = performance.now();

const blob = join(outDir, 'atcr-verify.blob');
const seaConfig = join(outDir, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify(
    {
      main: script,
      output: blob,
      disableExperimentalSEAWarning: true,
      // V8's code cache for the script: start-up compiles less (containerd starts one process per pull).
      useCodeCache: true,
      assets: assetFiles,
    },
    null,
    2,
  ),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });

const exe = join(outDir, 'atcr-verify');
rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
const { inject } = require('postject');
await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
chmodSync(exe, 0o755);
// The executable runs, and V8 takes every cache it loads (a rejected one would only be slow).
const check = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ATCR_VERIFY_SEA_TRACE: '1' } });
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
if (check.status !== 0 || !check.stdout.startsWith(`atcr-verify ${version}\n`)) fail(`the built executable's --version failed (exit ${check.status}): ${check.stderr.slice(0, 2000)}`);
const traced = check.stderr.split('\n').filter((l) => l.startsWith('atcr-verify sea: chunk '));
if (traced.length === 0 || traced.some((l) => !/ cache accepted /.test(l))) fail(`V8 did not accept the chunks' code caches:\n${check.stderr.slice(0, 2000)}`);
const digest = createHash('sha256').update(readFileSync(exe)).digest('hex');
writeFileSync(`${exe}.sha256`, `${digest}  atcr-verify\n`);
const t2 = performance.now();
process.stdout.write(
  `build-sea: ${relative(root, exe)} (${(statSync(exe).size / 2 ** 20).toFixed(1)} MiB, script ${(statSync(script).size / 2 ** 20).toFixed(1)} MiB, ` +
    `${assets.length} assets, ${chunks.length} chunks; bundle ${Math.round(t1 - t0)} ms, total ${Math.round(t2 - t0)} ms)\n` +
    `build-sea: import.meta.url rewritten in ${metaUsers.length} modules: ${metaUsers.join(', ')}\n`,
);
