// What every back end returns: files to write under the output directory.

import { checkedArtifactText } from './text.js';
import type { IRDocument } from '../ir/types.js';
import { irVersionProblem } from '../ir/version.js';

export interface Artifact {
  /** Path relative to the output directory, with `/` separators. */
  path: string;
  content: string | Uint8Array;
}

export interface CompileOptions {
  /** Namespaces the Gatekeeper constraints and mutations and the Kyverno rules skip. */
  excludedNamespaces?: string[];
  /** URL of the atcr-verify service (Gatekeeper provider, Kyverno apiCall). */
  serviceUrl?: string;
  /**
   * PEM CA certificates the service's certificate chains to: base64 of it in Gatekeeper's
   * Provider `caBundle`, the PEM itself in Kyverno's `apiCall.service.caBundle`.
   */
  caBundle?: string;
  /** Gatekeeper: also pin Pod images to their verified digests (Assign mutations). */
  pinDigests?: boolean;
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

/** Every back end starts here: an IR of another version is a CompileError, not a guess. */
export function checkIrVersion(ir: IRDocument): void {
  const problem = irVersionProblem(ir);
  if (problem !== null) throw new CompileError(problem, null);
}
