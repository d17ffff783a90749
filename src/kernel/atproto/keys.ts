// The `#atproto` verification key as the kernel passes it around, and the checks under
// it. Parsing and ECDSA live in the crypto module; this file only names them for ATProto.

import { parseDidKey, parseVerificationMethod, type PublicKey, verifyWithKey } from '../crypto/index.js';

export type SigAlgorithm = PublicKey['algorithm'];
export type AtprotoKey = PublicKey;

/** A DID document verification method (Multikey or the legacy Secp256k1/Secp256r1 types). */
export function keyFromMethod(method: { type?: unknown; publicKeyMultibase?: unknown }): AtprotoKey {
  return parseVerificationMethod(method);
}

export function keyFromDidKey(didKey: string): AtprotoKey {
  return parseDidKey(didKey);
}

/** Compact 64-byte low-S ECDSA over sha256(data); false for any malformed input. */
export function verifySignature(key: AtprotoKey, data: Uint8Array, sig: Uint8Array): boolean {
  return verifyWithKey(key, data, sig);
}
