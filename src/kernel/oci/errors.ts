// The registry client's one error type. `network` wraps a NetError (its code in
// `netCode`); every other code is a statement about what the registry sent.

import type { NetErrorCode } from '../net/errors.js';

export type OciErrorCode =
  | 'reference-invalid' // the image reference or digest cannot be used
  | 'insecure-refused' // http:// to a host that is neither loopback nor named insecure
  | 'auth-failed' // 401/403 after the token flow, or an unusable challenge/token
  | 'not-found' // 404 for a manifest, blob or tag
  | 'digest-mismatch' // bytes do not hash to the digest asked for or announced
  | 'size-mismatch' // bytes differ in length from the descriptor
  | 'too-large' // over the cap for a manifest, blob or page
  | 'manifest-invalid' // not JSON, or not an OCI/Docker manifest or index
  | 'conflict' // a conditional write lost too many times
  | 'blob-unknown' // a manifest push named a blob the registry does not have (MANIFEST_BLOB_UNKNOWN)
  | 'registry-error' // any other unexpected status
  | 'network'; // could not talk to the registry at all

export class OciError extends Error {
  constructor(
    readonly code: OciErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; netCode?: NetErrorCode },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'OciError';
    this.status = options?.status;
    this.netCode = options?.netCode;
  }
  readonly status?: number;
  readonly netCode?: NetErrorCode;
}
