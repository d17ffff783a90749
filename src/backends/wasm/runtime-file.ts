// Finds the prebuilt runtime (scripts/build-wasm-runtime.mjs): next to this module when
// the build copied it (dist/src/backends/wasm/), else in the source tree.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['./runtime.wasm', '../../../../src/backends/wasm/runtime.wasm'];

let cached: Uint8Array | undefined;

export function runtimePath(): string {
  for (const rel of CANDIDATES) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('wasm runtime not found: run `node scripts/build-wasm-runtime.mjs`');
}

export function runtimeBytes(): Uint8Array {
  cached ??= new Uint8Array(readFileSync(runtimePath()));
  return cached;
}
