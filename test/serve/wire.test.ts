// The service's wire formats apart from HTTP.
import { describe, expect, it } from 'vitest';
import { requestJson } from '../../src/serve/wire/body.js';
import { factsImages, factsResponse, transientFailure } from '../../src/serve/wire/kyverno.js';
import { providerResponse } from '../../src/serve/wire/gatekeeper.js';
import type { FactsResult } from '../../src/serve/facts.js';

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

describe('an owner that could not be asked for', () => {
  const facts = (valid: boolean, ownerUnavailable: boolean): FactsResult => ({
    ok: true,
    facts: {
      digest: 'sha256:' + '2'.repeat(64),
      owner: '',
      signatures: [valid ? { valid: true, did: 'did:plc:a', signedAt: '2026-11-30T00:00:00Z' } : { valid: false, did: 'did:plc:a', error: { code: 'signature-invalid', message: 'bad' } }] as never,
      verified: valid,
      unavailable: false,
      ...(ownerUnavailable ? { ownerUnavailable: true as const } : {}),
      offline: false,
      notes: [],
      pinned: '',
    },
  });
  const gatekeeper = (r: FactsResult) => providerResponse(['atcr.io/alice.test/app:1'], [r], () => 'value').response;

  it('with a valid signature: retry (systemError, 503), never a cacheable answer', () => {
    expect(gatekeeper(facts(true, true))).toMatchObject({ items: [], systemError: 'could not verify 1 of 1 images now (the image owner could not be resolved); retry' });
    expect(transientFailure([facts(true, true)])).toBe('the image owner could not be resolved');
  });

  it('with no valid signature, or the owner known to be none: the facts, as a definite answer', () => {
    for (const r of [facts(false, true), facts(true, false)]) {
      expect(gatekeeper(r)).toMatchObject({ items: [{ key: 'atcr.io/alice.test/app:1', value: 'value', error: '' }], systemError: '' });
      expect(transientFailure([r])).toBeNull();
    }
  });
});
