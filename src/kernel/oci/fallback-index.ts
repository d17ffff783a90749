// Adding a referrer to the tag-schema index (`sha256-<hex>`) of a registry without the
// referrers API. Each client maintains that index itself, so concurrent signers race:
// the write is conditional (If-Match on the ETag read, If-None-Match when creating) where
// the registry honours it, and because some registries ignore conditions, the writer
// re-reads until it has seen its entry survive several reads in a row, merging again
// whenever another writer's index replaced it. Entries are only ever added, never
// dropped, so every writer's merge keeps the others'. The reads are spaced by at least
// two measured read-and-write cycles, so a rival that read before our write and writes
// after it does so inside our confirmation window even on a slow registry.

import type { RegistryClient } from './client.js';
import { fallbackTag } from './digest.js';
import { OciError } from './errors.js';
import { MEDIA, type Descriptor } from './media.js';

export interface FallbackIndexOptions {
  /** Writes attempted before giving up with 'conflict'. */
  maxWrites?: number;
  /** Consecutive reads that must show our entry before we stop. */
  confirmations?: number;
  /** Upper bound of the random pause between reads, in ms. */
  jitterMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function buildIndex(previous: Uint8Array | undefined, manifests: Descriptor[]): Uint8Array {
  // Keep whatever else the previous writer put in the index (annotations, extensions).
  let base: Record<string, unknown> = {};
  if (previous) {
    try {
      const parsed = JSON.parse(Buffer.from(previous).toString('utf8')) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) base = parsed as Record<string, unknown>;
    } catch {
      base = {};
    }
  }
  return new TextEncoder().encode(JSON.stringify({ ...base, schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests }));
}

/** Ensures `descriptor` is listed in the fallback index of `subject`; returns the number of writes made. */
/** A 5xx while another writer replaces the same tag (distribution's storage is not atomic). */
function isTransient(e: unknown): boolean {
  return e instanceof OciError && e.code === 'registry-error' && (e.status ?? 0) >= 500;
}

/** Reads the index, riding out a few transient 5xx answers from a concurrent write. */
async function readIndex(client: RegistryClient, subject: string, jitterMs: number) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.getFallbackIndex(subject);
    } catch (e) {
      if (!isTransient(e) || attempt >= 5) throw e;
      await pause((attempt + Math.random()) * jitterMs);
    }
  }
}

export async function addToFallbackIndex(
  client: RegistryClient,
  subject: string,
  descriptor: Descriptor,
  options: FallbackIndexOptions = {},
): Promise<number> {
  const maxWrites = options.maxWrites ?? 10;
  const confirmations = options.confirmations ?? 3;
  const jitterMs = options.jitterMs ?? 60;
  const tag = fallbackTag(subject);
  let writes = 0;
  let seen = 0;
  let cycleMs = 0;
  for (;;) {
    const started = performance.now();
    const current = await readIndex(client, subject, jitterMs);
    const entries = current?.manifest.manifests ?? [];
    if (entries.some((d) => d.digest === descriptor.digest)) {
      if (++seen >= confirmations) return writes;
      await pause(Math.max(2 * cycleMs, Math.random() * jitterMs));
      continue;
    }
    seen = 0;
    if (writes >= maxWrites) throw new OciError('conflict', `could not add ${descriptor.digest} to ${tag} after ${writes} writes`);
    writes++;
    const bytes = buildIndex(current?.bytes, [...entries, descriptor]);
    try {
      await client.putManifest(tag, bytes, MEDIA.ociIndex, current?.etag ? { ifMatch: current.etag } : current ? {} : { ifNoneMatch: '*' });
    } catch (e) {
      // A lost race shows as a conflict, or on registries without conditional writes as a
      // transient 5xx; either way the loop re-reads and merges again (bounded by maxWrites).
      if (!(e instanceof OciError && (e.code === 'conflict' || isTransient(e)))) throw e;
    }
    cycleMs = Math.min(2000, performance.now() - started);
    await pause(Math.random() * jitterMs);
  }
}
