// The image owner (signature-format.md "Owner"): on registries that put the owner in the
// first path segment, that segment resolved to a DID; elsewhere "".

import { DidResolver } from '../atproto/did-resolver.js';
import { type HandleResolverOptions, resolveHandle } from '../atproto/handle.js';
import { isDid } from '../proof/payload.js';
import type { ImageRef } from '../../ref/reference.js';

export const DEFAULT_OWNER_REGISTRIES = ['atcr.io'];

export function isOwnerRegistry(ref: ImageRef, ownerRegistries: string[]): boolean {
  return ownerRegistries.includes(ref.registry) && ref.repository.includes('/');
}

/** The repository a record must name: without the owner segment on owner registries. */
export function recordRepository(ref: ImageRef, ownerRegistries: string[]): string {
  return isOwnerRegistry(ref, ownerRegistries) ? ref.repository.slice(ref.repository.indexOf('/') + 1) : ref.repository;
}

export interface OwnerResult {
  owner: string;
  /** Why the owner is "" where one was expected. */
  note?: string;
}

export async function resolveOwner(
  ref: ImageRef,
  ownerRegistries: string[],
  dids: DidResolver | null,
  handles: HandleResolverOptions,
): Promise<OwnerResult> {
  if (!isOwnerRegistry(ref, ownerRegistries)) return { owner: '' };
  const segment = ref.repository.slice(0, ref.repository.indexOf('/'));
  if (isDid(segment)) return { owner: segment };
  if (!dids) return { owner: '', note: `owner handle ${segment} cannot be resolved offline` };
  try {
    return { owner: await resolveHandle(segment, dids, handles) };
  } catch (err) {
    return { owner: '', note: `owner ${segment} not resolved: ${err instanceof Error ? err.message : String(err)}` };
  }
}
