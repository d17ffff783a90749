import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AhoCorasick } from '../../src/glob/aho-corasick.js';

const word = fc.array(fc.constantFrom('a', 'b', 'ab', '/', '😀'), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(''));

/** Every (key index, end offset) where a key occurs, by plain search. */
function naive(keys: readonly string[], text: string): string[] {
  const out: string[] = [];
  keys.forEach((k, i) => {
    for (let at = text.indexOf(k); at >= 0; at = text.indexOf(k, at + 1)) out.push(`${i}@${at + k.length}`);
  });
  return out.sort();
}

describe('AhoCorasick', () => {
  it('reports exactly the occurrences a plain search finds', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), fc.array(word, { maxLength: 8 }), (keys, parts) => {
        const text = parts.join('');
        const ac = new AhoCorasick<number>();
        keys.forEach((k, i) => ac.add(k, i));
        ac.build();
        const got: string[] = [];
        ac.scan(text, (values, end) => values.forEach((i) => got.push(`${i}@${end}`)));
        expect(got.sort()).toEqual(naive(keys, text));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses misuse instead of answering wrongly', () => {
    const ac = new AhoCorasick<number>();
    expect(() => ac.add('', 1)).toThrow(/empty key/);
    ac.build();
    expect(() => ac.add('a', 1)).toThrow(/after build/);
  });
});
