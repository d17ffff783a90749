// Realistic kernel reports for the cache's tests and bench/cache.ts: the shapes
// verifyImage returns, with field lengths as the dev-env world produces them.

import { createHash } from 'node:crypto';
import type { SignatureFact } from '../../../src/ir/decision.js';
import type { VerifyReport } from '../../../src/kernel/verify.js';
import { parseImageRef } from '../../../src/ref/reference.js';

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Deterministic base32 text of `n` characters from a seed string. */
function b32(seed: string, n: number): string {
  let out = '';
  for (let i = 0; out.length < n; i++) {
    for (const byte of createHash('sha256').update(`${seed}/${i}`).digest()) out += B32[byte & 31];
  }
  return out.slice(0, n);
}

export function digestOf(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

/** A valid signature by signer `s` over `digest`, with a seeded record. */
export function validSignature(s: number, digest: string, seed: string): SignatureFact {
  const did = `did:plc:${b32(`signer${s}`, 24)}`;
  return {
    valid: true,
    did,
    signedAt: new Date(Date.UTC(2026, 10, 1) + (parseInt(digest.slice(7, 15), 16) % 1e9)).toISOString(),
    handle: `signer${s}.example.com`,
    pds: `https://pds${s % 3}.example.com`,
    algorithm: 'ES256K',
    digest,
    recordUri: `at://${did}/io.atcr.signature/${b32(`${seed}/rkey/${s}`, 13)}`,
    recordCid: `bafyrei${b32(`${seed}/record/${s}`, 52)}`,
    commitCid: `bafyrei${b32(`${seed}/commit/${s}`, 52)}`,
    commitRev: b32(`${seed}/rev/${s}`, 13),
    keyId: `${did}#atproto`,
  };
}

export interface SampleOptions {
  /** `registry/repo:tag` or `@digest`; default `atcr.io/owner<i%1000>/app<i>:1.0`. */
  image?: string;
  signatures?: SignatureFact[];
  unavailable?: boolean;
  owner?: string;
  notes?: string[];
}

/** The report for image number `i`: three valid signatures from a pool of 50 signers. */
export function sampleReport(i: number, o: SampleOptions = {}): VerifyReport {
  const image = o.image ?? `atcr.io/owner${i % 1000}/app${i}:1.0`;
  const ref = parseImageRef(image)!;
  const digest = ref.digest || digestOf(`image ${i}`);
  const signatures = o.signatures ?? [0, 1, 2].map((j) => validSignature((i + j * 17) % 50, digest, `image ${i}`));
  return {
    image,
    ref,
    digest,
    owner: o.owner ?? `did:plc:${b32(`owner${i % 1000}`, 24)}`,
    signatures,
    verified: signatures.some((s) => s.valid),
    unavailable: o.unavailable ?? false,
    offline: false,
    unprovenDids: [],
    notes: o.notes ?? [],
    timings: { resolveMs: 1, referrersMs: 1, ownerMs: 1, signatures: [] },
    durationMs: 3,
  };
}

export function unavailableSignature(did: string): SignatureFact {
  return { valid: false, did, error: { code: 'proof-unavailable', message: 'https://pds0.example.com answered 503' } };
}
