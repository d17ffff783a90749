// The signing kernel's public surface.
export { SignError, type SignErrorCode } from './errors.js';
export { signImage, type SignOptions, type SignResult } from './sign.js';
export { MANIFEST_COLLECTION, artifactManifest, manifestRecord, signaturePayload } from './artifact.js';
