// Reading a policy file safely: a size cap and strict UTF-8, before any parsing.

import { FileReadError, readBounded } from '../fs/read-bounded.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export const MAX_POLICY_BYTES = 5 * 1024 * 1024;

/** `unreadable`: the file is not there (or not a file): the caller says where it was named. */
export type SourceResult = { text: string } | { diagnostic: Diagnostic } | { unreadable: string };

function finding(file: string, message: string, line = 1, column = 1, rule = 'yaml-syntax'): { diagnostic: Diagnostic } {
  return { diagnostic: { file, line, column, rule, severity: 'error', message } };
}

/** Decodes bytes as UTF-8, reporting the line and column of the first bad byte. */
export function decodeSource(file: string, bytes: Uint8Array): { text: string } | { diagnostic: Diagnostic } {
  if (bytes.length > MAX_POLICY_BYTES) {
    return finding(file, `the file is ${bytes.length} bytes; policy files are limited to ${MAX_POLICY_BYTES} bytes (5 MiB)`);
  }
  try {
    let text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    if (text.includes('\u0000')) {
      const at = positionOf(text, text.indexOf('\u0000'));
      return finding(file, 'the file contains a NUL character; policy files are UTF-8 text', at.line, at.column);
    }
    return { text };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const at = positionOf(prefix, prefix.length);
    return finding(file, `byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad} is not valid UTF-8; policy files must be UTF-8`, at.line, at.column);
  }
}

/** Reads a policy or suite file within MAX_POLICY_BYTES; `signal` bounds a pipe. */
export async function readSource(file: string, shownAs: string = file, signal?: AbortSignal): Promise<SourceResult> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, { what: '', shownAs, maxBytes: MAX_POLICY_BYTES, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    if (err.fault === 'too-large') return finding(shownAs, `the file is larger than ${MAX_POLICY_BYTES} bytes; policy files are limited to 5 MiB`);
    return { unreadable: err.message };
  }
  return decodeSource(shownAs, bytes);
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
    }
    // Overlongs and surrogates are also invalid; the decoder rejected something, so be precise.
    if (need === 2) {
      const c1 = b[i + 1]!;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return i;
    }
    if (need === 3) {
      const c1 = b[i + 1]!;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return i;
    }
    i += need + 1;
  }
  return Math.max(0, b.length - 1);
}
