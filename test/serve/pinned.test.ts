// What the mutate endpoint pins an image to: the reference as the policy judged it (tag
// kept, normalized) with the digest verified, and a pinned reference unchanged.

import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/ref/reference.js';
import { pinnedRef } from '../../src/serve/facts.js';

const D = `sha256:${'ab'.repeat(32)}`;
const pin = (image: string) => pinnedRef(parseImageRef(image)!, D);

describe('pinnedRef', () => {
  it('keeps the tag, so a policy on the tag decides the pinned reference alike', () => {
    expect(pin('nginx:1.25')).toBe(`docker.io/library/nginx:1.25@${D}`);
    expect(pin('atcr.io/acme/prod-api:latest')).toBe(`atcr.io/acme/prod-api:latest@${D}`);
  });

  it('writes the implied latest tag that the policy judged', () => {
    expect(pin('127.0.0.1:5000/alice/app')).toBe(`127.0.0.1:5000/alice/app:latest@${D}`);
  });

  it('leaves a pinned reference as written (normalized): pinning is idempotent', () => {
    expect(pin(`nginx@${D}`)).toBe(`docker.io/library/nginx@${D}`);
    expect(pin(pin('nginx:1.25'))).toBe(pin('nginx:1.25'));
    expect(pin(`ghcr.io/o/r:v1@${D}`)).toBe(`ghcr.io/o/r:v1@${D}`);
  });
});
