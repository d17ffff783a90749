// The HMAC key that authenticates Redis entries (`--cache-key-file`). Write access to
// Redis alone must not be enough to plant facts, so the key lives in a file (a Secret),
// is at least 32 bytes, and cannot be printed: logging the object shows "[CacheKey]".

import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { DEFAULT_PIPE_WAIT_MS, MAX_CACHE_KEY_FILE_BYTES } from '../../fs/limits.js';
import { FileReadError, readBoundedSync } from '../../fs/read-bounded.js';

export const MIN_CACHE_KEY_BYTES = 32;

export class CacheKeyError extends Error {
  override name = 'CacheKeyError';
}

export class CacheKey {
  readonly #bytes: Buffer;

  /** `bytes` is copied. Throws a CacheKeyError (which never contains key bytes) below 32 bytes. */
  constructor(bytes: Uint8Array, where = 'the cache key') {
    if (bytes.length < MIN_CACHE_KEY_BYTES) {
      throw new CacheKeyError(`${where} has ${bytes.length} bytes; at least ${MIN_CACHE_KEY_BYTES} are needed (e.g. openssl rand -base64 48)`);
    }
    this.#bytes = Buffer.from(bytes);
  }

  /** HMAC-SHA256 of `message` under this key. */
  mac(message: string): Buffer {
    return createHmac('sha256', this.#bytes).update(message, 'utf8').digest();
  }

  /** Whether `tag` is the MAC of `message`, compared in constant time. */
  verify(message: string, tag: Buffer): boolean {
    const expected = this.mac(message);
    return tag.length === expected.length && timingSafeEqual(tag, expected);
  }

  toString(): string {
    return '[CacheKey]';
  }

  toJSON(): string {
    return '[CacheKey]';
  }

  [inspect.custom](): string {
    return '[CacheKey]';
  }
}

/**
 * The key in `file`: its bytes, less one trailing newline (so `echo`/`openssl rand -base64`
 * output works as is). Errors name the file and the problem, never the content.
 */
export function loadCacheKey(file: string): CacheKey {
  let bytes: Buffer;
  try {
    // Bounded (a link to /dev/zero, a FIFO): start-up fails with a reason instead of hanging.
    bytes = readBoundedSync(file, { what: '--cache-key-file', maxBytes: MAX_CACHE_KEY_FILE_BYTES, refuseEmpty: true, deadline: Date.now() + DEFAULT_PIPE_WAIT_MS });
  } catch (err) {
    if (err instanceof FileReadError) throw new CacheKeyError(err.message);
    throw err;
  }
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end--;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  try {
    return new CacheKey(bytes.subarray(0, end), `--cache-key-file ${file}`);
  } finally {
    bytes.fill(0);
  }
}
