// Every fuzz target, for a fixed number of mutated inputs from its committed corpus (the
// time-based, coverage-guided run is `npm run fuzz`): each parser returns or throws its own
// typed error, never anything else, and the seeds themselves pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../fuzz/corpus.js';
import { arbMutated } from '../../fuzz/mutate.js';
import { describeFailure, failureOf } from '../../fuzz/check.js';
import { TARGETS } from '../../fuzz/targets.js';

const RUNS = 100;

describe.each(TARGETS.map((t) => [t.name, t] as const))('fuzz target %s', (_name, target) => {
  const corpus = { entries: loadCorpus(target.name), dictionary: target.dictionary, json: target.json };

  it('passes on every seed of its corpus', async () => {
    for (const seed of corpus.entries) {
      const failure = await failureOf(target, seed);
      expect(failure === null ? null : describeFailure(failure)).toBeNull();
    }
  });

  it(`passes on ${RUNS} mutated inputs`, async () => {
    await fc.assert(
      fc.asyncProperty(arbMutated(corpus), async (input) => {
        const failure = await failureOf(target, input);
        if (failure !== null) throw new Error(describeFailure(failure));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
