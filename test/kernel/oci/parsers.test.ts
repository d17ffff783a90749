import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OciError,
  credentialsFromDockerConfig,
  fallbackTag,
  nextLink,
  parseChallenge,
  parseDigest,
  parseManifest,
} from '../../../src/kernel/oci/index.js';

describe('parseChallenge', () => {
  it('reads a registry Bearer challenge', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
  });
  it('reads token values, escapes and stops at a second challenge', () => {
    expect(parseChallenge('Basic realm=reg, charset="a\\"b"')).toEqual({ scheme: 'basic', params: { realm: 'reg', charset: 'a"b' } });
    expect(parseChallenge('Bearer realm="r", Basic realm="x"')?.params).toEqual({ realm: 'r' });
  });
  it('returns null for junk and never throws', () => {
    expect(parseChallenge('')).toBeNull();
    expect(parseChallenge('Bearer realm="unterminated')).toBeNull();
    fc.assert(fc.property(fc.string(), (s) => {
      const c = parseChallenge(s);
      return c === null || typeof c.scheme === 'string';
    }));
  });
});

describe('parseManifest', () => {
  it('fails random bytes with manifest-invalid', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      try {
        parseManifest(b);
        return true;
      } catch (e) {
        return e instanceof OciError && e.code === 'manifest-invalid';
      }
    }));
  });
  it('fails random JSON with manifest-invalid', () => {
    fc.assert(fc.property(fc.json(), (j) => {
      try {
        parseManifest(new TextEncoder().encode(j));
        return true;
      } catch (e) {
        return e instanceof OciError && e.code === 'manifest-invalid';
      }
    }));
  });
  it('rejects a descriptor without a usable digest', () => {
    const m = { schemaVersion: 2, config: { mediaType: 'x', digest: 'md5:abc', size: 1 } };
    expect(() => parseManifest(new TextEncoder().encode(JSON.stringify(m)))).toThrowError(expect.objectContaining({ code: 'manifest-invalid' }));
  });
});

describe('digests and tags', () => {
  it('accepts only lower-case sha256/sha512 hex of the right length', () => {
    expect(parseDigest(`sha256:${'a'.repeat(64)}`)).toEqual({ algorithm: 'sha256', hex: 'a'.repeat(64) });
    expect(parseDigest(`sha256:${'A'.repeat(64)}`)).toBeNull();
    expect(parseDigest(`sha256:${'a'.repeat(63)}`)).toBeNull();
    expect(parseDigest(`md5:${'a'.repeat(32)}`)).toBeNull();
  });
  it('maps a digest to the referrers tag schema', () => {
    expect(fallbackTag(`sha256:${'b'.repeat(64)}`)).toBe(`sha256-${'b'.repeat(64)}`);
    expect(fallbackTag(`sha512:${'c'.repeat(128)}`)).toHaveLength(128);
  });
});

describe('nextLink', () => {
  it('finds rel="next" among several links', () => {
    expect(nextLink('</v2/a/referrers/x?last=1>; rel="next"')).toBe('/v2/a/referrers/x?last=1');
    expect(nextLink('<https://r/prev>; rel="prev", <https://r/n?a=1,2>; rel="next"')).toBe('https://r/n?a=1,2');
    expect(nextLink('<https://r/p>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
  it('never throws on random headers', () => {
    fc.assert(fc.property(fc.string(), (h) => {
      const n = nextLink(h);
      return n === undefined || typeof n === 'string';
    }));
  });
});

describe('credentialsFromDockerConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atcr-dockercfg-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({
    auths: {
      'registry.example.com': { auth: Buffer.from('alice:s3cret:with:colons').toString('base64') },
      'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
      'https://ghcr.io': { username: 'bob', password: 'tok' },
    },
    credsStore: 'desktop',
  }));
  it('decodes auth entries for a host', () => {
    expect(credentialsFromDockerConfig('registry.example.com', path)).toEqual({ username: 'alice', password: 's3cret:with:colons' });
    expect(credentialsFromDockerConfig('ghcr.io', path)).toEqual({ username: 'bob', password: 'tok' });
  });
  it('finds Docker Hub under its legacy key', () => {
    expect(credentialsFromDockerConfig('docker.io', path)).toEqual({ username: 'hub', password: 'pw' });
  });
  it('never throws on random config files', () => {
    const fuzz = join(dir, 'fuzz.json');
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.dictionary(fc.string(), fc.json()).map((auths) => JSON.stringify({ auths }))), (text) => {
      writeFileSync(fuzz, text);
      const c = credentialsFromDockerConfig('registry.example.com', fuzz);
      return c === null || (typeof c.username === 'string' && typeof c.password === 'string');
    }), { numRuns: 200 });
  });
  it('returns null for unknown hosts and unreadable files', () => {
    expect(credentialsFromDockerConfig('quay.io', path)).toBeNull();
    expect(credentialsFromDockerConfig('quay.io', join(dir, 'missing.json'))).toBeNull();
  });
});
