// What may be cached: the kernel's facts about one image digest, and only when every one
// of them is a definite answer. A report with a signature whose service could not be
// reached (`unavailable`), an owner whose resolution failed, or evidence taken from a
// bundle unproven is the truth for one request, not for the next minutes: such reports
// never become `CacheableFacts`, and the tiers accept nothing else.

import type { SignatureFact } from '../../ir/decision.js';
import type { VerifyReport } from '../../kernel/verify.js';
import { flat, intern } from './intern.js';

/** The facts about one image digest, independent of the tag or string that named it. */
export interface ImageFacts {
  readonly registry: string;
  readonly repository: string;
  /** `sha256:…`, the manifest the signatures were checked against. */
  readonly digest: string;
  /** The owner DID on owner registries, else "". */
  readonly owner: string;
  /** At least one signature is valid. */
  readonly verified: boolean;
  readonly signatures: readonly Readonly<SignatureFact>[];
  readonly notes: readonly string[];
}

declare const definite: unique symbol;
/**
 * Facts that are definite answers. Only `classifyReport` (from a kernel report) and the
 * Redis tier (from an authenticated entry) make them; the cache tiers take nothing else.
 */
export type CacheableFacts = ImageFacts & { readonly [definite]: true };

/** Positive: some signature verified. Negative: verified that no signature is valid. */
export type Polarity = 'positive' | 'negative';

/** Why a report is not cached. */
export type UncacheableReason = 'unavailable' | 'owner-unresolved' | 'offline' | 'unproven';

export type Classification =
  | { cacheable: true; facts: CacheableFacts; polarity: Polarity }
  | { cacheable: false; reason: UncacheableReason };

// The kernel's owner step reports a failed resolution only as owner "" plus this note
// (verify/owner.ts); a test ties the two together so a rewording cannot slip through.
const OWNER_UNRESOLVED = /^owner \S+ not resolved/;

export function polarityOf(facts: ImageFacts): Polarity {
  return facts.verified ? 'positive' : 'negative';
}

/** Decides whether a kernel report may be cached and, if so, keeps its facts compactly. */
export function classifyReport(report: VerifyReport): Classification {
  if (report.offline) return { cacheable: false, reason: 'offline' };
  // Any signature whose service was down: a fact unknown, not false (and maybe the one a
  // policy needs), so the whole report is for this request only.
  if (report.unavailable) return { cacheable: false, reason: 'unavailable' };
  if (report.unprovenDids.length > 0) return { cacheable: false, reason: 'unproven' };
  if (report.owner === '' && report.notes.some((n) => OWNER_UNRESOLVED.test(n))) return { cacheable: false, reason: 'owner-unresolved' };
  const facts = compactFacts({
    registry: report.ref.registry,
    repository: report.ref.repository,
    digest: report.digest,
    owner: report.owner,
    verified: report.signatures.some((s) => s.valid),
    signatures: report.signatures,
    notes: report.notes,
  });
  return { cacheable: true, facts, polarity: polarityOf(facts) };
}

const NO_NOTES: readonly string[] = Object.freeze([]);

/**
 * A frozen copy with the strings many entries repeat (signer DIDs, handles, PDS URLs,
 * key ids, owners) shared, and the per-image digest stored once. Roughly a third less
 * memory for realistic facts (bench/cache.ts).
 */
export function compactFacts(f: ImageFacts): CacheableFacts {
  const digest = flat(f.digest);
  const signatures = Object.freeze(f.signatures.map((s) => compactSignature(s, digest)));
  return Object.freeze({
    registry: intern(f.registry),
    repository: intern(f.repository),
    digest,
    owner: intern(f.owner),
    verified: f.verified,
    signatures,
    notes: f.notes.length === 0 ? NO_NOTES : Object.freeze(f.notes.map(flat)),
  }) as CacheableFacts;
}

const SHARED_FIELDS = new Set(['did', 'handle', 'pds', 'algorithm', 'keyId']);

function compactSignature(s: Readonly<SignatureFact>, imageDigest: string): Readonly<SignatureFact> {
  const out: Record<string, unknown> = {};
  // The input's key order, so the JSON a client sees does not change.
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) continue;
    if (typeof v === 'boolean') out[k] = v;
    else if (typeof v !== 'string') out[k] = Object.freeze({ code: intern(v.code), message: flat(v.message) });
    else if (SHARED_FIELDS.has(k)) out[k] = intern(v);
    else out[k] = k === 'digest' && v === imageDigest ? imageDigest : flat(v);
  }
  return Object.freeze(out) as unknown as Readonly<SignatureFact>;
}

// V8 overheads, measured roughly: an object ≈ 16 B + 8 B per property, a string ≈ 16 B
// plus one byte per Latin-1 character. Shared strings are counted in every entry, so
// the estimate errs high, which is the safe side for a memory bound.
const OBJECT_BYTES = 16;
const PROPERTY_BYTES = 8;
const STRING_BYTES = 16;

function stringBytes(s: string): number {
  return STRING_BYTES + s.length;
}

/** An estimate of the heap an entry keeps alive (key included). */
export function estimateBytes(key: string, f: ImageFacts): number {
  let n = stringBytes(key) + OBJECT_BYTES + 7 * PROPERTY_BYTES + stringBytes(f.digest) + 64 /* map slot */;
  for (const note of f.notes) n += stringBytes(note) + PROPERTY_BYTES;
  for (const s of f.signatures) {
    n += OBJECT_BYTES + PROPERTY_BYTES;
    for (const v of Object.values(s)) {
      n += PROPERTY_BYTES;
      if (typeof v === 'string') n += stringBytes(v);
      else if (v !== null && typeof v === 'object') n += OBJECT_BYTES + stringBytes(v.code) + stringBytes(v.message);
    }
  }
  return n;
}

const MAX_FIELD = 8192;
const SIGNATURE_STRINGS = ['did', 'signedAt', 'handle', 'pds', 'algorithm', 'digest', 'recordUri', 'recordCid', 'commitCid', 'commitRev', 'keyId'] as const;

const isString = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_FIELD;

/**
 * Facts parsed back from an authenticated Redis entry. The HMAC already proved who wrote
 * them; the shape is still checked so a version skew between replicas is a miss, not a crash.
 * Returns null when the value is not facts.
 */
export function reviveFacts(value: unknown): CacheableFacts | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (!isString(v.registry) || !isString(v.repository) || !isString(v.digest) || !isString(v.owner)) return null;
  if (typeof v.verified !== 'boolean' || !Array.isArray(v.signatures) || !Array.isArray(v.notes)) return null;
  if (!v.notes.every(isString)) return null;
  const signatures: SignatureFact[] = [];
  for (const s of v.signatures as unknown[]) {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return null;
    const r = s as Record<string, unknown>;
    if (typeof r.valid !== 'boolean' || !isString(r.did)) return null;
    const out: SignatureFact = { valid: r.valid, did: r.did };
    for (const k of SIGNATURE_STRINGS) {
      if (r[k] === undefined) continue;
      if (!isString(r[k])) return null;
      (out as unknown as Record<string, string>)[k] = r[k];
    }
    if (r.error !== undefined) {
      const e = r.error as Record<string, unknown> | null;
      if (e === null || typeof e !== 'object' || !isString(e.code) || !isString(e.message)) return null;
      out.error = { code: e.code, message: e.message };
    }
    signatures.push(out);
  }
  // `verified` is derived, never trusted apart from the signatures it summarises.
  if (v.verified !== signatures.some((s) => s.valid)) return null;
  return compactFacts({
    registry: v.registry,
    repository: v.repository,
    digest: v.digest,
    owner: v.owner,
    verified: v.verified,
    signatures,
    notes: v.notes as string[],
  });
}
