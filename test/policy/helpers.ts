// Shared helpers for the front-end tests: compile text, locate a snippet in it, and write
// a tree of policy files to a fresh temporary directory.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { compileText, type Compilation } from '../../src/lower/pipeline.js';

export function compile(text: string, file = 'p.yaml'): Compilation {
  return compileText(file, text);
}

export function diagnostics(text: string, file = 'p.yaml'): Diagnostic[] {
  return compileText(file, text).diagnostics;
}

/** 1-based line and column of the `nth` occurrence of `needle` in `text` (plus `shift` characters). */
export function at(text: string, needle: string, nth = 0, shift = 0): { line: number; column: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    if (i < 0) throw new Error(`"${needle}" (occurrence ${nth}) is not in the text`);
  }
  i += shift;
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  return { line, column: i - before.lastIndexOf('\n') };
}

/** Picks what tests compare: position, rule and severity (messages are free text). */
export function brief(ds: readonly Diagnostic[]): { line: number; column: number; rule: string }[] {
  return ds.map((d) => ({ line: d.line, column: d.column, rule: d.rule }));
}

const made: string[] = [];

/** Removes every directory writeTree made (call from afterAll). */
export function removeTrees(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Writes files (relative path → text or bytes) into a new temporary directory. */
export function writeTree(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'atcr-policy-'));
  made.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}
