// The verification error codes of signature-format.md, one per step, as a closed union.
// A step that fails throws a VerifyError; the orchestrator turns it into `valid: false`.

export const VERIFY_CODES = [
  'artifact-invalid',
  'payload-invalid',
  'subject-mismatch',
  'did-resolution-failed',
  'did-document-invalid',
  'proof-unavailable',
  'commit-signature-invalid',
  'proof-invalid',
  'record-deleted',
  'record-digest-mismatch',
  'repository-mismatch',
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];

export class VerifyError extends Error {
  /** True when a service could not be reached or answered 5xx: the fact is unknown, not false. */
  readonly unavailable: boolean;
  constructor(
    readonly code: VerifyCode,
    message: string,
    options?: { cause?: unknown; unavailable?: boolean },
  ) {
    super(message, options);
    this.name = 'VerifyError';
    this.unavailable = options?.unavailable ?? false;
  }
}
