// Steps 6 and 7 together: a getRecord CAR proves what one record key holds in the
// signer's current signed commit. Pure: bytes and a key in, a verified record out.

import type { PublicKey as AtprotoKey } from '../crypto/index.js';
import { type Car, decodeCbor, parseCar } from './car.js';
import { type Commit, verifyCommit } from './commit.js';
import { VerifyError } from './errors.js';
import { lookupKey } from './mst.js';
import { parseInstant } from '../../ir/time.js';

export const MANIFEST_COLLECTION = 'io.atcr.manifest';

export interface ManifestRecord {
  repository: string;
  digest: string;
  mediaType: string;
  schemaVersion: number;
  createdAt: string;
}

export interface ProvenRecord {
  commitCid: string;
  commitRev: string;
  recordCid: string;
  record: ManifestRecord;
}


/** The record's required fields (signature-format.md "The record"); others are ignored. */
export function readManifestRecord(value: unknown): ManifestRecord {
  const r = value as Record<string, unknown> | null;
  const fail = (what: string): never => {
    throw new VerifyError('proof-invalid', `the proven record is not an io.atcr.manifest: ${what}`);
  };
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return fail('not an object');
  if (typeof r.repository !== 'string') fail('repository is not a string');
  if (typeof r.digest !== 'string') fail('digest is not a string');
  if (typeof r.mediaType !== 'string') fail('mediaType is not a string');
  if (!Number.isInteger(r.schemaVersion)) fail('schemaVersion is not an integer');
  if (typeof r.createdAt !== 'string' || !parseInstant(r.createdAt)) {
    fail('createdAt is not a datetime');
  }
  return {
    repository: r.repository as string,
    digest: r.digest as string,
    mediaType: r.mediaType as string,
    schemaVersion: r.schemaVersion as number,
    createdAt: r.createdAt as string,
  };
}

/** Step 6: the CAR parses, every block matches its CID, and the root commit is the signer's, signed. */
export async function verifyProofCommit(carBytes: Uint8Array, did: string, key: AtprotoKey): Promise<{ car: Car; commit: Commit }> {
  const car = parseCar(carBytes);
  return { car, commit: await verifyCommit(car, did, key) };
}

/** Step 7: the MST path from the signed commit proves `io.atcr.manifest/<rkey>` and its record. */
export function proveRecord(car: Car, commit: Commit, rkey: string): ProvenRecord {
  const path = `${MANIFEST_COLLECTION}/${rkey}`;
  const recordCid = lookupKey(car, commit.data, path);
  if (!recordCid) {
    throw new VerifyError('record-deleted', `commit ${commit.rev} proves ${path} no longer exists: the signer revoked it`);
  }
  const bytes = car.blocks.get(recordCid.toString());
  if (!bytes) throw new VerifyError('proof-invalid', `record block ${recordCid.toString()} is missing from the proof`);
  const record = readManifestRecord(decodeCbor(bytes, 'record'));
  return { commitCid: commit.cid, commitRev: commit.rev, recordCid: recordCid.toString(), record };
}

export async function verifyRecordProof(
  carBytes: Uint8Array,
  did: string,
  key: AtprotoKey,
  rkey: string,
): Promise<ProvenRecord> {
  const { car, commit } = await verifyProofCommit(carBytes, did, key);
  return proveRecord(car, commit, rkey);
}
