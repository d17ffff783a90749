// The atcr-verify service's Kyverno endpoint as docs/compile-kyverno.md defines it, built
// from decision inputs: POST {"images": [...]} → {"results": {image: facts}}. Facts carry
// the normalized reference (or a parseError), the owner, and the kernel's signature facts
// verbatim, each with copies of `image` and `owner` for the per-signature projections.

import { parseImageRef } from '../../../src/ref/reference.js';
import type { AdmissionRequest, Service } from './kyverno-sim.js';

export interface ImageFacts {
  owner?: unknown;
  signatures: unknown[];
}

export function factsFor(image: string, known: ImageFacts | undefined): Record<string, unknown> {
  const ref = parseImageRef(image);
  if (!ref) return { parseError: `image reference ${JSON.stringify(image)} does not parse` };
  const owner = typeof known?.owner === 'string' ? known.owner : '';
  const signatures = (known?.signatures ?? []).map((s) =>
    s !== null && typeof s === 'object' && !Array.isArray(s) ? { ...s, image: ref, owner } : s,
  );
  return { parseError: '', image: ref, owner, signatures };
}

export const SERVICE_URL = 'https://atcr-verify.test.svc';

/** A service answering from a table of facts per image; every call is recorded. */
export function fakeService(table: Record<string, ImageFacts>, calls: unknown[] = []): Service {
  return (url, body) => {
    calls.push({ url, body });
    if (!url.startsWith(SERVICE_URL)) throw new Error(`unexpected service URL ${url}`);
    const images = body.images;
    if (!Array.isArray(images)) throw new Error('the request must carry an images array');
    const results: Record<string, unknown> = {};
    for (const image of images as string[]) results[image] = factsFor(image, table[image]);
    return { results };
  };
}

/** A Pod whose containers run the given images (the first in `containers`, the rest as init containers). */
export function podRequest(images: string[], operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest {
  const [first, ...rest] = images;
  return {
    operation,
    kind: 'Pod',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        containers: first === undefined ? [] : [{ name: 'c0', image: first }],
        ...(rest.length > 0 ? { initContainers: rest.map((image, i) => ({ name: `i${i}`, image })) } : {}),
      },
    },
  };
}
