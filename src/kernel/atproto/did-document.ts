// A DID document, checked once at the boundary (step 4): the verifier past this point
// reads only the normalised form.

import { VerifyError } from '../proof/errors.js';
import { parseJsonObject } from '../proof/json.js';
import { type AtprotoKey, keyFromMethod } from './keys.js';

export const MAX_DID_DOCUMENT_BYTES = 64 * 1024;

export interface DidDocument {
  did: string;
  /** The first `at://` entry of `alsoKnownAs`, without the scheme; unverified. */
  handle?: string;
  alsoKnownAs: string[];
  pds: string;
  key: AtprotoKey;
  keyId: string;
}

function invalid(message: string): never {
  throw new VerifyError('did-document-invalid', message);
}

function isFragment(id: unknown, did: string, fragment: string): boolean {
  return id === `#${fragment}` || id === `${did}#${fragment}`;
}

function readKey(method: Record<string, unknown>): AtprotoKey {
  try {
    return keyFromMethod(method);
  } catch (err) {
    return invalid(`#atproto key does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readPds(service: unknown[], did: string): string {
  const entry = service.find(
    (s) => typeof s === 'object' && s !== null && isFragment((s as Record<string, unknown>).id, did, 'atproto_pds'),
  ) as Record<string, unknown> | undefined;
  if (!entry) invalid('no #atproto_pds service');
  if (entry.type !== 'AtprotoPersonalDataServer') invalid('#atproto_pds service has the wrong type');
  const endpoint = entry.serviceEndpoint;
  if (typeof endpoint !== 'string') invalid('#atproto_pds serviceEndpoint is not a string');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return invalid('#atproto_pds serviceEndpoint is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    invalid('#atproto_pds serviceEndpoint is not a plain http(s) origin');
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Parses document bytes for `did`; every problem is `did-document-invalid`. */
export function parseDidDocument(bytes: Uint8Array, did: string): DidDocument {
  if (bytes.length > MAX_DID_DOCUMENT_BYTES) invalid(`DID document of ${bytes.length} bytes exceeds 64 KiB`);
  return readDidDocument(parseJsonObject(bytes, 'did-document-invalid', 'DID document'), did);
}

export function readDidDocument(doc: unknown, did: string): DidDocument {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) invalid('DID document is not an object');
  const d = doc as Record<string, unknown>;
  if (d.id !== did) invalid(`DID document id is not ${did}`);
  const aka = d.alsoKnownAs ?? [];
  if (!Array.isArray(aka) || !aka.every((a) => typeof a === 'string')) invalid('alsoKnownAs is not a list of strings');
  const methods = d.verificationMethod ?? [];
  if (!Array.isArray(methods)) invalid('verificationMethod is not a list');
  const method = methods.find(
    (m) => typeof m === 'object' && m !== null && isFragment((m as Record<string, unknown>).id, did, 'atproto'),
  ) as Record<string, unknown> | undefined;
  if (!method) invalid('no #atproto verification method');
  const key = readKey(method);
  const service = d.service ?? [];
  if (!Array.isArray(service)) invalid('service is not a list');
  const pds = readPds(service, did);
  const handleEntry = (aka as string[]).find((a) => a.startsWith('at://'));
  return {
    did,
    handle: handleEntry ? handleEntry.slice('at://'.length).toLowerCase() : undefined,
    alsoKnownAs: aka as string[],
    pds,
    key,
    keyId: `${did}#atproto`,
  };
}
