// Offline step 4 for did:plc: re-derive the document from the signed operation log.
// The genesis operation must hash to the DID, and every later operation must name the
// previous one and be signed by one of its rotation keys (checked by @did-plc/lib).

import * as plc from '@did-plc/lib';
import { VerifyError } from '../proof/errors.js';
import { type DidDocument, readDidDocument } from './did-document.js';
import { MAX_AUDIT_LOG_BYTES } from './did-resolver.js';

function invalid(message: string, cause?: unknown): never {
  throw new VerifyError('did-document-invalid', message, { cause });
}

/** The active operations of an audit log (as the PLC directory serves it), in order. */
export function activeOperations(logBytes: Uint8Array): unknown[] {
  if (logBytes.length > MAX_AUDIT_LOG_BYTES) invalid('PLC audit log exceeds 1 MiB');
  let log: unknown;
  try {
    log = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(logBytes));
  } catch {
    return invalid('PLC audit log is not JSON');
  }
  if (!Array.isArray(log) || log.length === 0) invalid('PLC audit log is not a non-empty list');
  const ops: unknown[] = [];
  for (const entry of log) {
    if (typeof entry !== 'object' || entry === null) invalid('PLC audit log entry is not an object');
    const e = entry as Record<string, unknown>;
    if (typeof e.nullified !== 'boolean' || typeof e.operation !== 'object' || e.operation === null) {
      invalid('PLC audit log entry lacks operation or nullified');
    }
    // Nullified operations were overridden by a recovery; they are not part of the history.
    if (!e.nullified) ops.push(e.operation);
  }
  return ops;
}

/** The current DID document of `did` as its operation log proves it. */
export async function deriveDidDocument(did: string, logBytes: Uint8Array): Promise<DidDocument> {
  if (!did.startsWith('did:plc:')) invalid(`${did} is not a did:plc`);
  const ops = activeOperations(logBytes);
  let data: Awaited<ReturnType<typeof plc.validateOperationLog>>;
  try {
    data = await plc.validateOperationLog(did, ops as Parameters<typeof plc.validateOperationLog>[1]);
  } catch (err) {
    return invalid(`PLC operation log of ${did} does not verify: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (data === null) invalid(`${did} is tombstoned`);
  return readDidDocument(plc.formatDidDoc(data), did);
}

/** True when two documents agree on everything verification reads. */
export function sameDocument(a: DidDocument, b: DidDocument): boolean {
  return (
    a.did === b.did &&
    a.pds === b.pds &&
    a.key.didKey === b.key.didKey &&
    a.alsoKnownAs.length === b.alsoKnownAs.length &&
    a.alsoKnownAs.every((x, i) => x === b.alsoKnownAs[i])
  );
}
