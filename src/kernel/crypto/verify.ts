// ECDSA verification under ATProto's rules: SHA-256 of the message, a 64-byte compact
// r||s signature, and low-S only (s <= n/2), so each signature has one valid encoding.
// The curve arithmetic is OpenSSL's for P-256 (its nistp256 code is fast) and
// libsecp256k1's (tiny-secp256k1, WebAssembly) for secp256k1, where OpenSSL only has
// generic code at about half the speed. This file enforces the format rules first.

import { createHash, verify } from 'node:crypto';
import * as secp256k1 from 'tiny-secp256k1';
import { parsePublicKey, type KeyAlgorithm, type PublicKey } from './keys.js';

const ORDER: Record<KeyAlgorithm, bigint> = {
  ES256K: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};
const HALF_ORDER: Record<KeyAlgorithm, bigint> = { ES256K: ORDER.ES256K >> 1n, ES256: ORDER.ES256 >> 1n };

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
}

/** True when `sig` is a compact, low-S signature; the curve check is separate. */
export function isLowSCompact(algorithm: KeyAlgorithm, sig: Uint8Array): boolean {
  if (sig.length !== 64) return false;
  const r = toBigInt(sig.subarray(0, 32));
  const s = toBigInt(sig.subarray(32));
  return r > 0n && r < ORDER[algorithm] && s > 0n && s <= HALF_ORDER[algorithm];
}

/** Verifies with an already-parsed key. Never throws. */
export function verifyWithKey(key: PublicKey, message: Uint8Array, sig: Uint8Array): boolean {
  if (!isLowSCompact(key.algorithm, sig)) return false;
  if (key.algorithm === 'ES256K') return verifyK256(key, message, sig);
  try {
    return verify('sha256', message, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

function verifyK256(key: PublicKey, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    const digest = createHash('sha256').update(message).digest();
    // strict: libsecp256k1 itself also rejects high-S, on top of isLowSCompact.
    return secp256k1.verify(digest, key.point, sig, true);
  } catch {
    return false;
  }
}

/**
 * The same check on libuv's thread pool, so a server verifying many signatures at once
 * uses every core instead of blocking its event loop. Never rejects.
 */
export function verifyWithKeyAsync(key: PublicKey, message: Uint8Array, sig: Uint8Array): Promise<boolean> {
  if (!isLowSCompact(key.algorithm, sig)) return Promise.resolve(false);
  // libsecp256k1 outruns OpenSSL-on-the-thread-pool even without the pool.
  if (key.algorithm === 'ES256K') return Promise.resolve(verifyK256(key, message, sig));
  return new Promise((resolve) => {
    try {
      verify('sha256', message, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, sig, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}

/**
 * Verifies `sig` over `message` with a did:key or Multikey string. Throws CryptoError
 * only for a key that cannot be parsed; a bad signature is `false`.
 */
export function verifySignature(didKeyOrMultibase: string, message: Uint8Array, sig: Uint8Array): boolean {
  return verifyWithKey(parsePublicKey(didKeyOrMultibase), message, sig);
}
