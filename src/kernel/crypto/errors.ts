// Errors of key parsing. Signature checks never throw: a bad signature is `false`.

export type CryptoErrorCode = 'key-invalid' | 'key-unsupported';

export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CryptoError';
  }
}
