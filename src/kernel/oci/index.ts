// The registry client's public surface.
export { OciError, type OciErrorCode } from './errors.js';
export { computeDigest, fallbackTag, matchesDigest, parseDigest, type ParsedDigest } from './digest.js';
export {
  EMPTY_CONFIG,
  MANIFEST_ACCEPT,
  MAX_MANIFEST_BYTES,
  MEDIA,
  artifactTypeOf,
  parseDescriptor,
  parseManifest,
  type Descriptor,
  type Manifest,
} from './media.js';
export { parseChallenge, type Challenge } from './challenge.js';
export { credentialsFromDockerConfig, dockerConfigPath, type Credentials } from './credentials.js';
export { RegistryTransport, registryApiHost, type RegistryOptions } from './transport.js';
export { MAX_REFERRER_PAGES, RegistryClient, nextLink, type FetchedManifest, type ReferrersResult } from './client.js';
export { addToFallbackIndex, type FallbackIndexOptions } from './fallback-index.js';
