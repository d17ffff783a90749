// Gatekeeper's external data wire format (integrations.md §1.1): ProviderRequest in,
// ProviderResponse out. Gatekeeper caches per-item answers — errors included — for its
// TTL (3 min by default) but never a systemError, so anything a retry could turn (an
// outage, a deadline) is a systemError for the whole request, and only definite answers
// (facts, an image that does not exist, a registry not allowed) are per-item.

import type { FactsResult } from '../facts.js';
import { isTransient } from '../facts.js';
import { escapeJson } from '../../text/escape.js';
import { BadRequest } from './errors.js';

export const API_VERSION = 'externaldata.gatekeeper.sh/v1beta1';

export interface ProviderItem {
  key: string;
  value?: unknown;
  error?: string;
}

export interface ProviderResponse {
  apiVersion: string;
  kind: 'ProviderResponse';
  response: { idempotent: boolean; items: ProviderItem[]; systemError: string };
}

/** The keys of a ProviderRequest, distinct, in order; BadRequest naming what is wrong. */
export function providerKeys(body: unknown, maxKeys: number): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body is not a ProviderRequest object');
  const b = body as Record<string, unknown>;
  if (b.kind !== undefined && b.kind !== 'ProviderRequest') throw new BadRequest(`kind must be ProviderRequest, not ${JSON.stringify(b.kind)}`);
  const request = b.request as Record<string, unknown> | undefined;
  const keys = request?.keys ?? [];
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new BadRequest('request.keys must be an array of strings');
  if (keys.length > maxKeys) throw new BadRequest(`${keys.length} keys in one request; the limit is ${maxKeys}`);
  return [...new Set(keys as string[])];
}

export function systemError(message: string): ProviderResponse {
  return { apiVersion: API_VERSION, kind: 'ProviderResponse', response: { idempotent: true, items: [], systemError: message } };
}

/**
 * The response for `keys` given each key's facts; `value` builds an item's value from
 * verified facts (the provider's facts, or the mutation's pinned reference).
 */
export function providerResponse(keys: string[], results: FactsResult[], value: (key: string, r: Extract<FactsResult, { ok: true }>) => unknown): ProviderResponse {
  const transient = results.map((r, i) => (isTransient(r) ? keys[i] : null)).filter((k): k is string => k !== null);
  if (transient.length > 0) {
    const why = results.find((r) => isTransient(r));
    const detail = !why ? '' : !why.ok ? why.message : why.facts.unavailable ? 'a service needed for a signature could not be reached' : 'the image owner could not be resolved';
    return systemError(`could not verify ${transient.length} of ${keys.length} images now (${detail}); retry`);
  }
  const items = keys.map((key, i) => providerItem(key, results[i]!, value));
  return { apiVersion: API_VERSION, kind: 'ProviderResponse', response: { idempotent: true, items, systemError: '' } };
}

function providerItem(key: string, r: FactsResult, value: ItemValue): ProviderItem {
  return r.ok ? { key, value: value(key, r), error: '' } : { key, error: `${r.kind}: ${r.message}` };
}

type ItemValue = (key: string, r: Extract<FactsResult, { ok: true }>) => unknown;

// The UTF-8 JSON of an item, per answer object and value builder: an answer from memory
// is the same object from request to request (FactService.peek), so its item is
// serialized, escaped and encoded once; a response is then a copy of bytes.
const itemBytes = new WeakMap<FactsResult, { key: string; value: ItemValue; bytes: Buffer }>();

function itemJson(key: string, r: FactsResult, value: ItemValue): Buffer {
  const known = itemBytes.get(r);
  if (known && known.key === key && known.value === value) return known.bytes;
  const bytes = Buffer.from(escapeJson(JSON.stringify(providerItem(key, r, value))));
  itemBytes.set(r, { key, value, bytes });
  return bytes;
}

const HEAD = Buffer.from(`{"apiVersion":${JSON.stringify(API_VERSION)},"kind":"ProviderResponse","response":{"idempotent":true,"items":[`);
const COMMA = Buffer.from(',');
const TAIL = Buffer.from('],"systemError":""}}');

/**
 * `providerResponse` as the bytes the service sends (`escapeJson(JSON.stringify(…))` in
 * UTF-8, byte for byte), assembled from remembered items: escaping applies per
 * character, and every item is a whole JSON value, so escaping the parts is escaping
 * the whole.
 */
export function providerResponseBytes(keys: string[], results: FactsResult[], value: ItemValue): Buffer {
  if (results.some(isTransient)) return Buffer.from(escapeJson(JSON.stringify(providerResponse(keys, results, value))));
  const parts: Buffer[] = [HEAD];
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(itemJson(keys[i]!, results[i]!, value));
  }
  parts.push(TAIL);
  return Buffer.concat(parts);
}

/** The provider's value (docs/compile-gatekeeper.md): the key, its digest, owner and signature facts. */
export function factsValue(key: string, r: Extract<FactsResult, { ok: true }>): unknown {
  return { image: key, digest: r.facts.digest, owner: r.facts.owner, signatures: r.facts.signatures };
}

/** The mutation's value: the reference pinned to the digest verified. */
export function pinnedValue(_key: string, r: Extract<FactsResult, { ok: true }>): unknown {
  return r.facts.pinned;
}
