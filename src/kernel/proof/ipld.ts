// Typed access to DAG-CBOR and CIDs. multiformats 9 and @ipld/dag-cbor 7 (the versions
// @atproto/repo uses) publish types only through `typesVersions`, which NodeNext
// resolution ignores, so they are loaded here once with the shapes the kernel relies on.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface CID {
  readonly version: number;
  readonly code: number;
  readonly multihash: { readonly code: number; readonly digest: Uint8Array };
  readonly bytes: Uint8Array;
  toString(): string;
  equals(other: unknown): boolean;
}

interface CIDStatic {
  asCID(value: unknown): CID | null;
  decodeFirst(bytes: Uint8Array): [CID, Uint8Array];
  parse(text: string): CID;
}

export const CID = (require('multiformats/cid') as { CID: CIDStatic }).CID;

const dagCbor = require('@ipld/dag-cbor') as { encode(value: unknown): Uint8Array; decode(bytes: Uint8Array): unknown };

export const encodeCbor: (value: unknown) => Uint8Array = (v) => dagCbor.encode(v);
export const decodeCborRaw: (bytes: Uint8Array) => unknown = (b) => dagCbor.decode(b);
