// The external data Providers: one answers for each image with its signature facts, the
// other (with `--pin-digests`) with the image pinned to its verified digest.

import type { CompileOptions } from '../artifact.js';
import {
  CA_BUNDLE_PLACEHOLDER,
  DEFAULT_SERVICE_URL,
  MUTATE_PROVIDER_NAME,
  MUTATE_PROVIDER_PATH,
  PROVIDER_NAME,
  PROVIDER_PATH,
  PROVIDER_TIMEOUT_SECONDS,
} from './names.js';

function serviceUrl(opts: CompileOptions, path: string): string {
  return (opts.serviceUrl ?? DEFAULT_SERVICE_URL).replace(/\/+$/u, '') + path;
}

export function providerUrl(opts: CompileOptions): string {
  return serviceUrl(opts, PROVIDER_PATH);
}

export function mutateProviderUrl(opts: CompileOptions): string {
  return serviceUrl(opts, MUTATE_PROVIDER_PATH);
}

function providerObject(name: string, url: string, opts: CompileOptions): Record<string, unknown> {
  const caBundle = opts.caBundle !== undefined ? Buffer.from(opts.caBundle, 'utf8').toString('base64') : CA_BUNDLE_PLACEHOLDER;
  return {
    apiVersion: 'externaldata.gatekeeper.sh/v1beta1',
    kind: 'Provider',
    metadata: { name },
    spec: { url, timeout: PROVIDER_TIMEOUT_SECONDS, caBundle },
  };
}

export function provider(opts: CompileOptions): Record<string, unknown> {
  return providerObject(PROVIDER_NAME, providerUrl(opts), opts);
}

/** Every Provider the compiled objects call. */
export function providers(opts: CompileOptions): Record<string, unknown>[] {
  const all = [provider(opts)];
  if (opts.pinDigests) all.push(providerObject(MUTATE_PROVIDER_NAME, mutateProviderUrl(opts), opts));
  return all;
}
