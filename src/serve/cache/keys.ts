// Cache keys. Facts are per resolved digest (`registry/repo@sha256:…`): a tag can move,
// a digest cannot. Tag → digest resolutions are kept apart (`registry/repo:tag`) with
// their own, shorter lifetime.

import type { ImageRef } from '../../ref/reference.js';

/** `registry/repository@digest`. */
export function factsKey(registry: string, repository: string, digest: string): string {
  return `${registry}/${repository}@${digest}`;
}

/** `registry/repository:tag`. */
export function tagKey(registry: string, repository: string, tag: string): string {
  return `${registry}/${repository}:${tag}`;
}

/** The facts key when the reference names a digest (a digest wins over a tag), else null. */
export function factsKeyOf(ref: ImageRef): string | null {
  return ref.digest ? factsKey(ref.registry, ref.repository, ref.digest) : null;
}

/** The tag key of a tag-only reference, else null. */
export function tagKeyOf(ref: ImageRef): string | null {
  return ref.digest ? null : tagKey(ref.registry, ref.repository, ref.tag || 'latest');
}
