// Step 6: the CAR's root is a v3 commit by the signer, signed by the DID document key.

// The key and the ECDSA check come from crypto directly: kernel/atproto imports proof, so
// proof must not import atproto (no cycle).
import { type PublicKey as AtprotoKey, verifyWithKey as verifySignature } from '../crypto/index.js';
import { type Car, decodeCbor } from './car.js';
import { VerifyError } from './errors.js';
import { CID, encodeCbor } from './ipld.js';

export interface Commit {
  cid: string;
  did: string;
  rev: string;
  data: CID;
}

function invalid(message: string): never {
  throw new VerifyError('commit-signature-invalid', message);
}

/** Decodes and checks the root commit's shape; no signature check yet. */
export function readCommit(car: Car): { commit: Commit; unsigned: Record<string, unknown>; sig: Uint8Array } {
  const bytes = car.blocks.get(car.root.toString());
  if (!bytes) throw new VerifyError('proof-invalid', 'the CAR lacks its root block');
  const obj = decodeCbor(bytes, 'commit');
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) invalid('root block is not a commit object');
  const { sig, ...unsigned } = obj as Record<string, unknown>;
  const { did, version, data, rev, prev } = unsigned;
  if (version !== 3) invalid(`commit version ${String(version)} is not 3`);
  if (typeof did !== 'string' || typeof rev !== 'string') invalid('commit lacks did or rev');
  const dataCid = CID.asCID(data);
  if (!dataCid) invalid('commit data is not a CID');
  if (prev !== null && prev !== undefined && !CID.asCID(prev)) invalid('commit prev is not a CID');
  if (!(sig instanceof Uint8Array)) invalid('commit has no signature bytes');
  return { commit: { cid: car.root.toString(), did, rev, data: dataCid }, unsigned, sig };
}

export async function verifyCommit(car: Car, did: string, key: AtprotoKey): Promise<Commit> {
  const { commit, unsigned, sig } = readCommit(car);
  if (commit.did !== did) invalid(`commit is by ${commit.did}, not ${did}`);
  // The signature covers the DAG-CBOR of the commit without `sig`, re-encoded canonically.
  const ok = verifySignature(key, encodeCbor(unsigned), sig);
  if (!ok) invalid(`commit ${commit.cid} is not signed by the #atproto key of ${did}`);
  return commit;
}
