// The image owner (signature-format.md "Owner"): on registries that put the owner in the
// first path segment, that segment resolved to a DID; elsewhere "". Online the handle is
// looked up (DNS, then HTTPS) and checked against the DID document; export records what
// was read, and offline verification checks the recorded document again (re-derived from
// its operation log for did:plc). The handle → DID lookup itself cannot be proven offline.

import { parseDidDocument, type DidDocument } from '../atproto/did-document.js';
import { DidResolver } from '../atproto/did-resolver.js';
import { checkHandleClaim, type HandleResolverOptions, lookupHandle } from '../atproto/handle.js';
import { deriveDidDocument, sameDocument } from '../atproto/plc-log.js';
import type { BundleOwner } from '../bundle/format.js';
import { VerifyError } from '../proof/errors.js';
import { isDid } from '../proof/payload.js';
import type { ImageRef } from '../../ref/reference.js';

export const DEFAULT_OWNER_REGISTRIES = ['atcr.io'];

export function isOwnerRegistry(ref: ImageRef, ownerRegistries: string[]): boolean {
  return ownerRegistries.includes(ref.registry) && ref.repository.includes('/');
}

/** The repository a record must name: without the owner segment on owner registries. */
export function recordRepository(ref: ImageRef, ownerRegistries: string[]): string {
  return isOwnerRegistry(ref, ownerRegistries) ? ref.repository.slice(ref.repository.indexOf('/') + 1) : ref.repository;
}

export interface OwnerResult {
  owner: string;
  /** Why the owner is "" where one was expected, or (offline) what was taken from the bundle unproven. */
  note?: string;
  /** The resolution failed because a service could not be reached (or the deadline cut it): not an answer. */
  unavailable?: true;
  /** Export: the resolution as read, for the bundle. */
  evidence?: BundleOwner;
  /** Export: why the resolution could not be recorded in full (the bundle would be incomplete). */
  missing?: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function segmentOf(ref: ImageRef): string {
  return ref.repository.slice(0, ref.repository.indexOf('/'));
}

/** Online; with `record`, also what export needs to repeat the check offline. */
export async function resolveOwner(
  ref: ImageRef,
  ownerRegistries: string[],
  dids: DidResolver,
  handles: HandleResolverOptions,
  record = false,
): Promise<OwnerResult> {
  if (!isOwnerRegistry(ref, ownerRegistries)) return { owner: '' };
  const segment = segmentOf(ref);
  if (isDid(segment)) return { owner: segment, evidence: { segment, did: segment, method: 'did' } };
  let evidence: BundleOwner | undefined;
  try {
    const { did, method } = await lookupHandle(segment, handles);
    const { raw, doc } = await dids.resolve(did, handles.signal);
    if (record) {
      evidence = { segment, did, method, didDocument: raw };
      if (did.startsWith('did:plc:')) evidence.plcAuditLog = await dids.auditLog(did, handles.signal);
    }
    checkHandleClaim(segment, doc);
    return { owner: did, ...(evidence ? { evidence } : {}) };
  } catch (err) {
    const note = `owner ${segment} not resolved: ${message(err)}`;
    // A failed claim check is an answer, and recorded; anything before it could not be read.
    const answered = err instanceof VerifyError && err.code === 'did-document-invalid' && evidence !== undefined;
    const missing = `the resolution of the owner ${segment} (${message(err)})`;
    const unavailable = (err as { unavailable?: boolean } | null)?.unavailable === true;
    return { owner: '', note, ...(unavailable ? { unavailable } : {}), ...(answered ? { evidence } : record ? { missing } : {}) };
  }
}

/** The recorded document, proven as far as offline allows: did:plc re-derived from its log. */
async function recordedDocument(rec: BundleOwner): Promise<{ doc: DidDocument; unproven: boolean }> {
  const bundled = parseDidDocument(rec.didDocument!, rec.did);
  if (!rec.did.startsWith('did:plc:')) return { doc: bundled, unproven: true };
  const derived = await deriveDidDocument(rec.did, rec.plcAuditLog!);
  if (!sameDocument(derived, bundled)) {
    throw new VerifyError('did-document-invalid', `the bundled DID document of ${rec.did} disagrees with its operation log`);
  }
  return { doc: derived, unproven: false };
}

/** Offline: a DID segment as is; a handle through the bundle's record of its resolution. */
export async function ownerFromBundle(ref: ImageRef, ownerRegistries: string[], rec: BundleOwner | undefined): Promise<OwnerResult> {
  if (!isOwnerRegistry(ref, ownerRegistries)) return { owner: '' };
  const segment = segmentOf(ref);
  if (isDid(segment)) return { owner: segment };
  if (!rec) return { owner: '', note: `owner handle ${segment}: the bundle does not record its resolution (export it again)` };
  if (rec.segment.toLowerCase() !== segment.toLowerCase() || rec.method === 'did') {
    return { owner: '', note: `owner handle ${segment}: the bundle records the owner ${rec.segment}` };
  }
  try {
    const { doc, unproven } = await recordedDocument(rec);
    checkHandleClaim(segment, doc);
    const how = rec.method === 'dns' ? `DNS _atproto.${segment.toLowerCase()}` : 'the well-known atproto-did';
    const what = `owner handle ${segment} → ${rec.did} (via ${how})${unproven ? ' and its did:web document' : ''}`;
    return { owner: rec.did, note: `${what} taken from the bundle as is (cannot be proven offline)` };
  } catch (err) {
    return { owner: '', note: `owner ${segment} not resolved from the bundle: ${message(err)}` };
  }
}
