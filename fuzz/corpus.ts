// The committed seed corpus: fuzz/corpus/<target>/<file>, each file one input.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from fuzz/ (vitest) or dist/fuzz/ (built). */
function root(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export const CORPUS_DIR = path.join(root(), 'fuzz', 'corpus');

export function loadCorpus(target: string): Uint8Array[] {
  const dir = path.join(CORPUS_DIR, target);
  if (!existsSync(dir)) throw new Error(`fuzz target ${target} has no corpus in ${dir}`);
  const files = readdirSync(dir).sort();
  if (files.length === 0) throw new Error(`fuzz target ${target} has an empty corpus in ${dir}`);
  return files.map((f) => new Uint8Array(readFileSync(path.join(dir, f))));
}

/** Saves an input under its hash (a new-coverage entry or a finding); returns the path. */
export function saveInput(target: string, bytes: Uint8Array, prefix = ''): string {
  const dir = path.join(CORPUS_DIR, target);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${prefix}${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`);
  writeFileSync(file, bytes);
  return file;
}
