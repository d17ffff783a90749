// The memory tier's form of cached facts. Most of an entry's heap was its signatures: per
// signature a 12-field object and five strings unique to the image (signedAt, the record
// URI, the record and commit CIDs, the commit revision), each with its own V8 header. Here
// the part a signer repeats across images (DID, handle, PDS, key, the record URI up to its
// rkey, the key order) is one shared `Signer`, and the unique strings of all signatures are
// one string per entry. `unpack` rebuilds exactly the facts `pack` was given: same values,
// same key order (the JSON a client sees), frozen. Facts this form cannot hold exactly (an
// error, a digest other than the image's, an unknown field, a value containing the
// separator) stay as they are.

import type { SignatureFact } from '../../ir/decision.js';
import type { CacheableFacts } from './facts.js';

/** Separates the unique strings; a value containing it is not packed. */
const SEP = '\u0000';

// The unique fields, in the order they are packed; bit i of `Signer.unique` says field i is present.
const UNIQUE = { signedAt: 1, recordUri: 2, recordCid: 4, commitCid: 8, commitRev: 16 } as const;
// Own keys only: a field named like an Object.prototype member is not a unique field.
const bitOf = (k: string): number | undefined => (Object.hasOwn(UNIQUE, k) ? (UNIQUE as Readonly<Record<string, number>>)[k] : undefined);
const SHARED = new Set(['valid', 'did', 'handle', 'pds', 'algorithm', 'keyId']);

/** What one signer's signatures share: the facts with the unique fields left blank. */
interface Signer {
  /** The signature's keys in order and its shared values; unique fields hold "". */
  readonly proto: Readonly<SignatureFact>;
  /** Which unique fields are present (bits above). */
  readonly unique: number;
  /** Whether `digest` is present (it is then the image's digest). */
  readonly digest: boolean;
  /** The record URI up to and including its last "/": the rest is packed. */
  readonly uriPrefix: string;
}

/** An entry of the memory tier in packed form. */
export class PackedFacts {
  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly digest: string,
    readonly owner: string,
    readonly verified: boolean,
    readonly notes: readonly string[],
    readonly signers: readonly Signer[],
    readonly packed: string,
  ) {}
  /** The facts as last unpacked, while this entry is among an `Unpacker`'s recent ones. */
  unpacked: CacheableFacts | null = null;
}

export type StoredFacts = CacheableFacts | PackedFacts;

// Signers shared across entries; bounded like intern.ts: when full the table starts over,
// and entries keep the signers they hold.
const MAX_SIGNERS = 20_000;
let signers = new Map<string, Signer>();

function signerOf(s: Readonly<SignatureFact>, uriPrefix: string): Signer | null {
  let unique = 0;
  let digest = false;
  const proto: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    const bit = bitOf(k);
    if (bit !== undefined) {
      if (typeof v !== 'string') return null;
      unique |= bit;
      proto[k] = '';
    } else if (k === 'digest') {
      digest = true;
      proto[k] = '';
    } else if (SHARED.has(k) && (typeof v === 'string' || (k === 'valid' && typeof v === 'boolean'))) {
      proto[k] = v;
    } else {
      return null;
    }
  }
  // JSON keeps key order and cannot confuse two different signers, whatever their strings hold.
  const id = JSON.stringify([uriPrefix, proto]);
  const hit = signers.get(id);
  if (hit !== undefined) return hit;
  if (signers.size >= MAX_SIGNERS) signers = new Map();
  // Frozen: V8 then clones it into an object whose freezing is cheap (a hit is ~1 µs faster).
  const signer: Signer = { proto: Object.freeze(proto) as unknown as SignatureFact, unique, digest, uriPrefix };
  signers.set(id, signer);
  return signer;
}

const hasSep = (v: string | undefined) => v !== undefined && v.includes(SEP);

/** The packed form of `f`, or `f` itself when it cannot be packed exactly. */
export function pack(f: CacheableFacts): StoredFacts {
  if (f.signatures.length === 0) return f;
  const held: Signer[] = [];
  const parts: string[] = [];
  for (const s of f.signatures) {
    if (s.digest !== undefined && s.digest !== f.digest) return f;
    if (hasSep(s.signedAt) || hasSep(s.recordUri) || hasSep(s.recordCid) || hasSep(s.commitCid) || hasSep(s.commitRev)) return f;
    const uri = s.recordUri;
    const cut = uri === undefined ? 0 : uri.lastIndexOf('/') + 1;
    const signer = signerOf(s, uri === undefined ? '' : uri.slice(0, cut));
    if (signer === null) return f;
    held.push(signer);
    if (signer.unique & UNIQUE.signedAt) parts.push(s.signedAt!);
    if (signer.unique & UNIQUE.recordUri) parts.push(uri!.slice(cut));
    if (signer.unique & UNIQUE.recordCid) parts.push(s.recordCid!);
    if (signer.unique & UNIQUE.commitCid) parts.push(s.commitCid!);
    if (signer.unique & UNIQUE.commitRev) parts.push(s.commitRev!);
  }
  // One trailing separator per field; join builds a flat string that holds on to none of the parts.
  parts.push('');
  // A copy of exactly its length: a pushed-to array keeps room for 16 more (≈ 150 bytes an entry).
  return new PackedFacts(f.registry, f.repository, f.digest, f.owner, f.verified, f.notes, held.slice(), parts.join(SEP));
}

/** The facts `pack` was given. */
export function unpack(stored: StoredFacts): CacheableFacts {
  if (!(stored instanceof PackedFacts)) return stored;
  const f = stored;
  const { signers: held, packed } = stored;
  const signatures: Readonly<SignatureFact>[] = [];
  let at = 0;
  // Each field's end is the next separator; the fields present are the signer's bits, in order.
  const next = (): string => {
    const end = packed.indexOf(SEP, at);
    const v = packed.slice(at, end);
    at = end + 1;
    return v;
  };
  for (const signer of held) {
    // A clone of the prototype keeps its key order; assigning existing keys keeps its shape.
    const s: SignatureFact = { ...signer.proto };
    const u = signer.unique;
    if (u & UNIQUE.signedAt) s.signedAt = next();
    if (u & UNIQUE.recordUri) s.recordUri = signer.uriPrefix + next();
    if (u & UNIQUE.recordCid) s.recordCid = next();
    if (u & UNIQUE.commitCid) s.commitCid = next();
    if (u & UNIQUE.commitRev) s.commitRev = next();
    if (signer.digest) s.digest = f.digest;
    signatures.push(Object.freeze(s));
  }
  return Object.freeze({
    registry: f.registry,
    repository: f.repository,
    digest: f.digest,
    owner: f.owner,
    verified: f.verified,
    signatures: Object.freeze(signatures),
    notes: f.notes,
  }) as CacheableFacts;
}

/**
 * Unpacks with the same object for a recently unpacked entry, for as long as it stays
 * among the last `capacity` unpacked: the server's remembered answers (serve/facts.ts)
 * hold while the memory tier answers the same object, so the hot set must keep its identity.
 * Recency is first in, first out: a hot entry pushed out is unpacked once more.
 */
export class Unpacker {
  private readonly ring: (PackedFacts | null)[];
  private next = 0;

  constructor(capacity: number) {
    this.ring = new Array<PackedFacts | null>(capacity).fill(null);
  }

  facts(stored: StoredFacts): CacheableFacts {
    if (!(stored instanceof PackedFacts)) return stored;
    if (stored.unpacked !== null) return stored.unpacked;
    const out = this.ring[this.next];
    if (out) out.unpacked = null;
    this.ring[this.next] = stored;
    this.next = (this.next + 1) % this.ring.length;
    return (stored.unpacked = unpack(stored));
  }
}
