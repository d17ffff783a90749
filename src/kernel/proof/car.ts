// A strict CAR v1 reader for record proofs. Every block's CID is recomputed from its
// bytes here, before anything reads the block, so later stages can trust the map.

import { createHash } from 'node:crypto';
import { CID, decodeCborRaw } from './ipld.js';
import { VerifyError } from './errors.js';

/** getRecord answers larger than this are refused (signature-format.md step 5). */
export const MAX_CAR_BYTES = 1024 * 1024;

const SHA2_256 = 0x12;
const DAG_CBOR = 0x71;
const RAW = 0x55;

export interface Car {
  root: CID;
  /** Block bytes by CID string; each verified against its CID. */
  blocks: Map<string, Uint8Array>;
}

function bad(message: string): never {
  throw new VerifyError('proof-invalid', `CAR: ${message}`);
}

/** Reads an unsigned LEB128 varint; small enough bounds that a number is exact. */
function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = pos; i < bytes.length && i < pos + 5; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  return bad('truncated or oversized varint');
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Decodes DAG-CBOR, turning any decoder failure into `proof-invalid`. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decodeCborRaw(bytes);
  } catch (err) {
    return bad(`${what} is not DAG-CBOR (${err instanceof Error ? err.message : String(err)})`);
  }
}

export function parseCar(bytes: Uint8Array): Car {
  if (bytes.length > MAX_CAR_BYTES) {
    throw new VerifyError('proof-unavailable', `CAR of ${bytes.length} bytes exceeds ${MAX_CAR_BYTES}`);
  }
  const [headerLen, headerStart] = readVarint(bytes, 0);
  if (headerLen === 0 || headerStart + headerLen > bytes.length) bad('header length out of range');
  const header = decodeCbor(bytes.subarray(headerStart, headerStart + headerLen), 'header');
  if (typeof header !== 'object' || header === null) bad('header is not a map');
  const { version, roots } = header as { version?: unknown; roots?: unknown };
  if (version !== 1) bad('version is not 1');
  if (!Array.isArray(roots) || roots.length !== 1) bad('expected exactly one root');
  const root = CID.asCID(roots[0]);
  if (!root) bad('root is not a CID');

  const blocks = new Map<string, Uint8Array>();
  let pos = headerStart + headerLen;
  while (pos < bytes.length) {
    const [len, start] = readVarint(bytes, pos);
    const end = start + len;
    if (len === 0 || end > bytes.length) bad('block length out of range');
    let cid: CID;
    let rest: Uint8Array;
    try {
      [cid, rest] = CID.decodeFirst(bytes.subarray(start, end));
    } catch {
      return bad('block CID does not parse');
    }
    if (cid.version !== 1) bad('block CID is not version 1');
    if (cid.code !== DAG_CBOR && cid.code !== RAW) bad(`block codec 0x${cid.code.toString(16)} not allowed`);
    if (cid.multihash.code !== SHA2_256) bad('block hash is not sha2-256');
    if (!equalBytes(sha256(rest), cid.multihash.digest)) bad(`block ${cid.toString()} does not match its CID`);
    blocks.set(cid.toString(), rest);
    pos = end;
  }
  return { root, blocks };
}
