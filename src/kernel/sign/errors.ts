// Errors of signing, by the party at fault: the caller's input, the PDS, or the registry.

export type SignErrorCode =
  | 'reference-invalid' // the image reference cannot be parsed
  | 'login-failed' // the PDS refused the identifier or app password
  | 'pds-error' // the PDS answered, but not as XRPC says it should
  | 'pds-unavailable' // the PDS could not be reached, or timed out
  | 'registry-auth-failed' // the registry refused our credentials
  | 'registry-error' // the registry answered unexpectedly, or the image is missing
  | 'registry-unavailable'; // the registry could not be reached, or timed out

export class SignError extends Error {
  constructor(
    readonly code: SignErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignError';
  }
}
