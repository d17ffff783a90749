// Process-facing helpers shared by commands: reading inputs, writing outputs, escaping.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { escapeText, stringifyJson } from '../text/escape.js';
import { CliError, EXIT } from './errors.js';
import { jsonFaultOffset } from '../batch/json-bytes.js';
import { FileReadError, readBounded, readBoundedSync, sizeText, type ReadLimits } from '../fs/read-bounded.js';

/**
 * The largest input file (`policy eval --input`): 500 MiB, about a million decision inputs.
 * Past this, text no longer fits one JavaScript string, and the general path (one input,
 * or a syntax error to locate) could not read it.
 */
export const MAX_INPUT_BYTES = 500 * 2 ** 20;

/** Reads a file, or standard input for `-`, as bytes, at most `max`; errors name the file. */
export async function readInputBytes(file: string, what: string, max = MAX_INPUT_BYTES, signal?: AbortSignal): Promise<Buffer> {
  if (file !== '-') return readFileOrFail(file, { what, maxBytes: max, ...(signal ? { signal } : {}) }, '; split it');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > max) throw new CliError(`standard input is larger than ${sizeText(max)}; split it`, EXIT.usage);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** How a file that cannot be read ends a command: exit 2, or exit 3 when the time limit ran out. */
export function fileFailure(err: unknown, tooLargeHint = ''): unknown {
  if (!(err instanceof FileReadError)) return err;
  if (err.fault === 'timeout') return new CliError(`${err.message}; could not decide`, EXIT.undecided);
  return new CliError(err.message + (err.fault === 'too-large' ? tooLargeHint : ''), EXIT.usage);
}

/** readBounded, with failures as CLI errors (see fileFailure). */
export async function readFileOrFail(file: string, limits: ReadLimits, tooLargeHint = ''): Promise<Buffer> {
  try {
    return await readBounded(file, limits);
  } catch (err) {
    throw fileFailure(err, tooLargeHint);
  }
}

/** readBoundedSync, with failures as CLI errors (see fileFailure). */
export function readFileOrFailSync(file: string, limits: ReadLimits): Buffer {
  try {
    return readBoundedSync(file, limits);
  } catch (err) {
    throw fileFailure(err);
  }
}

/** UTF-8 text of bytes read as input; a byte order mark (editors on Windows write one) is not content. */
export function inputText(bytes: Buffer): string {
  const t = bytes.toString('utf8');
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
}

/** Parses JSON text, naming the file and the line/column of a syntax error. */
export function parseJsonInput(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = String((err as Error).message);
    const m = /position (\d+)/.exec(msg);
    // V8 on Node 20 gives no position for an unexpected token: find it ourselves.
    const pos = m ? Number(m[1]) : jsonErrorOffset(text);
    // V8 quotes a piece of the input in its message: escape it like any text from a file.
    const why = escapeText(msg.replace(/ (?:in JSON )?at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, ''));
    if (pos !== null) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      throw new CliError(`${file}:${line}:${col}: invalid JSON (${why})`, EXIT.usage);
    }
    throw new CliError(`${file}: invalid JSON (${why})`, EXIT.usage);
  }
}

/** The offset (in UTF-16 units) of the first character at which `text` stops being JSON (RFC 8259), or null when it is JSON. */
export function jsonErrorOffset(text: string): number | null {
  const bytes = Buffer.from(text, 'utf8');
  const at = jsonFaultOffset(bytes);
  // A fault is at a character's first byte: the characters before it are whole.
  return at === null ? null : bytes.toString('utf8', 0, at).length;
}

/** Writes to stdout and resolves once flushed, so large outputs are not cut at exit. */
export function out(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    // EPIPE: the reader has gone (main.ts); the command still ends with its exit code.
    process.stdout.write(text, (err) => (err && (err as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(err) : resolve()));
  });
}

/** One value for text output (src/text/escape.ts): text from files or the network cannot drive the terminal or add lines. */
export const safeText = escapeText;

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

/** JSON whose strings carry no raw control, format or separator character (src/text/escape.ts); same parsed value. */
export function safeJson(value: unknown, indent: number | undefined = 2): string {
  return stringifyJson(value, indent);
}

/** The longest any single request may take, whatever the overall limit. */
export const MAX_REQUEST_MS = 10_000;

export { withDeadline } from './deadline.js';

