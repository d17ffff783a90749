// Step 1: the signature artifact manifest is what its descriptor says, refers to the
// image, and carries exactly one payload layer of the signature media type.

import { matchesDigest, parseDigest } from '../oci/digest.js';
import { VerifyError } from './errors.js';
import { parseJsonObject } from './json.js';

export const SIGNATURE_ARTIFACT_TYPE = 'application/vnd.atproto.signature.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** Artifact manifests are small; anything larger is not one of ours. */
export const MAX_ARTIFACT_BYTES = 64 * 1024;

export interface PayloadDescriptor {
  digest: string;
  size: number;
}

function invalid(message: string): never {
  throw new VerifyError('artifact-invalid', message);
}

export function checkArtifactManifest(bytes: Uint8Array, descriptorDigest: string, imageDigest: string): PayloadDescriptor {
  if (bytes.length > MAX_ARTIFACT_BYTES) invalid(`artifact manifest of ${bytes.length} bytes is too large`);
  if (!matchesDigest(bytes, descriptorDigest)) invalid(`artifact manifest bytes do not hash to ${descriptorDigest}`);
  const m = parseJsonObject(bytes, 'artifact-invalid', 'artifact manifest');
  if (m.schemaVersion !== 2) invalid('artifact manifest schemaVersion is not 2');
  if (m.mediaType !== undefined && m.mediaType !== OCI_MANIFEST) invalid('artifact manifest is not an OCI image manifest');
  if (m.artifactType !== SIGNATURE_ARTIFACT_TYPE) invalid(`artifactType is not ${SIGNATURE_ARTIFACT_TYPE}`);
  const subject = m.subject as Record<string, unknown> | undefined;
  if (typeof subject !== 'object' || subject === null || subject.digest !== imageDigest) {
    invalid(`artifact subject is not the image ${imageDigest}`);
  }
  const layers = m.layers;
  if (!Array.isArray(layers) || layers.length !== 1) invalid('artifact manifest must have exactly one layer');
  const layer = layers[0] as Record<string, unknown> | null;
  if (typeof layer !== 'object' || layer === null || layer.mediaType !== SIGNATURE_ARTIFACT_TYPE) {
    invalid(`the layer's media type is not ${SIGNATURE_ARTIFACT_TYPE}`);
  }
  if (typeof layer.digest !== 'string' || !parseDigest(layer.digest)) invalid('the layer digest is malformed');
  if (!Number.isSafeInteger(layer.size) || (layer.size as number) < 0) invalid('the layer size is malformed');
  return { digest: layer.digest as string, size: layer.size as number };
}
