// The crypto kernel's public surface.
export { CryptoError, type CryptoErrorCode } from './errors.js';
export {
  parseDidKey,
  parseMultikey,
  parsePublicKey,
  parseVerificationMethod,
  type KeyAlgorithm,
  type PublicKey,
} from './keys.js';
export { isLowSCompact, verifySignature, verifyWithKey, verifyWithKeyAsync } from './verify.js';
