#!/usr/bin/env node
// Builds the OPA-ABI runtime (src/backends/wasm/runtime/*.ts, AssemblyScript) into
// src/backends/wasm/runtime.wasm, and copies it next to the compiled back end in dist/.
// The build is deterministic: same sources and asc version, same bytes.
//
// The runtime learns nothing about a policy at build time; `compile --target wasm`
// splices the encoded IR in later. For that, this script appends a custom section
// `atcr-runtime` holding {"irBase": N}: the address where the runtime looks for the IR
// (the first 16-byte boundary after its static data), read by running the raw runtime once.
//
//   node scripts/build-wasm-runtime.mjs [--out FILE]

import { mkdirSync, readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import asc from 'assemblyscript/asc';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = 'src/backends/wasm/runtime/index.ts';
const defaultOut = join(root, 'src/backends/wasm/runtime.wasm');
const distOut = join(root, 'dist/src/backends/wasm/runtime.wasm');

export const ASC_FLAGS = [
  '-O3',
  '--noAssert',
  '--runtime', 'stub',
  '--importMemory',
  '--noExportMemory',
  '--initialMemory', '1',
  '--use', 'abort=src/backends/wasm/runtime/mem/atcrAbort',
];

function leb128(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function customSection(name, payload) {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = Buffer.concat([Buffer.from(leb128(nameBytes.length)), nameBytes, payload]);
  return Buffer.concat([Buffer.from([0]), Buffer.from(leb128(body.length)), body]);
}

/** The raw runtime's heap start with no IR spliced in, which is where it looks for the IR. */
async function irBaseOf(bytes) {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: { memory, opa_abort: () => { throw new Error('runtime aborted'); } },
  });
  return instance.exports.opa_heap_ptr_get();
}

/**
 * Writes runtime/contract.ts from src/ir (through the compiled generator in dist/: the
 * build runs tsc first), so the runtime is always built against the IR's contract.
 */
async function writeContract() {
  const generator = join(root, 'dist/src/backends/wasm/runtime-contract.js');
  if (!existsSync(generator)) throw new Error(`build-wasm-runtime: ${generator} is missing; run tsc first (npm run build)`);
  const { runtimeContractSource } = await import(pathToFileURL(generator).href);
  const file = join(root, 'src/backends/wasm/runtime/contract.ts');
  const text = runtimeContractSource();
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
}

export async function buildRuntime() {
  await writeContract();
  const tmp = mkdtempSync(join(tmpdir(), 'atcr-wasm-'));
  try {
    const outFile = join(tmp, 'runtime.wasm');
    // asc resolves the entry and the `--use` name from the working directory; the same
    // relative paths also keep the output identical wherever the script is started.
    const cwd = process.cwd();
    process.chdir(root);
    let result;
    try {
      result = await asc.main([entry, ...ASC_FLAGS, '-o', outFile], { stdout: process.stdout, stderr: process.stderr });
    } finally {
      process.chdir(cwd);
    }
    if (result.error) throw new Error(`asc failed: ${result.error.message}`);
    const raw = readFileSync(outFile);
    const irBase = await irBaseOf(raw);
    return Buffer.concat([raw, customSection('atcr-runtime', Buffer.from(JSON.stringify({ irBase }), 'utf8'))]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? resolve(process.argv[i + 1]) : defaultOut;
  const bytes = await buildRuntime();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  if (i < 0 && existsSync(join(root, 'dist'))) {
    mkdirSync(dirname(distOut), { recursive: true });
    writeFileSync(distOut, bytes);
  }
  console.error(`build-wasm-runtime: ${out} (${bytes.length} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
