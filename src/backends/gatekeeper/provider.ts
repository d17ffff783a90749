// The external data Provider that answers for each image with its signature facts.

import type { CompileOptions } from '../artifact.js';
import { CA_BUNDLE_PLACEHOLDER, DEFAULT_SERVICE_URL, PROVIDER_NAME, PROVIDER_PATH, PROVIDER_TIMEOUT_SECONDS } from './names.js';

export function providerUrl(opts: CompileOptions): string {
  return (opts.serviceUrl ?? DEFAULT_SERVICE_URL).replace(/\/+$/u, '') + PROVIDER_PATH;
}

export function provider(opts: CompileOptions): Record<string, unknown> {
  return {
    apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
    kind: 'Provider',
    metadata: { name: PROVIDER_NAME },
    spec: {
      url: providerUrl(opts),
      timeout: PROVIDER_TIMEOUT_SECONDS,
      caBundle: CA_BUNDLE_PLACEHOLDER,
    },
  };
}
