// `--pin-digests`: Gatekeeper Assign mutations that replace each Pod container image with
// the digest the atcr-verify service verified (`registry/repo@sha256:…`), so the kubelet
// pulls exactly what was checked even if a tag moves after admission. Mutation runs
// before validation, so the constraints then decide the pinned reference.

import type { IRDocument } from '../../ir/types.js';
import type { CompileOptions } from '../artifact.js';
import { sourceAnnotations } from './template.js';
import { DEFAULT_EXCLUDED_NAMESPACES, MUTATE_PROVIDER_NAME } from './names.js';

/** The Pod fields that hold images, and the suffix of each Assign's name. */
const CONTAINER_FIELDS = [
  ['containers', 'containers'],
  ['initContainers', 'init-containers'],
  ['ephemeralContainers', 'ephemeral-containers'],
] as const;

/**
 * `Fail`: an image the service cannot pin is not admitted by its tag (the request is
 * rejected with the provider's error). The service answers every key it does not need
 * to pin with the key itself, so only real failures reject.
 */
export const PIN_FAILURE_POLICY = 'Fail';

export function pinAssigns(ir: IRDocument, opts: CompileOptions): Record<string, unknown>[] {
  const excluded = [...(opts.excludedNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES)];
  return CONTAINER_FIELDS.map(([field, suffix]) => ({
    apiVersion: 'mutations.gatekeeper.sh/v1',
    kind: 'Assign',
    metadata: { name: `atcr-pin-digests-${suffix}`, annotations: sourceAnnotations(ir) },
    spec: {
      applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }],
      match: {
        scope: 'Namespaced',
        kinds: [{ apiGroups: [''], kinds: ['Pod'] }],
        ...(excluded.length > 0 ? { excludedNamespaces: excluded } : {}),
      },
      location: `spec.${field}[name:*].image`,
      parameters: {
        assign: {
          externalData: { provider: MUTATE_PROVIDER_NAME, dataSource: 'ValueAtLocation', failurePolicy: PIN_FAILURE_POLICY },
        },
      },
    },
  }));
}
