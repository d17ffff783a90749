// Kyverno's apiCall.service contract (docs/compile-kyverno.md): POST {"images": [...]}
// → {"results": {image: facts}}. Every image sent gets an entry; one the service has no
// facts for (it does not parse, does not exist, its registry is not allowed) carries a
// non-empty `parseError`, which the `invalid-image` rule denies. Kyverno does not cache
// apiCall answers, so a transient failure is a 503: the rule errors and, with
// `failurePolicy: Fail`, the request is rejected for now and can be retried.

import { parseImageRef } from '../../ref/reference.js';
import { type FactsResult, isTransient } from '../facts.js';
import { BadRequest } from './errors.js';

export function factsImages(body: unknown, maxKeys: number): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body must be {"images": [...]}');
  const images = (body as Record<string, unknown>).images;
  if (!Array.isArray(images) || images.some((k) => typeof k !== 'string')) throw new BadRequest('images must be an array of strings');
  if (images.length > maxKeys) throw new BadRequest(`${images.length} images in one request; the limit is ${maxKeys}`);
  return [...new Set(images as string[])];
}

/** The first transient failure, if any: the whole answer is then a 503. */
export function transientFailure(results: FactsResult[]): string | null {
  const r = results.find(isTransient);
  if (!r) return null;
  if (!r.ok) return r.message;
  return r.facts.unavailable ? 'a service needed for a signature could not be reached' : 'the image owner could not be resolved';
}

export function factsEntry(image: string, r: FactsResult): Record<string, unknown> {
  const ref = parseImageRef(image);
  if (!ref) return { parseError: `image reference ${JSON.stringify(image)} does not parse` };
  if (!r.ok) return { parseError: `${r.kind}: ${r.message}` };
  const owner = r.facts.owner;
  // `image` and `owner` in every signature: JMESPath projections cannot reach outside.
  const signatures = r.facts.signatures.map((s) => ({ ...s, image: ref, owner }));
  return { parseError: '', image: ref, owner, signatures };
}

export function factsResponse(images: string[], results: FactsResult[]): { results: Record<string, unknown> } {
  // No prototype: an image named `__proto__` (or `constructor`) is an entry like any other,
  // not a write to the object's prototype that drops it from the answer.
  const out = Object.create(null) as Record<string, unknown>;
  images.forEach((image, i) => {
    out[image] = factsEntry(image, results[i]!);
  });
  return { results: out };
}
