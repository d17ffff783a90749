import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScopeIndex } from '../../src/glob/scope-index.js';
import type { IRPolicy } from '../../src/ir/types.js';
import { parseImageRef, type ImageRef } from '../../src/ref/reference.js';
import { policy, refMatch, smallGlob, smallText, subject } from './helpers.js';

function bruteForce(policies: readonly IRPolicy[], image: { name: string; tag: string }) {
  const out: Array<{ name: string; rank: number }> = [];
  for (const p of policies) {
    let best = -1;
    for (const sc of p.scopes) if (refMatch(sc.glob, subject(sc, image)) && sc.rank > best) best = sc.rank;
    if (best >= 0) out.push({ name: p.name, rank: best });
  }
  // Stable sort keeps index order among equal ranks.
  return out.sort((a, b) => b.rank - a.rank);
}

const seg = fc.constantFrom('a', 'b', 'ab', 'team-1', 'app', '*', '**', '?', 'a*', '*b', 'app-*', '');
const regHost = fc.constantFrom('atcr.io', 'reg.io', 'localhost:5000', '*', '**', 'atcr.*');
const tagPart = fc.constantFrom('', ':v*', ':latest', ':*', ':v1', ':**', ':?');
const glob = fc
  .tuple(regHost, fc.array(seg, { minLength: 1, maxLength: 3 }), tagPart)
  .map(([h, segs, t]) => `${h}/${segs.join('/')}${t}`.replace(/\/{2,}/g, '/'))
  .filter((g) => !g.endsWith('/') && !/\*{3}/.test(g));
const nameSeg = fc.constantFrom('a', 'b', 'ab', 'team-1', 'app', 'app-x', 'aab');
const image = fc
  .tuple(
    fc.constantFrom('atcr.io', 'reg.io', 'localhost:5000', 'atcr.ioo'),
    fc.array(nameSeg, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('latest', 'v1', 'v1.2', 'x'),
    fc.boolean(),
  )
  .map(([h, segs, tag, digestOnly]) =>
    digestOnly ? `${h}/${segs.join('/')}@sha256:${'c'.repeat(64)}` : `${h}/${segs.join('/')}:${tag}`,
  )
  .map((s) => parseImageRef(s)!);

/** The index's candidates equal the brute-force reading of the spec for every image. */
function agreesWithBruteForce(globsPerPolicy: string[][], images: ImageRef[]): void {
  const policies = globsPerPolicy.map((gs, i) => policy(i, gs));
  const index = new ScopeIndex(policies);
  for (const img of images) {
    const got = index.candidates(img).map((c) => ({ name: c.policy.name, rank: c.rank }));
    expect(got).toEqual(bruteForce(policies, img));
  }
}

describe('ScopeIndex', () => {
  it('returns exactly the brute-force candidates, best first', () => {
    fc.assert(
      fc.property(fc.array(fc.array(glob, { minLength: 1, maxLength: 3 }), { maxLength: 25 }), fc.array(image, { minLength: 1, maxLength: 10 }), (globsPerPolicy, images) => {
        agreesWithBruteForce(globsPerPolicy, images);
      }),
      { numRuns: 300 },
    );
  });

  it('equals brute force on arbitrary strings too (astral characters, odd shapes)', () => {
    // Not every such name parses, but the index must not depend on that.
    const tag = fc.array(fc.constantFrom('a', 'é', '😀', '.'), { maxLength: 3 }).map((xs) => xs.join(''));
    const anyImage = fc.tuple(smallText, tag).map(([name, t]) => ({ ...parseImageRef('x.io/y')!, name, tag: t }));
    fc.assert(
      fc.property(fc.array(fc.array(smallGlob, { minLength: 1, maxLength: 2 }), { maxLength: 20 }), fc.array(anyImage, { minLength: 1, maxLength: 10 }), (globsPerPolicy, images) => {
        agreesWithBruteForce(globsPerPolicy, images);
      }),
      { numRuns: 300 },
    );
  });

  it('picks the policy by its most specific matching scope and breaks ties by index', () => {
    const policies = [
      policy(0, ['atcr.io/**']),
      policy(1, ['atcr.io/*/prod-*', 'atcr.io/alice/prod-api']),
      policy(2, ['atcr.io/*/*']),
      policy(3, ['**/prod-api']),
      policy(4, ['atcr.io/*/*']),
      policy(5, ['atcr.io/alice/*:v*']),
    ];
    const idx = new ScopeIndex(policies);
    const names = (ref: string) => idx.candidates(parseImageRef(ref)!).map((c) => c.policy.name);
    expect(names('atcr.io/alice/prod-api:v2')).toEqual(['p1', 'p5', 'p2', 'p4', 'p3', 'p0']);
    expect(names('atcr.io/alice/prod-web:latest')).toEqual(['p1', 'p2', 'p4', 'p0']);
    expect(names(`atcr.io/alice/web@sha256:${'0'.repeat(64)}`)).toEqual(['p2', 'p4', 'p0']);
    expect(names('docker.io/library/nginx')).toEqual([]);
  });

  it('handles an empty policy list', () => {
    expect(new ScopeIndex([]).candidates(parseImageRef('nginx')!)).toEqual([]);
  });
});
