// What every back end returns: files to write under the output directory.

export interface Artifact {
  /** Path relative to the output directory, with `/` separators. */
  path: string;
  content: string | Uint8Array;
}

export interface CompileOptions {
  /** Gatekeeper: namespaces excluded from the constraints. */
  excludedNamespaces?: string[];
  /** URL of the atcr-verify service (Gatekeeper provider, Kyverno apiCall). */
  serviceUrl?: string;
}

/** A policy that a back end cannot express: compile fails naming the policy and why. */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly policy: string | null,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

/** Text that cannot break out of a one-line comment (`#` in Rego and YAML) of a generated file. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/gu, ' ');
}
