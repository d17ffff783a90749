// Process-facing helpers shared by commands: reading inputs, writing outputs, escaping.

import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { escapeControls } from '../diagnostics/format.js';
import { CliError, EXIT } from './errors.js';

/** Reads a file, or standard input for `-`, as UTF-8 text; errors name the file. */
export async function readInput(file: string, what: string): Promise<string> {
  // A byte order mark (editors on Windows write one) is not part of the content.
  const noBom = (t: string) => (t.charCodeAt(0) === 0xfeff ? t.slice(1) : t);
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return noBom(Buffer.concat(chunks).toString('utf8'));
    }
    return noBom(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${what} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`}`, EXIT.usage);
  }
}

/** Parses JSON text, naming the file and the line/column of a syntax error. */
export function parseJsonInput(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = String((err as Error).message);
    const m = /position (\d+)/.exec(msg);
    // A cut-off document has no position in V8's message: it ends at the end of the text.
    const pos = m ? Number(m[1]) : /end of JSON input/i.test(msg) ? text.length : null;
    if (pos !== null) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      throw new CliError(`${file}:${line}:${col}: invalid JSON (${escapeControls(msg.replace(/ in JSON at position \d+.*$/, ''))})`, EXIT.usage);
    }
    // V8 quotes a piece of the input in its message: escape it like any text from a file.
    throw new CliError(`${file}: invalid JSON (${escapeControls(msg)})`, EXIT.usage);
  }
}

/** Writes to stdout and resolves once flushed, so large outputs are not cut at exit. */
export function out(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Escapes control characters so text from files or the network cannot drive the terminal. */
export const safeText = escapeControls;

let version: string | null = null;
export function toolVersion(): string {
  if (version === null) {
    for (const rel of ['../../package.json', '../../../package.json']) {
      try {
        version = (JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { version: string }).version;
        break;
      } catch {
        // try the next layout (src/ under vitest, dist/src/ when built)
      }
    }
    version ??= '0.0.0';
  }
  return version;
}

/** `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds, as milliseconds. */
export function parseTimeout(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return n > 0 && n <= 86_400_000 ? Math.round(n) : null;
}
