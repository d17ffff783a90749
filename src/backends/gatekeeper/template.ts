// The ConstraintTemplate: parameters schema, the template's Rego and the compiled trust
// policy as a library module.

import type { IRDocument } from '../../ir/types.js';
import type { CompileOptions, GatekeeperRegoForm } from '../artifact.js';
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

/** The oldest Gatekeeper each Rego form runs on (external data with TLS, `import rego.v1`, `code`). */
export const MIN_GATEKEEPER_VERSION: Readonly<Record<GatekeeperRegoForm, string>> = { rego: '3.15', 'code-v1': '3.19' };

function regoTarget(ir: IRDocument, form: GatekeeperRegoForm): Record<string, unknown> {
  const rego = templateRego(ir);
  const libs = [renderModule(ir, LIB_PACKAGE)];
  const target = 'admission.k8s.gatekeeper.sh';
  if (form === 'code-v1') return { target, code: [{ engine: 'Rego', source: { version: 'v1', rego, libs } }] };
  return { target, rego, libs };
}

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
      targets: [regoTarget(ir, opts.gatekeeperRego ?? 'rego')],
    },
  };
}

export function sourceAnnotations(ir: IRDocument): Record<string, string> {
  return {
    'atcr.io/source': ir.source.file,
    'atcr.io/source-sha256': ir.source.sha256,
  };
}

