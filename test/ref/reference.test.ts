import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatImageRef, parseImageRef, type ImageRef } from '../../src/ref/reference.js';

const HEX64 = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const D256 = `sha256:${HEX64}`;

function ref(registry: string, repository: string, tag: string, digest = ''): ImageRef {
  return { registry, repository, name: `${registry}/${repository}`, namespace: repository.split('/')[0]!, tag, digest };
}

describe('parseImageRef: normalization', () => {
  it.each([
    ['nginx', ref('docker.io', 'library/nginx', 'latest')],
    ['nginx:1.25', ref('docker.io', 'library/nginx', '1.25')],
    ['alice/app', ref('docker.io', 'alice/app', 'latest')],
    ['docker.io/nginx', ref('docker.io', 'library/nginx', 'latest')],
    ['docker.io/library/nginx:alpine', ref('docker.io', 'library/nginx', 'alpine')],
    ['index.docker.io/nginx', ref('docker.io', 'library/nginx', 'latest')],
    ['INDEX.docker.io/alice/app', ref('docker.io', 'alice/app', 'latest')],
    ['localhost/x', ref('localhost', 'x', 'latest')],
    ['localhost:5000/x', ref('localhost:5000', 'x', 'latest')],
    ['localhost:5000/x:dev', ref('localhost:5000', 'x', 'dev')],
    ['ATCR.IO/alice/myapp', ref('atcr.io', 'alice/myapp', 'latest')],
    ['MyHost/app', ref('myhost', 'app', 'latest')],
    ['[::1]:5000/app', ref('[::1]:5000', 'app', 'latest')],
    ['a.io:65535/x', ref('a.io:65535', 'x', 'latest')],
    ['a.io:1/x', ref('a.io:1', 'x', 'latest')],
    ['[FE80::1]/app', ref('[fe80::1]', 'app', 'latest')],
    ['atcr.io/alice/myapp:1.0', ref('atcr.io', 'alice/myapp', '1.0')],
    [`atcr.io/alice/myapp:1.0@${D256}`, ref('atcr.io', 'alice/myapp', '1.0', D256)],
    [`atcr.io/alice/myapp@${D256}`, ref('atcr.io', 'alice/myapp', '', D256)],
    [`nginx@${D256}`, ref('docker.io', 'library/nginx', '', D256)],
    [`a/b@sha384:${'0'.repeat(96)}`, ref('docker.io', 'a/b', '', `sha384:${'0'.repeat(96)}`)],
    [`a/b@sha512:${'f'.repeat(128)}`, ref('docker.io', 'a/b', '', `sha512:${'f'.repeat(128)}`)],
    ['a/b:_Tag-1.X', ref('docker.io', 'a/b', '_Tag-1.X')],
    ['a.io/x__y/z--w/v.1_2', ref('a.io', 'x__y/z--w/v.1_2', 'latest')],
    ['my-reg.example.com:443/team/app', ref('my-reg.example.com:443', 'team/app', 'latest')],
    ['localhost:5000', ref('docker.io', 'library/localhost', '5000')],
  ])('%s', (input, want) => {
    expect(parseImageRef(input)).toEqual(want);
  });

  it.each([
    [''],
    ['Nginx'], // upper-case repository
    ['atcr.io/Alice/app'],
    ['a/b:'], // empty tag
    ['a/b:-x'], // tag must start with [A-Za-z0-9_]
    [`a/b:${'t'.repeat(129)}`], // tag too long
    ['a/b@'], // empty digest
    ['a/b@sha256:abc'], // short digest
    [`a/b@sha256:${HEX64.toUpperCase()}`], // upper-case hex
    [`a/b@md5:${HEX64}`],
    [`a/b@${D256}@${D256}`], // two @
    [`@${D256}`], // no name
    [`:tag@${D256}`],
    ['a//b'], // empty component
    ['a/b/'],
    ['/a/b'],
    ['a.io/'],
    ['a/-b'],
    ['a/b-'],
    ['a/b..c'],
    ['a/b___c'],
    ['-bad.io/a'], // label starts with a hyphen
    ['bad-.io/a'],
    ['a..io/x'],
    ['a.io:/x'], // empty port
    ['a.io:5x/x'],
    // A port is 1–65535 without leading zeros: nothing else is a place a URL can reach.
    ['atcr.io:99999/a/b:1'],
    ['a.io:65536/x'],
    ['a.io:0/x'],
    ['a.io:080/x'],
    ['a.io:123456/x'],
    ['[::1]:70000/x'],
    ['[::1/x'],
    ['[]/x'],
    ['a b/c'],
    ['a/b c'],
    ['héllo.io/x'],
    [`a.io/${'x'.repeat(251)}`], // name longer than 255
    ['x'.repeat(4097)],
  ])('rejects %j', (input) => {
    expect(parseImageRef(input)).toBeNull();
  });

  it('counts the 255-character limit on the normalized name', () => {
    const repo = 'x'.repeat(255 - 'a.io/'.length);
    expect(parseImageRef(`a.io/${repo}`)?.name.length).toBe(255);
    expect(parseImageRef(`a.io/${repo}y`)).toBeNull();
    // docker.io/library/ is added before the length is checked
    const single = 'y'.repeat(255 - 'docker.io/library/'.length);
    expect(parseImageRef(single)?.name.length).toBe(255);
    expect(parseImageRef(single + 'y')).toBeNull();
  });
});

// An independent reading of docs/ir.md with regular expressions, to cross-check the scanner.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const REGISTRY = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$`);
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

function oracle(s: string): ImageRef | null {
  if (s.length > 4096) return null;
  let name = s;
  let digest = '';
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    name = s.slice(0, at);
    if (!DIGEST.test(digest)) return null;
  }
  let tag = at >= 0 ? '' : 'latest';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return null;
  }
  const parts = name.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (/[.:A-Z]/.test(parts[0]!) || parts[0] === 'localhost')) {
    if (!REGISTRY.test(parts[0]!)) return null;
    registry = parts.shift()!.toLowerCase();
    if (registry === 'index.docker.io') registry = 'docker.io';
  }
  if (!parts.every((p) => COMPONENT.test(p))) return null;
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (registry.length + 1 + repository.length > 255) return null;
  return { registry, repository, name: `${registry}/${repository}`, namespace: parts[0]!, tag, digest };
}

// References assembled from pieces that are often valid and sometimes subtly not.
const piece = fc.constantFrom(
  'a', 'b', 'z9', 'app', 'Team', '.', '-', '--', '_', '__', '___', '/', ':', '@', 'atcr.io', 'localhost',
  'index.docker.io', 'docker.io', '5000', '[::1]', 'library', 'latest', 'v1.2', D256, 'sha256:', 'é',
);
const refLike = fc.array(piece, { maxLength: 10 }).map((xs) => xs.join(''));

describe('parseImageRef: properties', () => {
  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: "binary", maxLength: 40 }), refLike), (s) => {
        parseImageRef(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with an independent regex reading of the algorithm', () => {
    fc.assert(
      fc.property(fc.oneof(refLike, fc.string({ maxLength: 30 })), (s) => {
        expect(parseImageRef(s)).toEqual(oracle(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('formatImageRef round-trips and is a fixed point', () => {
    fc.assert(
      fc.property(refLike, (s) => {
        const r = parseImageRef(s);
        if (r === null) return;
        const text = formatImageRef(r);
        expect(parseImageRef(text)).toEqual(r);
        expect(formatImageRef(parseImageRef(text)!)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('formatImageRef', () => {
  it('writes name[:tag][@digest]', () => {
    expect(formatImageRef(parseImageRef('nginx')!)).toBe('docker.io/library/nginx:latest');
    expect(formatImageRef(parseImageRef(`atcr.io/a/b@${D256}`)!)).toBe(`atcr.io/a/b@${D256}`);
    expect(formatImageRef(parseImageRef(`atcr.io/a/b:v1@${D256}`)!)).toBe(`atcr.io/a/b:v1@${D256}`);
  });
  it('keeps a bare-word registry recognisable by writing it upper-case', () => {
    const r = parseImageRef('MyHost/app')!;
    expect(formatImageRef(r)).toBe('MYHOST/app:latest');
    expect(parseImageRef(formatImageRef(r))).toEqual(r);
  });
});
