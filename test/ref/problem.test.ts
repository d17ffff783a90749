// referenceProblem says why a reference does not parse, and only then.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceProblem } from '../../src/ref/problem.js';
import { parseImageRef } from '../../src/ref/reference.js';

describe('referenceProblem', () => {
  it('is null exactly when the reference parses', () => {
    const refChars = fc.constantFrom(...'abcXYZ019./:@-_ [];'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: refChars, maxLength: 40 })), (s) => {
        expect(referenceProblem(s) === null).toBe(parseImageRef(s) !== null);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['atcr.io/Globex/x', 'must be lower-case: "Globex"'],
    ['atcr.io/a/b:-x', 'the tag "-x"'],
    ['atcr.io//b', 'empty component'],
    ['a@sha256:xyz', 'the digest "sha256:xyz"'],
    ['a b', 'white space'],
    ['', 'empty'],
    ['atcr.io/a..b/c', 'the repository component "a..b"'],
    ['exa_mple.com/a/b', 'the registry "exa_mple.com"'],
  ])('%j: %s', (ref, words) => {
    expect(referenceProblem(ref)).toContain(words);
  });
});
