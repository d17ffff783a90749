// `--target rego`: the trust policy as one Rego v1 module (package atcr.trust, rule
// `decision`), plus the same module laid out as an OPA bundle.

import type { IRDocument } from '../../ir/types.js';
import { textArtifact, type Artifact, type CompileOptions } from '../artifact.js';
import { REGO_PACKAGE, renderModule } from './module.js';
import { jsonDocument } from '../text.js';

export { REGO_PACKAGE, renderModule } from './module.js';

/** The module text: package atcr.trust, rule `decision`. */
export function regoModule(ir: IRDocument): string {
  return renderModule(ir, REGO_PACKAGE);
}

export function compileRego(ir: IRDocument, _opts: CompileOptions = {}): Artifact[] {
  const module = regoModule(ir);
  // The manifest claims the `atcr` root so that other bundles cannot write under it;
  // the revision ties a running bundle to the policy source it came from.
  const manifest = { revision: ir.source.sha256, roots: ['atcr'] };
  return [
    textArtifact('policy.rego', module),
    textArtifact('bundle/.manifest', jsonDocument(manifest)),
    textArtifact('bundle/atcr/trust/policy.rego', module),
  ];
}
