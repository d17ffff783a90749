// Offline step 4 for did:plc: re-derive the document from the signed operation log.
// The genesis operation must hash to the DID, and every later operation must name the
// previous one and be signed by one of its rotation keys (checked by @did-plc/lib).

import type * as Plc from '@did-plc/lib';
import { VerifyError } from '../proof/errors.js';
import { type DidDocument, readDidDocument } from './did-document.js';
import { MAX_AUDIT_LOG_BYTES } from './did-resolver.js';
import { parseUtf8Json } from '../json.js';

// @did-plc/lib ships as one 870 KB file (pino, axios, zod and more inside): loaded only
// when a log is checked (offline bundles), not by every process that imports the kernel.
let plcLib: Promise<typeof Plc> | undefined;
const loadPlc = () => (plcLib ??= import('@did-plc/lib'));

function invalid(message: string, cause?: unknown): never {
  throw new VerifyError('did-document-invalid', message, { cause });
}

/** The active operations of an audit log (as the PLC directory serves it), in order. */
export function activeOperations(logBytes: Uint8Array): unknown[] {
  if (logBytes.length > MAX_AUDIT_LOG_BYTES) invalid('PLC audit log exceeds 1 MiB');
  let log: unknown;
  try {
    log = parseUtf8Json(logBytes);
  } catch {
    return invalid('PLC audit log is not JSON');
  }
  if (!Array.isArray(log) || log.length === 0) invalid('PLC audit log is not a non-empty list');
  const ops: unknown[] = [];
  for (const [i, entry] of log.entries()) {
    if (typeof entry !== 'object' || entry === null) invalid(`PLC audit log entry ${i} is not an object`);
    const e = entry as Record<string, unknown>;
    if (typeof e.nullified !== 'boolean' || typeof e.operation !== 'object' || e.operation === null) {
      invalid(`PLC audit log entry ${i} lacks operation or nullified`);
    }
    // Nullified operations were overridden by a recovery; they are not part of the history.
    if (!e.nullified) ops.push(e.operation);
  }
  return ops;
}

/** What failed, in a few words of our own: never the library's message, which embeds the operation. */
function failedCheck(plc: typeof Plc, err: unknown, index: number): string {
  if (err instanceof plc.GenesisHashError) return 'does not hash to the DID';
  if (err instanceof plc.InvalidSignatureError) {
    return index === 0 ? 'is not signed by its own rotation keys' : `is not signed by a rotation key of operation ${index - 1}`;
  }
  if (err instanceof plc.MisorderedOperationError) return index === 0 ? 'is out of order' : `does not follow operation ${index - 1} (prev), or a tombstone is not last`;
  if (err instanceof plc.ImproperOperationError) return 'is not a well-formed PLC operation';
  if (err instanceof plc.UnsupportedKeyError) return 'names a key of an unsupported type';
  if (err instanceof plc.LateRecoveryError) return 'is a recovery made too late';
  if (err instanceof plc.ImproperlyFormattedDidError) return 'names a malformed DID';
  return 'does not verify';
}

async function validates(plc: typeof Plc, did: string, ops: unknown[]): Promise<unknown> {
  try {
    await plc.validateOperationLog(did, ops as Parameters<typeof Plc.validateOperationLog>[1]);
    return null;
  } catch (err) {
    return err ?? new Error('failed');
  }
}

/**
 * The index of the first operation that breaks the log: a log is valid only when each of
 * its prefixes is, so the shortest failing prefix is found by bisection.
 */
async function firstBadOperation(plc: typeof Plc, did: string, ops: unknown[]): Promise<{ index: number; err: unknown }> {
  let lo = 1;
  let hi = ops.length;
  let err = await validates(plc, did, ops);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = await validates(plc, did, ops.slice(0, mid));
    if (e) {
      hi = mid;
      err = e;
    } else lo = mid + 1;
  }
  return { index: hi - 1, err };
}

/** The current DID document of `did` as its operation log proves it. */
export async function deriveDidDocument(did: string, logBytes: Uint8Array): Promise<DidDocument> {
  if (!did.startsWith('did:plc:')) invalid(`${did} is not a did:plc`);
  const ops = activeOperations(logBytes);
  const plc = await loadPlc();
  let data: Awaited<ReturnType<typeof Plc.validateOperationLog>>;
  try {
    data = await plc.validateOperationLog(did, ops as Parameters<typeof Plc.validateOperationLog>[1]);
  } catch (err) {
    const bad = await firstBadOperation(plc, did, ops);
    return invalid(`PLC operation log of ${did}: operation ${bad.index} of ${ops.length} ${failedCheck(plc, bad.err, bad.index)}`, err);
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
