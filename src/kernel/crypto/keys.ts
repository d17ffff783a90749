// ATProto public keys (did:key, Multikey, and the legacy DID document key types) parsed
// once into a Node KeyObject. Both curves arrive as SEC1 points; wrapping the point in
// a fixed SPKI header lets OpenSSL decompress and validate it, so an off-curve point is
// rejected here rather than at verification time.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase58btc, encodeBase58btc } from './base58.js';
import { CryptoError } from './errors.js';

export type KeyAlgorithm = 'ES256K' | 'ES256';

export interface PublicKey {
  algorithm: KeyAlgorithm;
  /** The SEC1 point as given (33 bytes compressed or 65 uncompressed). */
  point: Uint8Array;
  /** The key as `did:key:z…` (compressed point), the form ATProto compares. */
  didKey: string;
  keyObject: KeyObject;
}

// Multicodec varint prefixes: secp256k1-pub (0xe7) and p256-pub (0x1200).
const K256_PREFIX = [0xe7, 0x01];
const P256_PREFIX = [0x80, 0x24];

// DER of SEQUENCE { SEQUENCE { id-ecPublicKey, curve OID } } up to the BIT STRING body.
const EC_PUBLIC_KEY_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const CURVE_OID: Record<KeyAlgorithm, number[]> = {
  ES256K: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a],
  ES256: [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
};

const cache = new Map<string, PublicKey>();
const CACHE_LIMIT = 4096;

function spki(algorithm: KeyAlgorithm, point: Uint8Array): Buffer {
  const algId = [...EC_PUBLIC_KEY_OID, ...CURVE_OID[algorithm]];
  const bitString = [0x03, point.length + 1, 0x00, ...point];
  const body = [0x30, algId.length, ...algId, ...bitString];
  return Buffer.from([0x30, body.length, ...body]);
}

function build(algorithm: KeyAlgorithm, point: Uint8Array): PublicKey {
  const ok = (point.length === 33 && (point[0] === 2 || point[0] === 3)) || (point.length === 65 && point[0] === 4);
  if (!ok) throw new CryptoError('key-invalid', `an ${algorithm} public key must be a 33- or 65-byte SEC1 point`);
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: spki(algorithm, point), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new CryptoError('key-invalid', `the ${algorithm} public key is not a point on the curve`, { cause });
  }
  const compressed = point.length === 33 ? point : new Uint8Array([2 + (point[64]! & 1), ...point.subarray(1, 33)]);
  const prefix = algorithm === 'ES256K' ? K256_PREFIX : P256_PREFIX;
  const didKey = `did:key:z${encodeBase58btc(new Uint8Array([...prefix, ...compressed]))}`;
  return { algorithm, point, didKey, keyObject };
}

function cached(id: string, make: () => PublicKey): PublicKey {
  const hit = cache.get(id);
  if (hit) return hit;
  const key = make();
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(id, key);
  return key;
}

function decodeMultibase(text: string): Uint8Array {
  if (!text.startsWith('z')) throw new CryptoError('key-unsupported', 'only base58btc (z…) multibase keys are supported');
  const bytes = decodeBase58btc(text.slice(1));
  if (!bytes) throw new CryptoError('key-invalid', 'the key is not valid base58btc');
  return bytes;
}

/** A Multikey `publicKeyMultibase` (`z` + base58btc of a multicodec-prefixed point). */
export function parseMultikey(multibase: string): PublicKey {
  return cached(`mk:${multibase}`, () => {
    const bytes = decodeMultibase(multibase);
    if (bytes[0] === K256_PREFIX[0] && bytes[1] === K256_PREFIX[1]) return build('ES256K', bytes.subarray(2));
    if (bytes[0] === P256_PREFIX[0] && bytes[1] === P256_PREFIX[1]) return build('ES256', bytes.subarray(2));
    throw new CryptoError('key-unsupported', 'the key is neither secp256k1 nor P-256');
  });
}

/** A `did:key:z…` identifier. */
export function parseDidKey(did: string): PublicKey {
  if (!did.startsWith('did:key:')) throw new CryptoError('key-invalid', 'not a did:key identifier');
  return parseMultikey(did.slice('did:key:'.length));
}

/** A did:key or a bare Multikey multibase string. */
export function parsePublicKey(didKeyOrMultibase: string): PublicKey {
  return didKeyOrMultibase.startsWith('did:key:') ? parseDidKey(didKeyOrMultibase) : parseMultikey(didKeyOrMultibase);
}

const LEGACY_TYPES: Record<string, KeyAlgorithm> = {
  EcdsaSecp256k1VerificationKey2019: 'ES256K',
  EcdsaSecp256r1VerificationKey2019: 'ES256',
};

/**
 * A DID document verification method: `Multikey`, or the legacy types whose
 * `publicKeyMultibase` is the bare point without a multicodec prefix.
 */
export function parseVerificationMethod(method: { type?: unknown; publicKeyMultibase?: unknown }): PublicKey {
  const { type, publicKeyMultibase: mb } = method;
  if (typeof mb !== 'string') throw new CryptoError('key-invalid', 'the verification method has no publicKeyMultibase');
  if (type === 'Multikey') return parseMultikey(mb);
  const algorithm = typeof type === 'string' ? LEGACY_TYPES[type] : undefined;
  if (!algorithm) throw new CryptoError('key-unsupported', `unsupported verification method type ${String(type)}`);
  return cached(`${algorithm}:${mb}`, () => build(algorithm, decodeMultibase(mb)));
}
