// The Gatekeeper answer the service sends is assembled from remembered item texts; it
// must be byte for byte the escaped JSON of the ProviderResponse object, whatever the
// keys and facts hold (controls, bidi characters, lone surrogates, non-ASCII), and stay
// so when the same answers are asked for again under other keys.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FactsResult } from '../../src/serve/facts.js';
import { escapeJson } from '../../src/text/escape.js';
import { factsValue, pinnedValue, providerResponse, providerResponseBytes as bytes } from '../../src/serve/wire/gatekeeper.js';

const text = fc.string({ unit: fc.constantFrom('a', '/', ':', '"', '\\', '\n', '\u0085', '\u202e', '\u2028', '\ud800', '\udc00', 'é', '€', '😀', '\u0000') });

const signature = fc.record(
  { valid: fc.boolean(), did: text, handle: text, signedAt: text, error: fc.option(fc.record({ code: text, message: text }), { nil: undefined }) },
  { requiredKeys: ['valid', 'did'] },
);

const result: fc.Arbitrary<FactsResult> = fc.oneof(
  fc.record({
    ok: fc.constant(true as const),
    source: fc.constant('memory'),
    facts: fc.record({
      digest: text,
      owner: text,
      pinned: text,
      verified: fc.boolean(),
      unavailable: fc.boolean(),
      offline: fc.constant(false),
      notes: fc.array(text, { maxLength: 2 }),
      signatures: fc.array(signature, { maxLength: 3 }),
    }),
  }) as fc.Arbitrary<FactsResult>,
  fc.record({ ok: fc.constant(false as const), kind: fc.constantFrom('usage', 'not-found', 'invalid', 'refused', 'unavailable', 'deadline'), message: text }) as fc.Arbitrary<FactsResult>,
);

/** The bytes as text, checking they are valid UTF-8 first. */
function sent(...args: Parameters<typeof bytes>): string {
  const b = bytes(...args);
  return new TextDecoder('utf-8', { fatal: true }).decode(b);
}

describe('providerResponseBytes', () => {
  it('is the escaped JSON of providerResponse, also when answers come again under other keys', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, result), { maxLength: 6 }), fc.boolean(), (pairs, pinned) => {
        const value = pinned ? pinnedValue : factsValue;
        const keys = pairs.map(([k]) => k);
        const results = pairs.map(([, r]) => r);
        const expected = escapeJson(JSON.stringify(providerResponse(keys, results, value)));
        expect(sent(keys, results, value)).toBe(expected);
        // The same answer objects again: from the remembered texts this time.
        expect(sent(keys, results, value)).toBe(expected);
        // The same answers under other keys, and under the other value builder.
        const other = keys.map((k) => `${k}x`);
        expect(sent(other, results, value)).toBe(escapeJson(JSON.stringify(providerResponse(other, results, value))));
        const otherValue = pinned ? factsValue : pinnedValue;
        expect(sent(keys, results, otherValue)).toBe(escapeJson(JSON.stringify(providerResponse(keys, results, otherValue))));
      }),
      { numRuns: 300 },
    );
  });

  it('writes no raw control, bidi or separator character', () => {
    const r: FactsResult = { ok: false, kind: 'not-found', message: 'tag \u202e\u2028\u0085 missing' };
    const out = sent(['img\u202e:1'], [r], factsValue);
    expect(out).not.toMatch(/[\u0085\u202e\u2028]/);
    expect(JSON.parse(out).response.items[0]).toEqual({ key: 'img\u202e:1', error: 'not-found: tag \u202e\u2028\u0085 missing' });
  });
});
