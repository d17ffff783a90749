import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CacheKey, loadCacheKey } from '../../../src/serve/cache/cache-key.js';

const dir = mkdtempSync(join(tmpdir(), 'cache-key-'));

describe('loadCacheKey', () => {
  it('reads a key file, ignoring one trailing newline', () => {
    const f = join(dir, 'ok');
    writeFileSync(f, 'k'.repeat(32) + '\n');
    const a = loadCacheKey(f);
    const b = new CacheKey(Buffer.from('k'.repeat(32)));
    expect(a.mac('m').equals(b.mac('m'))).toBe(true);
    expect(a.verify('m', b.mac('m'))).toBe(true);
    expect(a.verify('m', b.mac('n'))).toBe(false);
  });

  it('refuses keys shorter than 32 bytes, naming the file but not the key', () => {
    const f = join(dir, 'short');
    writeFileSync(f, 'secret-but-short\n');
    expect(() => loadCacheKey(f)).toThrow(`--cache-key-file ${f} has 16 bytes; at least 32 are needed`);
    try {
      loadCacheKey(f);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('secret');
    }
  });

  it('names a missing file', () => {
    expect(() => loadCacheKey(join(dir, 'absent'))).toThrow(/absent does not exist/);
  });

  it('cannot be printed', () => {
    const k = new CacheKey(Buffer.from('p'.repeat(40)));
    expect(`${k}`).toBe('[CacheKey]');
    expect(JSON.stringify({ k })).toBe('{"k":"[CacheKey]"}');
    expect(inspect(k)).toBe('[CacheKey]');
  });
});
