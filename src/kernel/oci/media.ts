// OCI/Docker manifest and index shapes, normalised once from registry bytes so that
// nothing past this file reads raw JSON.

import { OciError } from './errors.js';
import { parseDigest } from './digest.js';
import { parseUtf8Json } from '../json.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  empty: 'application/vnd.oci.empty.v1+json',
  atprotoSignature: 'application/vnd.atproto.signature.v1+json',
} as const;

export const EMPTY_CONFIG = {
  mediaType: MEDIA.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(', ');

/** Largest manifest or index accepted (the distribution spec's recommended limit). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: unknown;
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new OciError('manifest-invalid', `${where}.annotations must map strings to strings`);
  }
  return v as Record<string, string>;
}

export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isRecord(v)) throw new OciError('manifest-invalid', `${where} is not a descriptor object`);
  const { mediaType, digest, size, artifactType } = v;
  if (typeof mediaType !== 'string') throw new OciError('manifest-invalid', `${where}.mediaType is missing`);
  if (typeof digest !== 'string' || !parseDigest(digest)) throw new OciError('manifest-invalid', `${where}.digest is not a sha256/sha512 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new OciError('manifest-invalid', `${where}.size is not a size`);
  if (artifactType !== undefined && typeof artifactType !== 'string') throw new OciError('manifest-invalid', `${where}.artifactType is not a string`);
  const out: Descriptor = { mediaType, digest, size };
  if (artifactType !== undefined) out.artifactType = artifactType;
  const annotations = stringMap(v.annotations, where);
  if (annotations) out.annotations = annotations;
  if (v.platform !== undefined) out.platform = v.platform;
  return out;
}

/** Parses manifest or index bytes; throws OciError('manifest-invalid') for anything else. */
export function parseManifest(bytes: Uint8Array): Manifest {
  let json: unknown;
  try {
    json = parseUtf8Json(bytes);
  } catch (cause) {
    throw new OciError('manifest-invalid', 'the manifest is not UTF-8 JSON', { cause });
  }
  if (!isRecord(json)) throw new OciError('manifest-invalid', 'the manifest is not a JSON object');
  if (json.schemaVersion !== 2) throw new OciError('manifest-invalid', 'the manifest schemaVersion is not 2');
  const m: Manifest = { schemaVersion: 2 };
  if (json.mediaType !== undefined) {
    if (typeof json.mediaType !== 'string') throw new OciError('manifest-invalid', 'mediaType is not a string');
    m.mediaType = json.mediaType;
  }
  if (json.artifactType !== undefined) {
    if (typeof json.artifactType !== 'string') throw new OciError('manifest-invalid', 'artifactType is not a string');
    m.artifactType = json.artifactType;
  }
  if (json.config !== undefined) m.config = parseDescriptor(json.config, 'config');
  for (const key of ['layers', 'manifests'] as const) {
    const list = json[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new OciError('manifest-invalid', `${key} is not an array`);
    m[key] = list.map((d, i) => parseDescriptor(d, `${key}[${i}]`));
  }
  if (json.subject !== undefined) m.subject = parseDescriptor(json.subject, 'subject');
  const annotations = stringMap(json.annotations, 'manifest');
  if (annotations) m.annotations = annotations;
  if (!m.config && !m.manifests) throw new OciError('manifest-invalid', 'neither an image manifest nor an index');
  return m;
}

/** The artifact type a referrers listing reports for a manifest. */
export function artifactTypeOf(m: Manifest): string | undefined {
  return m.artifactType ?? m.config?.mediaType;
}

/** A URL the registry sent (Location, Link), resolved against the response URL. */
export function registryUrl(text: string, base: string, what: string): URL {
  try {
    return new URL(text, base);
  } catch (cause) {
    throw new OciError('registry-error', `the registry sent a ${what} that is not a URL`, { cause });
  }
}
