// The service's wire formats apart from HTTP: found by the kyverno-request fuzz target.
import { describe, expect, it } from 'vitest';
import { requestJson } from '../../src/serve/wire/body.js';
import { factsImages, factsResponse } from '../../src/serve/wire/kyverno.js';

describe("Kyverno's facts answer", () => {
  it('has an entry for every image sent, also one named __proto__ or constructor', () => {
    const images = factsImages(requestJson(Buffer.from('{"images": ["__proto__", "constructor", "toString"]}')), 10);
    const answer = JSON.parse(JSON.stringify(factsResponse(images, images.map(() => ({ ok: false, kind: 'not-found', message: 'no' }))))) as {
      results: Record<string, { parseError: string }>;
    };
    expect(Object.keys(answer.results)).toEqual(['__proto__', 'constructor', 'toString']);
    // By entries: `results.constructor` would type as Object's own property.
    const results = new Map(Object.entries(answer.results));
    // Each is denied by the invalid-image rule: a reference that does not parse, or no facts.
    expect(results.get('__proto__')?.parseError).toBe('image reference "__proto__" does not parse');
    expect(results.get('constructor')?.parseError).toBe('not-found: no');
  });
});
