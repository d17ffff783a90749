import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileScope, tokenizeGlob, tokensToRegex } from '../../src/glob/glob.js';
import { compileGlobMatcher, simulationMatcher } from '../../src/glob/match.js';
import { refMatch, smallGlob, smallText } from './helpers.js';

// Star-heavy globs exercise the greedy matcher's backtracking across segments.
const starGlob = fc
  .array(fc.constantFrom('a', 'b', '/', '*', '*', '?', '😀'), { minLength: 1, maxLength: 10 })
  .map((xs) => xs.join(''));
const slashText = fc.array(fc.constantFrom('a', 'b', '/', '😀'), { maxLength: 10 }).map((xs) => xs.join(''));

function tokens(glob: string) {
  const r = tokenizeGlob(glob);
  if ('error' in r) throw new Error(r.error.message);
  return r.tokens;
}

describe('scope globs', () => {
  it('reads *** as ** then *', () => {
    expect(tokens('a***').map((t) => t.kind)).toEqual(['literal', 'doubleStar', 'star']);
  });

  it.each([['a[b'], ['a{b}'], ['a\\b'], ['a b'], ['a\tb'], [''], ['x'.repeat(513)], ['a\u0001'], ['a\ud800b']])(
    'rejects %j with a message and an offset',
    (glob) => {
      const r = tokenizeGlob(glob);
      expect('error' in r).toBe(true);
      if ('error' in r) expect(r.error.message.length).toBeGreaterThan(0);
    },
  );

  it('orders specificity: literals, then fewer **, then fewer * and ?', () => {
    const rank = (g: string) => {
      const r = compileScope(g);
      if ('error' in r) throw new Error(r.error.message);
      return r.scope.rank;
    };
    expect(rank('atcr.io/a/b')).toBeGreaterThan(rank('atcr.io/a/*'));
    expect(rank('atcr.io/a/*')).toBeGreaterThan(rank('atcr.io/a/**'));
    expect(rank('atcr.io/*/*')).toBeGreaterThan(rank('atcr.io/**/*'));
    expect(rank('atcr.io/x*')).toBeGreaterThan(rank('atcr.io/x*?'));
    expect(rank('atcr.io/xy**')).toBeGreaterThan(rank('atcr.io/x*'));
  });

  it('chooses the name-tag target when a : follows the last /', () => {
    const target = (g: string) => (compileScope(g) as { scope: { target: string } }).scope.target;
    expect(target('atcr.io/a/*:v*')).toBe('name-tag');
    expect(target('localhost:5000/a/*')).toBe('name');
    expect(target('**:latest')).toBe('name-tag');
  });

  it('regex agrees with an independent matcher on random globs and strings', () => {
    fc.assert(
      fc.property(smallGlob, smallText, (g, s) => {
        expect(new RegExp(tokensToRegex(tokens(g)), 'u').test(s)).toBe(refMatch(g, s));
      }),
      { numRuns: 3000 },
    );
  });

  it('the compiled matcher agrees with the independent matcher', () => {
    fc.assert(
      fc.property(fc.oneof(smallGlob, starGlob), fc.oneof(smallText, slashText), (g, s) => {
        expect(compileGlobMatcher(g)(s)).toBe(refMatch(g, s));
      }),
      { numRuns: 4000 },
    );
  });

  it('the linear-time simulation agrees with the independent matcher', () => {
    fc.assert(
      fc.property(smallGlob, smallText, (g, s) => {
        expect(simulationMatcher(tokens(g))(s)).toBe(refMatch(g, s));
      }),
      { numRuns: 3000 },
    );
  });

  it('matches strings a glob generated (positive cases)', () => {
    // Replace each metacharacter by a run it can match, so the expected answer is true.
    const fill = fc.array(fc.constantFrom('a', 'é', '😀', ':'), { maxLength: 3 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(smallGlob, fill, fc.constantFrom('', '/', 'x/y'), (g, run, deep) => {
        const s = [...g.replace(/\*\*/g, '\u0000')]
          .map((c) => (c === '\u0000' ? run + deep : c === '*' ? run : c === '?' ? 'q' : c))
          .join('');
        expect(compileGlobMatcher(g)(s)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('runs hostile globs without backtracking blow-ups', () => {
    const glob = '**a**a**a**a**a**a**a**a**b';
    const m = compileGlobMatcher(glob);
    expect(m('a'.repeat(4000))).toBe(false);
    expect(m('a'.repeat(4000) + 'b')).toBe(true);
    expect(compileGlobMatcher('*a*a*a*a*/x')('aaaa/x')).toBe(true);
  });
});
