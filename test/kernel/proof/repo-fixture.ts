// Real record proofs made in memory with @atproto/repo: a signed repository holding
// io.atcr.manifest records, and the getRecord CAR for one key.

import * as acrypto from '@atproto/crypto';
import { MemoryBlockstore, Repo, WriteOpAction, getRecords } from '@atproto/repo';
import { encodeCbor } from '../../../src/kernel/proof/ipld.js';

export const DID = 'did:plc:abcdefghijklmnopqrstuvwx';
export const IMAGE = `sha256:${'ab'.repeat(32)}`;

export function manifestRecord(digest = IMAGE, repository = 'alice/app') {
  return {
    $type: 'io.atcr.manifest',
    repository,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    schemaVersion: 2,
    createdAt: '2026-11-20T08:00:00.000Z',
  };
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

export interface Fixture {
  keypair: acrypto.Secp256k1Keypair | acrypto.P256Keypair;
  didKey: string;
  repo: Repo;
  storage: MemoryBlockstore;
  proof(rkey: string): Promise<Uint8Array>;
}

/** A repository with `count` filler records plus the given manifest records. */
export async function makeRepo(
  records: Record<string, Record<string, unknown>>,
  opts: { p256?: boolean; filler?: number; did?: string } = {},
): Promise<Fixture> {
  const keypair = opts.p256 ? await acrypto.P256Keypair.create() : await acrypto.Secp256k1Keypair.create();
  const storage = new MemoryBlockstore();
  const writes = [
    ...Object.entries(records).map(([rkey, record]) => ({
      action: WriteOpAction.Create as const,
      collection: 'io.atcr.manifest',
      rkey,
      record,
    })),
    ...Array.from({ length: opts.filler ?? 40 }, (_, i) => ({
      action: WriteOpAction.Create as const,
      collection: 'app.bsky.feed.post',
      rkey: `3k${String(i).padStart(11, 'a')}`,
      record: { text: `post ${i}`, createdAt: '2026-11-20T08:00:00.000Z' },
    })),
  ];
  const repo = await Repo.create(storage, opts.did ?? DID, keypair, writes);
  return {
    keypair,
    didKey: keypair.did(),
    repo,
    storage,
    proof: (rkey) => collect(getRecords(storage, repo.cid, [{ collection: 'io.atcr.manifest', rkey }])),
  };
}

export function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** A CAR from parts (root, then [CID bytes, block bytes]), so tests can write what a PDS never would. */
export function writeCar(root: unknown, blocks: [Uint8Array, Uint8Array][]): Uint8Array {
  const header = encodeCbor({ version: 1, roots: [root] });
  const parts = [varint(header.length), Buffer.from(header)];
  for (const [cid, bytes] of blocks) parts.push(varint(cid.length + bytes.length), Buffer.from(cid), Buffer.from(bytes));
  return new Uint8Array(Buffer.concat(parts));
}
