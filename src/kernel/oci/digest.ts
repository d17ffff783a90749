// OCI content digests: parsing the `alg:hex` form and computing it from bytes.

import { createHash } from 'node:crypto';

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

/** Parses a digest we can verify (sha256 or sha512, lower-case hex); null otherwise. */
export function parseDigest(digest: string): ParsedDigest | null {
  const colon = digest.indexOf(':');
  if (colon < 0) return null;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const len = HEX_LENGTH[algorithm];
  if (len === undefined || hex.length !== len || !/^[0-9a-f]+$/.test(hex)) return null;
  return { algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

export function computeDigest(bytes: Uint8Array, algorithm: ParsedDigest['algorithm'] = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** True when `bytes` hash to `digest` under the digest's own algorithm. */
export function matchesDigest(bytes: Uint8Array, digest: string): boolean {
  const parsed = parseDigest(digest);
  return parsed !== null && computeDigest(bytes, parsed.algorithm) === digest;
}

/** The referrers tag schema: `sha256:abc…` → `sha256-abc…`, cut to a tag's 128 characters. */
export function fallbackTag(digest: string): string {
  return digest.replace(':', '-').slice(0, 128);
}
