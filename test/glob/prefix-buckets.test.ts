// PrefixBuckets gives exactly the items whose prefix is a prefix of the query or extends it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixBuckets } from '../../src/glob/prefix-buckets.js';

const key = fc.string({ unit: fc.constantFrom('a', 'b', '/', 'é', '\u{1F600}'), maxLength: 5 });

describe('PrefixBuckets', () => {
  it('compatible(p) is the brute-force set, each item once', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 30 }), key, (keys, q) => {
        const b = new PrefixBuckets<number>();
        keys.forEach((k, i) => b.add(k, i));
        const got = [...b.compatible(q)].sort((x, y) => x - y);
        const want = keys.flatMap((k, i) => (q.startsWith(k) || k.startsWith(q) ? [i] : []));
        expect(got).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});
