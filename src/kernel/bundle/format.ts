// The offline bundle (signature-format.md "Offline bundles"): everything verification
// reads, so `verify --offline` repeats every cryptographic check without the network.
// Parsed strictly, once; nothing past `parseBundle` reads the JSON.

import { fromBase64, toBase64 } from './base64.js';
import { parseInstant } from '../../ir/time.js';
import { parseUtf8Json } from '../json.js';
import { parseDigest } from '../oci/digest.js';

export const BUNDLE_VERSION = 1;
/** Bundles larger than this are refused before parsing. */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
const MAX_SIGNATURES = 256;

export class BundleError extends Error {
  readonly code = 'bundle-invalid' as const;
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

export interface BundleSignature {
  /** The signature artifact manifest: its digest (from the referrers listing) and bytes. */
  artifactDigest: string;
  artifactManifest: Uint8Array;
  payload?: Uint8Array;
  did?: string;
  didDocument?: Uint8Array;
  /** did:plc only: the PLC directory's audit log, as served. */
  plcAuditLog?: Uint8Array;
  /** The getRecord CAR. */
  proof?: Uint8Array;
}

/**
 * How the image's owner segment became a DID (signature-format.md "Owner"), as `export`
 * saw it. A DID segment is itself (`method: "did"`, nothing else recorded); a handle names
 * the DID it resolved to, how (`dns` or `well-known`), and the DID document whose
 * `alsoKnownAs` offline verification checks again (for did:plc with the audit log it is
 * re-derived from, as for signers).
 */
export interface BundleOwner {
  segment: string;
  did: string;
  method: 'did' | 'dns' | 'well-known';
  didDocument?: Uint8Array;
  plcAuditLog?: Uint8Array;
}

export interface Bundle {
  version: typeof BUNDLE_VERSION;
  createdAt: string;
  image: {
    /** The reference the bundle was exported for, as given. */
    reference: string;
    digest: string;
    mediaType: string;
    manifest: Uint8Array;
  };
  /** Absent in bundles of images whose owner was not resolved (or from older exports). */
  owner?: BundleOwner;
  signatures: BundleSignature[];
}

function fail(path: string, message: string): never {
  throw new BundleError(`bundle ${path}: ${message}`);
}

type Obj = Record<string, unknown>;

function object(v: unknown, path: string, allowed: string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'is not an object');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(`${path}.${k}`, 'is not a bundle field');
  return v as Obj;
}

function str(o: Obj, key: string, path: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length === 0) fail(`${path}.${key}`, 'is not a non-empty string');
  return v;
}

function bin(o: Obj, key: string, path: string, optional = false): Uint8Array | undefined {
  const v = str(o, key, path, optional);
  if (v === undefined) return undefined;
  return fromBase64(v) ?? fail(`${path}.${key}`, 'is not canonical base64');
}

const DID = /^did:(plc|web):[A-Za-z0-9._:%-]+$/;

function digest(o: Obj, key: string, path: string): string {
  const v = str(o, key, path)!;
  if (!parseDigest(v)) fail(`${path}.${key}`, 'is not a sha256/sha512 digest');
  return v;
}

export function parseBundle(bytes: Uint8Array): Bundle {
  if (bytes.length > MAX_BUNDLE_BYTES) fail('', `is larger than ${MAX_BUNDLE_BYTES} bytes`);
  let json: unknown;
  try {
    json = parseUtf8Json(bytes);
  } catch {
    return fail('', 'is not UTF-8 JSON');
  }
  const top = object(json, '$', ['version', 'createdAt', 'image', 'owner', 'signatures']);
  if (top.version !== BUNDLE_VERSION) fail('$.version', `is not ${BUNDLE_VERSION}`);
  const createdAt = str(top, 'createdAt', '$')!;
  if (!parseInstant(createdAt)) fail('$.createdAt', 'is not an RFC 3339 time');
  const img = object(top.image, '$.image', ['reference', 'digest', 'mediaType', 'manifest']);
  const image = {
    reference: str(img, 'reference', '$.image')!,
    digest: digest(img, 'digest', '$.image'),
    mediaType: str(img, 'mediaType', '$.image')!,
    manifest: bin(img, 'manifest', '$.image')!,
  };
  if (!Array.isArray(top.signatures)) fail('$.signatures', 'is not a list');
  if (top.signatures.length > MAX_SIGNATURES) fail('$.signatures', `has more than ${MAX_SIGNATURES} entries`);
  const signatures = top.signatures.map((raw, i): BundleSignature => {
    const path = `$.signatures[${i}]`;
    const s = object(raw, path, ['artifactDigest', 'artifactManifest', 'payload', 'did', 'didDocument', 'plcAuditLog', 'proof']);
    const sig: BundleSignature = {
      artifactDigest: digest(s, 'artifactDigest', path),
      artifactManifest: bin(s, 'artifactManifest', path)!,
    };
    const payload = bin(s, 'payload', path, true);
    const did = str(s, 'did', path, true);
    const didDocument = bin(s, 'didDocument', path, true);
    const plcAuditLog = bin(s, 'plcAuditLog', path, true);
    const proof = bin(s, 'proof', path, true);
    if (did !== undefined && !DID.test(did)) fail(`${path}.did`, 'is not a did:plc or did:web');
    if (plcAuditLog && !did?.startsWith('did:plc:')) fail(`${path}.plcAuditLog`, 'belongs only to a did:plc signer');
    if (payload) sig.payload = payload;
    if (did) sig.did = did;
    if (didDocument) sig.didDocument = didDocument;
    if (plcAuditLog) sig.plcAuditLog = plcAuditLog;
    if (proof) sig.proof = proof;
    return sig;
  });
  const bundle: Bundle = { version: BUNDLE_VERSION, createdAt, image, signatures };
  if (top.owner !== undefined) bundle.owner = parseOwner(top.owner);
  return bundle;
}

const OWNER_METHODS: readonly string[] = ['did', 'dns', 'well-known'];

function parseOwner(raw: unknown): BundleOwner {
  const path = '$.owner';
  const o = object(raw, path, ['segment', 'did', 'method', 'didDocument', 'plcAuditLog']);
  const segment = str(o, 'segment', path)!;
  const did = str(o, 'did', path)!;
  const method = str(o, 'method', path)!;
  if (!OWNER_METHODS.includes(method)) fail(`${path}.method`, 'is not did, dns or well-known');
  if (!DID.test(did)) fail(`${path}.did`, 'is not a did:plc or did:web');
  const owner: BundleOwner = { segment, did, method: method as BundleOwner['method'] };
  const didDocument = bin(o, 'didDocument', path, true);
  const plcAuditLog = bin(o, 'plcAuditLog', path, true);
  if (method === 'did') {
    // A DID segment is the owner as is: nothing was resolved, so nothing else belongs here.
    if (segment !== did) fail(`${path}.did`, 'differs from the segment, which is a DID');
    if (didDocument || plcAuditLog) fail(path, 'records a document for a DID segment');
    return owner;
  }
  if (!didDocument) fail(`${path}.didDocument`, 'is missing for a handle');
  if (did.startsWith('did:plc:') !== (plcAuditLog !== undefined)) {
    fail(`${path}.plcAuditLog`, did.startsWith('did:plc:') ? 'is missing for a did:plc' : 'belongs only to a did:plc owner');
  }
  owner.didDocument = didDocument;
  if (plcAuditLog) owner.plcAuditLog = plcAuditLog;
  return owner;
}

/** The bundle as JSON text, fields in a fixed order so two exports of one state diff cleanly. */
export function serializeBundle(b: Bundle): string {
  const out = {
    version: b.version,
    createdAt: b.createdAt,
    image: {
      reference: b.image.reference,
      digest: b.image.digest,
      mediaType: b.image.mediaType,
      manifest: toBase64(b.image.manifest),
    },
    ...(b.owner
      ? {
          owner: {
            segment: b.owner.segment,
            did: b.owner.did,
            method: b.owner.method,
            ...(b.owner.didDocument ? { didDocument: toBase64(b.owner.didDocument) } : {}),
            ...(b.owner.plcAuditLog ? { plcAuditLog: toBase64(b.owner.plcAuditLog) } : {}),
          },
        }
      : {}),
    signatures: b.signatures.map((s) => ({
      artifactDigest: s.artifactDigest,
      artifactManifest: toBase64(s.artifactManifest),
      ...(s.payload ? { payload: toBase64(s.payload) } : {}),
      ...(s.did ? { did: s.did } : {}),
      ...(s.didDocument ? { didDocument: toBase64(s.didDocument) } : {}),
      ...(s.plcAuditLog ? { plcAuditLog: toBase64(s.plcAuditLog) } : {}),
      ...(s.proof ? { proof: toBase64(s.proof) } : {}),
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
