// The `#atproto` verification key of a DID document, in every form the spec allows, and
// signature checks under it. The one place that knows key encodings.

import { ECDH } from 'node:crypto';
import * as acrypto from '@atproto/crypto';

export type SigAlgorithm = 'ES256K' | 'ES256';

export interface AtprotoKey {
  algorithm: SigAlgorithm;
  /** The key as `did:key:…` (compressed point), the canonical form for comparisons. */
  didKey: string;
}

const CURVE: Record<SigAlgorithm, string> = { ES256K: 'secp256k1', ES256: 'prime256v1' };

function algFromJwt(jwtAlg: string): SigAlgorithm {
  if (jwtAlg === 'ES256K' || jwtAlg === 'ES256') return jwtAlg;
  throw new Error(`unsupported key algorithm ${jwtAlg}`);
}

/** Compresses an uncompressed SEC1 point; legacy documents carry either form. */
function compress(alg: SigAlgorithm, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) return bytes;
  if (bytes.length === 65 && bytes[0] === 4) {
    return new Uint8Array(ECDH.convertKey(Buffer.from(bytes), CURVE[alg], undefined, undefined, 'compressed') as Buffer);
  }
  throw new Error(`public key of ${bytes.length} bytes is not a SEC1 point`);
}

export function keyFromMultikey(multibase: string): AtprotoKey {
  const { jwtAlg, keyBytes } = acrypto.parseMultikey(multibase);
  const algorithm = algFromJwt(jwtAlg);
  return { algorithm, didKey: acrypto.formatDidKey(algorithm, compress(algorithm, keyBytes)) };
}

export function keyFromDidKey(didKey: string): AtprotoKey {
  const { jwtAlg, keyBytes } = acrypto.parseDidKey(didKey);
  const algorithm = algFromJwt(jwtAlg);
  return { algorithm, didKey: acrypto.formatDidKey(algorithm, compress(algorithm, keyBytes)) };
}

/** Legacy `EcdsaSecp256k1VerificationKey2019` / `EcdsaSecp256r1VerificationKey2019`: raw point, no multicodec. */
export function keyFromLegacy(algorithm: SigAlgorithm, multibase: string): AtprotoKey {
  const bytes = acrypto.multibaseToBytes(multibase);
  return { algorithm, didKey: acrypto.formatDidKey(algorithm, compress(algorithm, bytes)) };
}

/** Compact 64-byte low-S ECDSA over sha256(data); false for any malformed input. */
export async function verifySignature(key: AtprotoKey, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
  if (sig.length !== 64) return false;
  try {
    return await acrypto.verifySignature(key.didKey, data, sig);
  } catch {
    return false;
  }
}
