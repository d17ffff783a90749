import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coverCounterexample, decidedIntersection, scopeCoveredBy, scopesIntersect } from '../../src/glob/automaton.js';
import { WorkBudget } from '../../src/glob/budget.js';
import type { IRScope } from '../../src/ir/types.js';
import { parseImageRef, type ImageRef } from '../../src/ref/reference.js';
import { refMatch, scope, subject } from './helpers.js';

/** Splits a `name:tag` witness (a tag holds no ':'). */
function split(w: string): { name: string; tag: string } {
  const i = w.lastIndexOf(':');
  return { name: w.slice(0, i), tag: w.slice(i + 1) };
}

function matches(sc: IRScope, image: { name: string; tag: string }): boolean {
  return refMatch(sc.glob, subject(sc, image));
}

/** The witness of scopesIntersect, read as an image: a bare name when both scopes target names. */
function witnessImage(a: IRScope, b: IRScope, w: string): { name: string; tag: string } {
  return a.target === 'name' && b.target === 'name' ? { name: w, tag: 'latest' } : split(w);
}

describe('scopesIntersect', () => {
  it('finds a readable, normalized witness matched by both', () => {
    const a = scope('atcr.io/*/prod-*');
    const b = scope('atcr.io/alice/*');
    const w = scopesIntersect(a, b)!;
    expect(w).not.toBeNull();
    expect(refMatch(a.glob, w) && refMatch(b.glob, w)).toBe(true);
    expect(parseImageRef(w)?.name).toBe(w);
  });

  it('says null for disjoint scopes', () => {
    expect(scopesIntersect(scope('atcr.io/a/*'), scope('atcr.io/b/*'))).toBeNull();
    expect(scopesIntersect(scope('atcr.io/**:v1'), scope('atcr.io/**:v2'))).toBeNull();
    expect(scopesIntersect(scope('*.io/x-*'), scope('*.io/*-y/*'))).toBeNull();
  });

  it('relates a name scope to a name-tag scope through the tag', () => {
    const a = scope('atcr.io/a/*');
    const b = scope('**:v1');
    const w = scopesIntersect(a, b)!;
    const img = split(w);
    expect(img.tag).toBe('v1');
    expect(matches(a, img) && matches(b, img)).toBe(true);
    expect(scopesIntersect(scope('atcr.io/a/*'), scope('atcr.io/b/*:**'))).toBeNull();
  });

  it('can only meet on a digest-only reference when a scope demands an empty tag', () => {
    const w = scopesIntersect(scope('atcr.io/a/b:'), scope('atcr.io/**'));
    expect(w).toBe('atcr.io/a/b:');
  });

  it('ignores strings no image can present', () => {
    // Repositories are lower-case and every name has a registry and a `/`.
    const upper = scope('atcr.io/Alice/*');
    expect(scopesIntersect(upper, upper)).toBeNull();
    expect(scopesIntersect(scope('a*'), scope('*b'))).toBeNull();
    expect(scopesIntersect(scope('atcr.io/a//*'), scope('**'))).toBeNull();
  });
});

describe('scopeCoveredBy', () => {
  it.each([
    ['atcr.io/team/*', ['atcr.io/**'], true],
    ['atcr.io/*/*', ['atcr.io/a/*'], false],
    ['atcr.io/*/*', ['atcr.io/a/*', 'atcr.io/*/**'], true],
    ['atcr.io/x/*', ['atcr.io/x/?*'], true], // components are never empty
    ['atcr.io/x/*:v*', ['atcr.io/x/*'], true], // a name scope takes every tag
    ['atcr.io/x/*', ['atcr.io/x/*:v*', 'atcr.io/x/*:latest'], false],
    ['atcr.io/x/*', ['atcr.io/x/*:*'], true], // `*` also matches the empty tag of a digest
    ['**', ['*/**'], true],
    ['atcr.io/x/*', [], false],
    ['atcr.io/X/*', [], true], // matches no image at all
  ] as const)('%s covered by %j: %s', (inner, outers, want) => {
    expect(scopeCoveredBy(scope(inner), outers.map(scope))).toBe(want);
  });

  it("answers 'unknown' past its state budget rather than guessing", () => {
    const hard = scope('**a???????????????');
    expect(scopeCoveredBy(hard, [hard], 500)).toBe('unknown');
  });

  it('gives a counterexample that the inner scope matches and no outer does', () => {
    const inner = scope('atcr.io/*/*');
    const outers = [scope('atcr.io/a/*'), scope('atcr.io/*/b*')];
    const r = coverCounterexample(inner, outers);
    expect(r.covered).toBe(false);
    if (r.covered !== false) return;
    const img = split(r.witness);
    expect(matches(inner, img)).toBe(true);
    expect(outers.some((o) => matches(o, img))).toBe(false);
  });
});

// Brute force over real images: every reference the small grammar below produces that parses.
const IMAGES: ImageRef[] = (() => {
  const out: ImageRef[] = [];
  for (const reg of ['a.b', 'b.a:1', 'localhost']) {
    for (const repo of ['a', 'b', 'ab', 'a.b', 'a-b', 'a/b', 'b/a', 'ab/a']) {
      for (const tag of [':a', ':1', ':b.a', `@sha256:${'a'.repeat(64)}`]) {
        const r = parseImageRef(`${reg}/${repo}${tag}`);
        if (r !== null) out.push(r);
      }
    }
  }
  return out;
})();

// Globs made from an image's subject by turning some characters into metacharacters.
const edit = fc.oneof(
  { weight: 16, arbitrary: fc.constant('keep') },
  { weight: 4, arbitrary: fc.constantFrom('*', '**', '?') },
  { weight: 1, arbitrary: fc.constantFrom('drop', 'a') },
);
const edits = fc.array(edit, { minLength: 40, maxLength: 40 });
function globFrom(img: ImageRef, withTag: boolean, ops: readonly string[]): IRScope | null {
  const text = withTag ? `${img.name}:${img.tag}` : img.name;
  const chars = [...text].map((c, i) => (ops[i] === 'keep' ? c : ops[i] === 'drop' ? '' : ops[i]!));
  const g = chars.join('').replace(/\*{3,}/g, '**');
  return g.length > 0 ? scope(g) : null;
}
const image = fc.constantFrom(...IMAGES);
const glob = fc
  .tuple(image, fc.boolean(), edits)
  .map(([img, withTag, ops]) => globFrom(img, withTag, ops))
  .filter((g): g is IRScope => g !== null);
// Often two globs from the same image, so that overlaps are common.
const globPair = fc.oneof(
  fc.tuple(glob, glob),
  fc
    .tuple(image, fc.boolean(), edits, fc.boolean(), edits)
    .map(([img, t1, e1, t2, e2]) => [globFrom(img, t1, e1), globFrom(img, t2, e2)] as const)
    .filter((p): p is readonly [IRScope, IRScope] => p[0] !== null && p[1] !== null),
);

describe('automaton properties (brute force over real images)', () => {
  it('scopesIntersect: a witness is matched by both; null means no image is', () => {
    fc.assert(
      fc.property(globPair, ([a, b]) => {
        const w = scopesIntersect(a, b);
        if (w === null) {
          expect(IMAGES.some((img) => matches(a, img) && matches(b, img))).toBe(false);
        } else {
          const img = witnessImage(a, b, w);
          expect(matches(a, img) && matches(b, img)).toBe(true);
          expect(img.tag).not.toMatch(/[/:]/);
        }
        expect(scopesIntersect(b, a) === null).toBe(w === null);
      }),
      { numRuns: 400 },
    );
  });

  it('scopeCoveredBy: true means no image escapes; false comes with an escaping image', () => {
    fc.assert(
      fc.property(globPair, fc.array(glob, { maxLength: 2 }), ([inner, first], more) => {
        const outers = [first, ...more];
        const r = coverCounterexample(inner, outers);
        expect(r.covered).not.toBe('unknown');
        if (r.covered === true) {
          expect(IMAGES.some((img) => matches(inner, img) && !outers.some((o) => matches(o, img)))).toBe(false);
        } else if (r.covered === false) {
          const img = split(r.witness);
          expect(matches(inner, img)).toBe(true);
          expect(outers.some((o) => matches(o, img))).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('decidedIntersection: an image both match and no outer takes; null means there is none', () => {
    fc.assert(
      fc.property(globPair, fc.array(glob, { maxLength: 2 }), ([a, b], outers) => {
        const r = decidedIntersection([a, b], outers);
        expect(r).not.toBe('unknown');
        if (r === 'unknown') return;
        if (r.image === null) {
          expect(IMAGES.some((img) => matches(a, img) && matches(b, img) && !outers.some((o) => matches(o, img)))).toBe(false);
        } else {
          const img = witnessImage(a, b, r.image);
          expect(matches(a, img) && matches(b, img)).toBe(true);
          expect(outers.some((o) => matches(o, img))).toBe(false);
        }
        // Without outers it is exactly scopesIntersect.
        const plain = decidedIntersection([a, b], []);
        expect(plain !== 'unknown' && plain.image).toBe(scopesIntersect(a, b) ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('a shared budget is charged what each question explored, and a spent one answers unknown', () => {
    const budget = new WorkBudget(1_000);
    const a = scope('atcr.io/**/svc');
    const b = scope('atcr.io/web/**');
    expect(decidedIntersection([a, b], [], budget)).not.toBe('unknown');
    expect(budget.used).toBeGreaterThan(0);
    const hard = scope('**a???????????????');
    expect(coverCounterexample(hard, [hard], budget).covered).toBe('unknown');
    expect(budget.exhausted).toBe(true);
    expect(decidedIntersection([a, b], [], budget)).toBe('unknown');
  });

  it('a scope covers itself and intersects itself exactly when it matches some image', () => {
    fc.assert(
      fc.property(glob, (a) => {
        expect(scopeCoveredBy(a, [a])).toBe(true);
        if (IMAGES.some((img) => matches(a, img))) expect(scopesIntersect(a, a)).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
