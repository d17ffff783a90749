// Step 2: the signature payload blob. Only `subject`, `atproto.did` and
// `atproto.record.uri` steer verification; the rest are hints kept for display.

import { matchesDigest } from '../oci/digest.js';
import type { PayloadDescriptor } from './artifact.js';
import { VerifyError } from './errors.js';
import { parseJsonObject } from './json.js';
import { MANIFEST_COLLECTION } from './record-proof.js';

export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface Payload {
  subjectDigest: string;
  subjectRepository: string;
  did: string;
  recordUri: string;
  /** The DID named in the record URI; step 5 requires it to be `did`. */
  recordDid: string;
  rkey: string;
  hints: { handle?: string; pds?: string; signedAt?: string };
}

const DID = /^did:(plc:[a-z2-7]{24}|web:[a-zA-Z0-9.%:-]+)$/;
// Record keys: 1-512 chars of the record-key charset, never "." or "..".
const RKEY = /^[A-Za-z0-9._~:-]{1,512}$/;

function invalid(message: string): never {
  throw new VerifyError('payload-invalid', message);
}

function optString(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') invalid(`${what} is not a string`);
  return v;
}

export function isDid(value: string): boolean {
  return DID.test(value);
}

/** Splits `at://<did>/io.atcr.manifest/<rkey>`. */
export function parseRecordUri(uri: string): { did: string; rkey: string } {
  const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
  if (!m) invalid(`record URI ${JSON.stringify(uri)} is not at://<did>/<collection>/<rkey>`);
  const [, did, collection, rkey] = m;
  if (!isDid(did!)) invalid('record URI does not name a DID');
  if (collection !== MANIFEST_COLLECTION) invalid(`record URI collection is not ${MANIFEST_COLLECTION}`);
  if (!RKEY.test(rkey!) || rkey === '.' || rkey === '..') invalid('record URI rkey is malformed');
  return { did: did!, rkey: rkey! };
}

export function parsePayload(bytes: Uint8Array, descriptor?: PayloadDescriptor): Payload {
  if (bytes.length > MAX_PAYLOAD_BYTES) invalid(`payload of ${bytes.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  if (descriptor) {
    if (bytes.length !== descriptor.size) invalid(`payload is ${bytes.length} bytes, descriptor says ${descriptor.size}`);
    if (!matchesDigest(bytes, descriptor.digest)) invalid(`payload bytes do not hash to ${descriptor.digest}`);
  }
  const p = parseJsonObject(bytes, 'payload-invalid', 'payload');
  if (p.$type !== 'io.atcr.signature') invalid('payload $type is not io.atcr.signature');
  if (p.version !== 1) invalid('payload version is not 1');
  const subject = p.subject as Record<string, unknown> | null;
  if (typeof subject !== 'object' || subject === null) invalid('payload has no subject');
  if (typeof subject.digest !== 'string') invalid('payload subject.digest is not a string');
  if (typeof subject.repository !== 'string') invalid('payload subject.repository is not a string');
  const at = p.atproto as Record<string, unknown> | null;
  if (typeof at !== 'object' || at === null) invalid('payload has no atproto section');
  if (typeof at.did !== 'string' || !isDid(at.did)) invalid('payload atproto.did is not a did:plc or did:web');
  const record = at.record as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || typeof record.uri !== 'string') {
    invalid('payload atproto.record.uri is missing');
  }
  const { did: recordDid, rkey } = parseRecordUri(record.uri);
  return {
    subjectDigest: subject.digest,
    subjectRepository: subject.repository,
    did: at.did,
    recordUri: record.uri,
    recordDid,
    rkey,
    hints: {
      handle: optString(at.handle, 'atproto.handle'),
      pds: optString(at.pds, 'atproto.pds'),
      signedAt: optString(p.signedAt, 'signedAt'),
    },
  };
}
