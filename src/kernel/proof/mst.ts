// Step 7: walk the Merkle Search Tree from the commit's data root to one key. The path
// either ends at the key's record CID (inclusion) or at an empty subtree where the key
// would sit (exclusion: the record does not exist in this commit).

import { type Car, decodeCbor } from './car.js';
import { VerifyError } from './errors.js';
import { CID } from './ipld.js';

/** Deeper than any real tree (fanout 16, so ~2^256 keys); stops malicious chains. */
const MAX_DEPTH = 64;

function bad(message: string): never {
  throw new VerifyError('proof-invalid', `MST: ${message}`);
}

interface Entry {
  key: string;
  value: CID;
  right: CID | null;
}

function optionalCid(v: unknown, what: string): CID | null {
  if (v === null || v === undefined) return null;
  return CID.asCID(v) ?? bad(`${what} is not a CID`);
}

function readNode(car: Car, cid: CID): { left: CID | null; entries: Entry[] } {
  const bytes = car.blocks.get(cid.toString());
  if (!bytes) bad(`node ${cid.toString()} is missing from the proof`);
  const node = decodeCbor(bytes, 'MST node') as { l?: unknown; e?: unknown } | null;
  if (typeof node !== 'object' || node === null || !Array.isArray(node.e)) bad('node is not {l, e}');
  const entries: Entry[] = [];
  let prev = new Uint8Array(0);
  for (const raw of node.e as unknown[]) {
    const e = raw as { p?: unknown; k?: unknown; v?: unknown; t?: unknown } | null;
    if (typeof e !== 'object' || e === null) bad('entry is not a map');
    if (!Number.isInteger(e.p) || (e.p as number) < 0 || (e.p as number) > prev.length) bad('bad key prefix length');
    if (!(e.k instanceof Uint8Array)) bad('entry key is not bytes');
    const full = new Uint8Array((e.p as number) + e.k.length);
    full.set(prev.subarray(0, e.p as number));
    full.set(e.k, e.p as number);
    const value = CID.asCID(e.v) ?? bad('entry value is not a CID');
    entries.push({ key: Buffer.from(full).toString('latin1'), value, right: optionalCid(e.t, 'subtree') });
    prev = full;
  }
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]!.key >= entries[i]!.key) bad('keys out of order');
  return { left: optionalCid(node.l, 'left subtree'), entries };
}

/** The record CID stored under `key`, or null when the proof shows there is none. */
export function lookupKey(car: Car, root: CID, key: string): CID | null {
  let node: CID | null = root;
  for (let depth = 0; node; depth++) {
    if (depth > MAX_DEPTH) bad('tree deeper than any real repository');
    const { left, entries } = readNode(car, node);
    // The subtree between the last entry below `key` and the first above it.
    let next: CID | null = left;
    let found: CID | null = null;
    for (const e of entries) {
      if (e.key === key) {
        found = e.value;
        break;
      }
      if (e.key > key) break;
      next = e.right;
    }
    if (found) return found;
    node = next;
  }
  return null;
}
