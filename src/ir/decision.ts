// The decision contract (shared/spec/decision.md) as types. Every engine takes a
// DecisionInput and returns a Decision; the kernel produces SignatureFact values.

import type { Action } from './types.js';

export interface SignatureFact {
  valid: boolean;
  did: string;
  signedAt?: string;
  handle?: string;
  pds?: string;
  algorithm?: string;
  digest?: string;
  recordUri?: string;
  recordCid?: string;
  commitCid?: string;
  commitRev?: string;
  keyId?: string;
  error?: { code: string; message: string };
}

export interface DecisionInput {
  image: string;
  owner?: string;
  now: string;
  signatures: SignatureFact[];
}

export type Effect = 'allow' | 'deny' | 'audit' | 'warn';

/** The closed list of violation codes, in the order used to sort violations. */
export const VIOLATION_CODES = [
  'invalid-image',
  'no-matching-policy',
  'no-signatures',
  'invalid-signature',
  'untrusted-did',
  'signature-expired',
  'signature-from-future',
  'condition-failed',
  'insufficient-signatures',
] as const;

export type ViolationCode = (typeof VIOLATION_CODES)[number];

export interface Violation {
  code: ViolationCode;
  did?: string;
  /** The kernel's error code, on invalid-signature only. */
  cause?: string;
  message: string;
}

export interface Decision {
  allowed: boolean;
  effect: Effect;
  policy: string | null;
  action: Action | null;
  satisfiedBy: string[];
  violations: Violation[];
}

/** Allowed clock skew for `signedAt` in the future. */
export const CLOCK_SKEW_SECONDS = 300;
