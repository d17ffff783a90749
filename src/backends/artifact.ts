// What every back end returns: files to write under the output directory.

import { checkedArtifactText } from './text.js';

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

/** A text artifact, after the last check that no unsafe character is raw in it (text.ts). */
export function textArtifact(path: string, content: string): Artifact {
  return { path, content: checkedArtifactText(path, content) };
}
