// The registry client: the reads discovery needs (resolve, manifests, blobs, referrers
// with the tag-schema fallback) and the writes signing needs (blobs, manifests, the
// fallback index). Every byte that comes back is checked against its digest and size.

import type { ImageRef } from '../../ref/reference.js';
import { computeDigest, fallbackTag, matchesDigest, parseDigest } from './digest.js';
import { OciError } from './errors.js';
import {
  MANIFEST_ACCEPT,
  MAX_MANIFEST_BYTES,
  MEDIA,
  parseManifest,
  registryUrl,
  type Descriptor,
  type Manifest,
} from './media.js';
import { RegistryTransport, type AuthState, type RegistryOptions } from './transport.js';
import type { HttpResponse } from '../net/http.js';

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  size: number;
  bytes: Uint8Array;
  manifest: Manifest;
  /** The registry's ETag, for conditional writes. */
  etag?: string;
}

export interface ReferrersResult {
  descriptors: Descriptor[];
  /** Where the list came from: the referrers API or the `sha256-<hex>` tag. */
  source: 'referrers-api' | 'tag-schema';
}

/** Most referrers pages followed before giving up; a safety stop, not a protocol limit. */
export const MAX_REFERRER_PAGES = 100;

function describe(res: HttpResponse): string {
  return `${res.status} for ${new URL(res.url).pathname}`;
}

/** The `errors[].code` of a distribution error body (the spec's error format); [] when it is not one. */
function registryErrorCodes(res: HttpResponse): string[] {
  try {
    const body = JSON.parse(Buffer.from(res.body).toString('utf8')) as { errors?: { code?: unknown }[] };
    return Array.isArray(body.errors) ? body.errors.map((e) => (typeof e?.code === 'string' ? e.code : '')) : [];
  } catch {
    return [];
  }
}

function fail(res: HttpResponse, what: string): never {
  if (res.status === 404) throw new OciError('not-found', `${what} not found (${describe(res)})`, { status: 404 });
  if (res.status === 401 || res.status === 403) throw new OciError('auth-failed', `${what}: access denied (${describe(res)})`, { status: res.status });
  throw new OciError('registry-error', `${what}: unexpected ${describe(res)}`, { status: res.status });
}

/** The `rel="next"` target of a Link header, or undefined. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?(\s|;|$)/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

export class RegistryClient {
  readonly transport: RegistryTransport;

  constructor(registry: string, readonly repository: string, options: RegistryOptions = {}, auth?: AuthState) {
    this.transport = new RegistryTransport(registry, repository, options, auth);
  }

  static forImage(ref: Pick<ImageRef, 'registry' | 'repository'>, options: RegistryOptions = {}, auth?: AuthState): RegistryClient {
    return new RegistryClient(ref.registry, ref.repository, options, auth);
  }

  /**
   * A manifest by digest or tag. By digest, the bytes must hash to it; by tag, the
   * digest is computed from the bytes and a Docker-Content-Digest that disagrees is an
   * error (a registry must not tell us one digest and serve other bytes).
   */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const byDigest = reference.includes(':');
    if (byDigest && !parseDigest(reference)) throw new OciError('reference-invalid', `${reference} is not a sha256/sha512 digest`);
    const res = await this.transport.send(this.transport.path(`/manifests/${reference}`), {
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status !== 200) fail(res, `manifest ${this.repository}:${reference}`);
    const announced = res.headers['docker-content-digest'];
    let digest: string;
    if (byDigest) {
      if (!matchesDigest(res.body, reference)) throw new OciError('digest-mismatch', `manifest bytes do not hash to ${reference}`);
      digest = reference;
    } else {
      const alg = announced ? parseDigest(announced)?.algorithm : 'sha256';
      if (!alg) throw new OciError('digest-mismatch', `registry announced an unusable digest ${announced} for ${reference}`);
      digest = computeDigest(res.body, alg);
      if (announced && announced !== digest) {
        throw new OciError('digest-mismatch', `registry announced ${announced} for tag ${reference} but the bytes hash to ${digest}`);
      }
    }
    const manifest = parseManifest(res.body);
    const contentType = res.headers['content-type']?.split(';')[0]?.trim();
    const out: FetchedManifest = {
      digest,
      mediaType: manifest.mediaType ?? contentType ?? MEDIA.ociManifest,
      size: res.body.byteLength,
      bytes: res.body,
      manifest,
    };
    if (res.headers['etag']) out.etag = res.headers['etag'];
    return out;
  }

  /** The image an ImageRef names: by its digest when it has one, else by its tag. */
  resolve(ref: Pick<ImageRef, 'tag' | 'digest'>): Promise<FetchedManifest> {
    return this.getManifest(ref.digest || ref.tag || 'latest');
  }

  /** A blob, checked against the descriptor's digest and size; `maxBytes` caps the download. */
  async getBlob(desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Uint8Array> {
    if (!parseDigest(desc.digest)) throw new OciError('reference-invalid', `${desc.digest} is not a sha256/sha512 digest`);
    if (desc.size > maxBytes) throw new OciError('too-large', `blob ${desc.digest} is ${desc.size} bytes, over the ${maxBytes}-byte limit`);
    const res = await this.transport.send(this.transport.path(`/blobs/${desc.digest}`), {
      // Room for an error body even when the blob is tiny; a 200 longer than the
      // descriptor fails the size check below, never past maxBytes.
      maxBytes: Math.min(maxBytes, Math.max(desc.size, 16 * 1024)),
      followRedirects: true,
    });
    if (res.status !== 200) fail(res, `blob ${desc.digest}`);
    if (res.body.byteLength !== desc.size) {
      throw new OciError('size-mismatch', `blob ${desc.digest} is ${res.body.byteLength} bytes, descriptor says ${desc.size}`);
    }
    if (!matchesDigest(res.body, desc.digest)) throw new OciError('digest-mismatch', `blob bytes do not hash to ${desc.digest}`);
    return res.body;
  }

  /**
   * Referrers of `subject` with the given artifact type. Uses the referrers API, all
   * pages; on 404 the registry lacks it and the `sha256-<hex>` tag index is read instead.
   * The type filter is always applied here too: a registry may ignore the query.
   */
  async referrers(subject: string, artifactType: string): Promise<ReferrersResult> {
    if (!parseDigest(subject)) throw new OciError('reference-invalid', `${subject} is not a sha256/sha512 digest`);
    const keep = (d: Descriptor) => d.artifactType === artifactType;
    let url: string | undefined = this.transport.path(`/referrers/${subject}?artifactType=${encodeURIComponent(artifactType)}`);
    const out: Descriptor[] = [];
    for (let page = 0; url; page++) {
      if (page >= MAX_REFERRER_PAGES) throw new OciError('too-large', `more than ${MAX_REFERRER_PAGES} referrers pages for ${subject}`);
      const res = await this.transport.send(url, { headers: { accept: MEDIA.ociIndex }, maxBytes: MAX_MANIFEST_BYTES });
      if (res.status === 404 && page === 0) return { descriptors: await this.fallbackReferrers(subject, artifactType), source: 'tag-schema' };
      if (res.status !== 200) fail(res, `referrers of ${subject}`);
      const index = parseManifest(res.body);
      out.push(...(index.manifests ?? []).filter(keep));
      const next = nextLink(res.headers['link']);
      url = undefined;
      if (next) {
        const target = registryUrl(next, res.url, 'Link');
        // Pages stay on the registry: a Link elsewhere would leak our token.
        if (target.origin !== this.transport.origin) throw new OciError('registry-error', `referrers Link points to another origin: ${target.origin}`);
        url = target.toString();
      }
    }
    return { descriptors: out, source: 'referrers-api' };
  }

  private async fallbackReferrers(subject: string, artifactType: string): Promise<Descriptor[]> {
    const index = await this.getFallbackIndex(subject);
    return (index?.manifest.manifests ?? []).filter((d) => d.artifactType === artifactType);
  }

  /** The tag-schema index for `subject`, or null when the tag does not exist. */
  async getFallbackIndex(subject: string): Promise<FetchedManifest | null> {
    try {
      return await this.getManifest(fallbackTag(subject));
    } catch (e) {
      if (e instanceof OciError && e.code === 'not-found') return null;
      throw e;
    }
  }

  /** Whether the registry serves the referrers API (it never answers 404 there if so). */
  async hasReferrersApi(subject: string): Promise<boolean> {
    const res = await this.transport.send(this.transport.path(`/referrers/${subject}`), {
      headers: { accept: MEDIA.ociIndex },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status === 404) return false;
    if (res.status === 200) return true;
    fail(res, `referrers of ${subject}`);
  }

  async blobExists(digest: string): Promise<boolean> {
    const res = await this.transport.send(this.transport.path(`/blobs/${digest}`), { method: 'HEAD', maxBytes: 0, access: 'push' });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    fail(res, `blob ${digest}`);
  }

  /** Uploads a blob unless present: a POST to open the upload, one PUT with all bytes. */
  async putBlob(bytes: Uint8Array): Promise<{ digest: string; size: number }> {
    const digest = computeDigest(bytes);
    const size = bytes.byteLength;
    if (await this.blobExists(digest)) return { digest, size };
    const start = await this.transport.send(this.transport.path('/blobs/uploads/'), { method: 'POST', maxBytes: 64 * 1024, access: 'push', body: new Uint8Array(0) });
    if (start.status !== 202) fail(start, `blob upload to ${this.repository}`);
    const location = start.headers['location'];
    if (!location) throw new OciError('registry-error', 'blob upload answered 202 without a Location');
    const target = registryUrl(location, start.url, 'Location');
    target.searchParams.set('digest', digest);
    const done = await this.transport.send(target.toString(), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      maxBytes: 64 * 1024,
      access: 'push',
    });
    if (done.status !== 201) fail(done, `blob upload ${digest}`);
    return { digest, size };
  }

  /**
   * Pushes a manifest under a tag or its digest. `ifMatch` makes the write conditional
   * (412 → OciError 'conflict'); registries that ignore it simply overwrite.
   */
  async putManifest(
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    conditions: { ifMatch?: string; ifNoneMatch?: string } = {},
  ): Promise<{ digest: string; size: number; subject?: string }> {
    const headers: Record<string, string> = { 'content-type': mediaType };
    if (conditions.ifMatch) headers['if-match'] = conditions.ifMatch;
    if (conditions.ifNoneMatch) headers['if-none-match'] = conditions.ifNoneMatch;
    const res = await this.transport.send(this.transport.path(`/manifests/${reference}`), {
      method: 'PUT',
      headers,
      body: bytes,
      maxBytes: 64 * 1024,
      access: 'push',
    });
    if (res.status === 412) throw new OciError('conflict', `manifest ${reference} changed since it was read`, { status: 412 });
    if (res.status === 400 && registryErrorCodes(res).includes('MANIFEST_BLOB_UNKNOWN')) {
      throw new OciError('blob-unknown', `manifest push ${this.repository}:${reference}: the registry does not have a blob it names (MANIFEST_BLOB_UNKNOWN)`, { status: 400 });
    }
    if (res.status !== 201 && res.status !== 200) fail(res, `manifest push ${this.repository}:${reference}`);
    const digest = computeDigest(bytes);
    const out: { digest: string; size: number; subject?: string } = { digest, size: bytes.byteLength };
    if (res.headers['oci-subject']) out.subject = res.headers['oci-subject'];
    return out;
  }
}

