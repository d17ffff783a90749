// Test helpers that push content with plain fetch, independent of the client under test:
// a small random image, and an ATProto signature artifact referring to it.

import { createHash, randomBytes } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const SIGNATURE_TYPE = 'application/vnd.atproto.signature.v1+json';
export const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Pushed {
  digest: string;
  size: number;
  bytes: Uint8Array;
}

export async function pushBlob(host: string, repo: string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
  const loc = new URL(start.headers.get('location')!, `http://${host}`);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { ...headers, 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${await put.text()}`);
  return digest;
}

export async function pushManifest(
  host: string,
  repo: string,
  ref: string,
  manifest: unknown,
  mediaType = OCI_MANIFEST,
  headers: Record<string, string> = {},
): Promise<Pushed> {
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    body: bytes,
    headers: { ...headers, 'content-type': mediaType },
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return { digest: sha256(bytes), size: bytes.byteLength, bytes };
}

/** A one-layer image with random content, tagged `tag`. */
export async function pushImage(host: string, repo: string, tag = 'latest', headers: Record<string, string> = {}): Promise<Pushed> {
  const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = randomBytes(64);
  const configDigest = await pushBlob(host, repo, config, headers);
  const layerDigest = await pushBlob(host, repo, layer, headers);
  return pushManifest(host, repo, tag, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.byteLength }],
  }, OCI_MANIFEST, headers);
}

/** A signature artifact for `subject` carrying `payload` as its one layer, pushed by digest. */
export async function pushSignatureArtifact(
  host: string,
  repo: string,
  subject: Pushed,
  payload: unknown,
  options: { artifactType?: string; annotations?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Pushed> {
  const headers = options.headers ?? {};
  const payloadBytes = new TextEncoder().encode(JSON.stringify(payload));
  await pushBlob(host, repo, new TextEncoder().encode('{}'), headers);
  const payloadDigest = await pushBlob(host, repo, payloadBytes, headers);
  const artifactType = options.artifactType ?? SIGNATURE_TYPE;
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_DIGEST, size: 2 },
    layers: [{ mediaType: artifactType, digest: payloadDigest, size: payloadBytes.byteLength }],
    subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size },
    annotations: options.annotations ?? { 'org.opencontainers.image.created': '2026-11-20T08:00:00Z' },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  return pushManifest(host, repo, sha256(bytes), manifest, OCI_MANIFEST, headers);
}
