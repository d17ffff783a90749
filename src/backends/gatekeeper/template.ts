// The ConstraintTemplate: parameters schema, the template's Rego and the compiled trust
// policy as a library module.

import type { IRDocument } from '../../ir/types.js';
import type { CompileOptions } from '../artifact.js';
import { renderModule } from '../rego/module.js';
import { regoString } from '../rego/literal.js';
import { loadTemplate } from '../rego/templates.js';
import { CONSTRAINT_KIND, LIB_PACKAGE, PROVIDER_NAME, TEMPLATE_NAME, TEMPLATE_PACKAGE } from './names.js';
import { commentText } from '../text.js';

/** The Rego of the template's target (everything but the policy library). */
export function templateRego(ir: IRDocument): string {
  return loadTemplate('gatekeeper/template.rego.hbs')({
    source: { file: commentText(ir.source.file), sha256: commentText(ir.source.sha256) },
    packageName: TEMPLATE_PACKAGE,
    libPackage: LIB_PACKAGE,
    provider: PROVIDER_NAME,
    providerLiteral: regoString(PROVIDER_NAME),
  });
}

/** The oldest Gatekeeper the template runs on: external data with TLS and `code` with Rego v1. */
export const MIN_GATEKEEPER_VERSION = '3.19';

export function constraintTemplate(ir: IRDocument, opts: CompileOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: {
      name: TEMPLATE_NAME,
      annotations: sourceAnnotations(ir),
    },
    spec: {
      crd: {
        spec: {
          names: { kind: CONSTRAINT_KIND },
          validation: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                effect: {
                  type: 'string',
                  enum: ['deny', 'audit', 'warn'],
                  description: 'The decision effect this constraint reports; match it with enforcementAction (deny, dryrun, warn).',
                },
              },
            },
          },
        },
      },
      targets: [
        {
          target: 'admission.k8s.gatekeeper.sh',
          // Gatekeeper reads `rego:` as Rego v0 and refuses `import rego.v1` in any template
          // (only data.lib and future imports pass its rewriter), so the modules go in
          // `code` as v1 source, without that import (Gatekeeper 3.19+).
          code: [{ engine: 'Rego', source: { version: 'v1', rego: templateRego(ir), libs: [libraryRego(ir)] } }],
        },
      ],
    },
  };
}

/** The trust policy as the template's library: the Rego module under `lib.`, as v1 source without `import rego.v1`. */
export function libraryRego(ir: IRDocument): string {
  return renderModule(ir, LIB_PACKAGE).replace(/^import rego\.v1\n\n?/mu, '');
}

export function sourceAnnotations(ir: IRDocument): Record<string, string> {
  return {
    'atcr.io/source': ir.source.file,
    'atcr.io/source-sha256': ir.source.sha256,
  };
}

