// An in-process OCI registry for tests: blobs, manifests and tags in memory, the
// referrers API (artifactType filter, OCI-Filters-Applied, Link pagination), ETag and
// If-Match on manifests, and optional Bearer or Basic auth. Switches turn features off
// to imitate older registries (no referrers API, no filtering, no conditional writes).

import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface MemoryRegistryOptions {
  /** Serve the referrers API (default true); false answers 404 like distribution 2.8. */
  referrers?: boolean;
  /** Apply the artifactType query (default true). */
  filters?: boolean;
  /** Descriptors per referrers page (default: all in one page). */
  pageSize?: number;
  /** Honour If-Match / If-None-Match on manifest PUT (default true). */
  conditional?: boolean;
  /** The loopback address to serve on (default 127.0.0.1; `::1` for IPv6). */
  address?: '127.0.0.1' | '::1';
  /** `bearer`: token flow via /token; `basic`: Basic credentials directly. */
  auth?: 'bearer' | 'basic';
  /** Credentials the token endpoint (bearer) or registry (basic) requires; none → anonymous tokens. */
  user?: { username: string; password: string };
  /**
   * An OAuth2 refresh token (Docker's identity token) the token endpoint also takes, POSTed
   * as a form with grant_type=refresh_token; it answers `access_token`, as OAuth2 servers do.
   */
  refreshToken?: string;
  /** Override the realm URL sent in the Bearer challenge. */
  realm?: string;
  /** Refuse every write with 403 DENIED, as a pull-only account sees. */
  readOnly?: boolean;
  /** Answer this many GETs of a fallback index tag (`sha256-…`) with 500, as distribution does mid-write. */
  failIndexReads?: number;
  /**
   * Lose the config blob of this many manifest pushes that have a subject, answering 400
   * MANIFEST_BLOB_UNKNOWN — what distribution 2.8's filesystem storage can do after two
   * uploads of one blob commit at once.
   */
  loseSubjectBlobs?: number;
  /** Answer blob GETs with a 307 to `<blobRedirect>/<digest>` (a storage backend elsewhere). */
  blobRedirect?: string;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface Repo {
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  authorization?: string;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export class MemoryRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly repos = new Map<string, Repo>();
  readonly log: RequestLogEntry[] = [];
  private readonly uploads = new Map<string, string>();
  private readonly tokens = new Set<string>();
  private server: http.Server | undefined;
  /** `127.0.0.1:<port>` or `[::1]:<port>`, usable as the registry part of an image reference. */
  host = '';

  constructor(readonly options: MemoryRegistryOptions = {}) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.handle(req, res, Buffer.concat(chunks));
        } catch (e) {
          res.statusCode = 500;
          res.end(String(e));
        }
      });
    });
    const address = this.options.address ?? '127.0.0.1';
    await new Promise<void>((r) => this.server!.listen(0, address, r));
    const port = (this.server.address() as AddressInfo).port;
    this.host = address === '::1' ? `[::1]:${port}` : `127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  repo(name: string): Repo {
    let r = this.repos.get(name);
    if (!r) {
      r = { manifests: new Map(), tags: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  /** Stores a manifest directly (bypassing HTTP), returning its digest. */
  putManifest(name: string, bytes: Uint8Array, mediaType: string, tag?: string): string {
    const digest = sha256(bytes);
    const r = this.repo(name);
    r.manifests.set(digest, { bytes: Buffer.from(bytes), mediaType });
    if (tag) r.tags.set(tag, digest);
    return digest;
  }

  putBlob(bytes: Uint8Array): string {
    const digest = sha256(bytes);
    this.blobs.set(digest, Buffer.from(bytes));
    return digest;
  }

  private authorized(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (this.options.auth === 'bearer') return header.startsWith('Bearer ') && this.tokens.has(header.slice(7));
    if (this.options.auth === 'basic') return this.checkBasic(header);
    return true;
  }

  private checkBasic(header: string): boolean {
    const u = this.options.user;
    if (!u) return true;
    return header === `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
  }

  private challenge(res: http.ServerResponse, name: string, push: boolean): void {
    res.statusCode = 401;
    if (this.options.auth === 'basic') {
      res.setHeader('www-authenticate', 'Basic realm="memory-registry"');
    } else {
      const realm = this.options.realm ?? `http://${this.host}/token`;
      res.setHeader(
        'www-authenticate',
        `Bearer realm="${realm}",service="memory-registry",scope="repository:${name}:${push ? 'pull,push' : 'pull'}"`,
      );
    }
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED' }] }));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const url = new URL(req.url!, `http://${this.host}`);
    const path = url.pathname;
    this.log.push({ method: req.method!, path: path + url.search, authorization: req.headers.authorization });
    if (req.method === 'GET' && /\/manifests\/sha256-/.test(path) && (this.options.failIndexReads ?? 0) > 0) {
      this.options.failIndexReads!--;
      res.statusCode = 500;
      return void res.end('storage busy');
    }

    if (path === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body.toString('utf8'));
      const known = this.options.refreshToken !== undefined && form.get('refresh_token') === this.options.refreshToken;
      if (form.get('grant_type') !== 'refresh_token' || !known || !form.get('scope')) {
        res.statusCode = 401;
        return void res.end('{"error":"invalid_grant"}');
      }
      const token = randomUUID();
      this.tokens.add(token);
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify({ access_token: token, expires_in: 300, scope: form.get('scope') }));
    }
    if (path === '/token') {
      if (!this.checkBasic(req.headers.authorization ?? '')) {
        res.statusCode = 401;
        return void res.end();
      }
      const token = randomUUID();
      this.tokens.add(token);
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify({ token, expires_in: 300 }));
    }
    if (path === '/v2/' || path === '/v2') {
      if (!this.authorized(req)) return this.challenge(res, '', false);
      return void res.end('{}');
    }
    const m = /^\/v2\/(.+?)\/(manifests|blobs\/uploads|blobs|referrers)\/?(.*)$/.exec(path);
    if (!m) return this.notFound(res, 'NAME_UNKNOWN');
    const [, name, kind, rest] = m as unknown as [string, string, string, string];
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    if (!this.authorized(req)) return this.challenge(res, name, write);
    if (write && this.options.readOnly) {
      res.statusCode = 403;
      return void res.end(JSON.stringify({ errors: [{ code: 'DENIED' }] }));
    }

    switch (kind) {
      case 'blobs/uploads':
        return this.upload(req, res, url, name, rest, body);
      case 'blobs':
        return this.blob(req, res, rest);
      case 'manifests':
        return this.manifest(req, res, name, rest, body);
      case 'referrers':
        return this.referrers(res, url, name, rest);
    }
  }

  private notFound(res: http.ServerResponse, code: string): void {
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ errors: [{ code }] }));
  }

  private upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, name: string, id: string, body: Buffer): void {
    if (req.method === 'POST' && id === '') {
      const monolithic = url.searchParams.get('digest');
      if (monolithic) {
        if (sha256(body) !== monolithic) return this.badDigest(res);
        this.blobs.set(monolithic, body);
        res.statusCode = 201;
        res.setHeader('location', `/v2/${name}/blobs/${monolithic}`);
        return void res.end();
      }
      const uuid = randomUUID();
      this.uploads.set(uuid, '');
      res.statusCode = 202;
      res.setHeader('location', `/v2/${name}/blobs/uploads/${uuid}?state=x`);
      return void res.end();
    }
    if (req.method === 'PUT' && this.uploads.has(id)) {
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(body) !== digest) return this.badDigest(res);
      this.uploads.delete(id);
      this.blobs.set(digest, body);
      res.statusCode = 201;
      res.setHeader('location', `/v2/${name}/blobs/${digest}`);
      res.setHeader('docker-content-digest', digest);
      return void res.end();
    }
    return this.notFound(res, 'BLOB_UPLOAD_UNKNOWN');
  }

  private badDigest(res: http.ServerResponse): void {
    res.statusCode = 400;
    res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID' }] }));
  }

  private blob(req: http.IncomingMessage, res: http.ServerResponse, digest: string): void {
    const b = this.blobs.get(digest);
    if (!b) return this.notFound(res, 'BLOB_UNKNOWN');
    if (this.options.blobRedirect && req.method === 'GET') {
      res.statusCode = 307;
      res.setHeader('location', `${this.options.blobRedirect}/${digest}`);
      return void res.end();
    }
    res.setHeader('content-length', String(b.length));
    res.setHeader('docker-content-digest', digest);
    res.end(req.method === 'HEAD' ? undefined : b);
  }

  private manifest(req: http.IncomingMessage, res: http.ServerResponse, name: string, ref: string, body: Buffer): void {
    const r = this.repo(name);
    if (req.method === 'PUT') {
      const digest = sha256(body);
      if (ref.includes(':') && ref !== digest) return this.badDigest(res);
      if (!ref.includes(':') && this.options.conditional !== false) {
        const current = r.tags.get(ref);
        const ifMatch = req.headers['if-match'];
        const ifNoneMatch = req.headers['if-none-match'];
        if ((ifMatch && ifMatch !== `"${current}"`) || (ifNoneMatch === '*' && current)) {
          res.statusCode = 412;
          return void res.end();
        }
      }
      let parsed: { subject?: { digest?: string }; config?: { digest?: string } } = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        res.statusCode = 400;
        return void res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID' }] }));
      }
      const config = parsed.config?.digest;
      if (parsed.subject && config && (this.options.loseSubjectBlobs ?? 0) > 0) {
        this.options.loseSubjectBlobs!--;
        this.blobs.delete(config);
      }
      if (config && !this.blobs.has(config)) {
        res.statusCode = 400;
        return void res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', detail: config }] }));
      }
      r.manifests.set(digest, { bytes: body, mediaType: String(req.headers['content-type'] ?? '') });
      if (!ref.includes(':')) r.tags.set(ref, digest);
      res.statusCode = 201;
      res.setHeader('docker-content-digest', digest);
      res.setHeader('location', `/v2/${name}/manifests/${digest}`);
      if (parsed.subject?.digest && this.options.referrers !== false) res.setHeader('oci-subject', parsed.subject.digest);
      return void res.end();
    }
    const digest = ref.includes(':') ? ref : r.tags.get(ref);
    const stored = digest ? r.manifests.get(digest) : undefined;
    if (!digest || !stored) return this.notFound(res, 'MANIFEST_UNKNOWN');
    res.setHeader('content-type', stored.mediaType);
    res.setHeader('content-length', String(stored.bytes.length));
    res.setHeader('docker-content-digest', digest);
    res.setHeader('etag', `"${digest}"`);
    res.end(req.method === 'HEAD' ? undefined : stored.bytes);
  }

  /** The descriptors the referrers API lists for `subject` in `name`. */
  referrersOf(name: string, subject: string): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const [digest, m] of this.repo(name).manifests) {
      let json: Record<string, any>;
      try {
        json = JSON.parse(m.bytes.toString('utf8')) as Record<string, any>;
      } catch {
        continue;
      }
      if (json.subject?.digest !== subject) continue;
      const d: Record<string, unknown> = {
        mediaType: json.mediaType ?? m.mediaType,
        digest,
        size: m.bytes.length,
        artifactType: json.artifactType ?? json.config?.mediaType,
      };
      if (json.annotations) d.annotations = json.annotations;
      out.push(d);
    }
    return out.sort((a, b) => String(a.digest).localeCompare(String(b.digest)));
  }

  private referrers(res: http.ServerResponse, url: URL, name: string, subject: string): void {
    if (this.options.referrers === false) return this.notFound(res, 'NOT_FOUND');
    let list = this.referrersOf(name, subject);
    const type = url.searchParams.get('artifactType');
    if (type && this.options.filters !== false) {
      list = list.filter((d) => d.artifactType === type);
      res.setHeader('oci-filters-applied', 'artifactType');
    }
    const start = Number(url.searchParams.get('n_start') ?? '0');
    const size = this.options.pageSize ?? list.length;
    const page = list.slice(start, start + Math.max(size, 1));
    if (start + size < list.length) {
      const next = new URL(url.toString());
      next.searchParams.set('n_start', String(start + size));
      res.setHeader('link', `<${next.pathname}${next.search}>; rel="next"`);
    }
    res.setHeader('content-type', 'application/vnd.oci.image.index.v1+json');
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: page }));
  }
}
