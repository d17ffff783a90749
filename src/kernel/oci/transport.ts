// Authenticated HTTP to one repository of one registry. Anonymous first; a 401 with a
// Bearer challenge runs the token flow (with Basic credentials when we have them), a
// Basic challenge sends them directly. The registry host is the user's choice and may
// be private; URLs the registry hands us on other hosts (token realm, redirects,
// upload locations) are held to the private-address rule unless the operator allowed
// private networks or the registry itself is on loopback.

import { isLoopbackHost } from '../net/address.js';
import { NetError } from '../net/errors.js';
import { isRedirect, request, type HttpResponse, type RequestGate } from '../net/http.js';
import { parseChallenge } from './challenge.js';
import { DEFAULT_HELPER_TIMEOUT_MS } from './credential-helper.js';
import { CredentialsError, resolveCredentials, type Credentials } from './credentials.js';
import { OciError } from './errors.js';
import { registryUrl } from './media.js';

export interface RegistryOptions {
  /** Hosts (`host` or `host:port`) the user named insecure: plain http is used for them. */
  insecureRegistries?: string[];
  /** Let URLs from the registry (token realm, redirects) reach private addresses. */
  allowPrivateNetwork?: boolean;
  /** Per-request deadline; default 30 s. */
  timeoutMs?: number;
  /** Explicit credentials; when undefined the environment and the Docker config file are read (credentials.ts). */
  credentials?: Credentials | null;
  /** Docker config file path (default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`). */
  dockerConfigPath?: string;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  signal?: AbortSignal;
  /** Per-host request slots (net/http.ts RequestGate), for the registry and its token service. */
  gate?: RequestGate;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  maxBytes: number;
  /** `push` asks the token service for pull and push rights. */
  access?: 'pull' | 'push';
  /** Follow redirects (blob downloads), dropping credentials on another origin. */
  followRedirects?: boolean;
}

const MAX_TOKEN_BYTES = 1024 * 1024;

/** The API host of a registry name as users write it. */
export function registryApiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

/**
 * What one registry repository granted us: the Authorization header and the access it
 * carries. Shared by every transport of a pool for that registry and repository (the
 * token's scope), so a long-running verifier asks the token service once, not per image.
 */
export interface AuthState {
  authorization?: string;
  authorizedFor?: 'pull' | 'push';
  /**
   * Looked up once, on the first 401: an anonymous pull never reads the config file
   * or runs a credential helper. Undefined until then.
   */
  credentials?: Promise<Credentials | null>;
}

export class RegistryTransport {
  readonly baseUrl: string;
  readonly origin: string;
  private readonly secureHostname: boolean;
  private readonly loopback: boolean;
  private readonly auth: AuthState;

  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly options: RegistryOptions = {},
    /** Shared with other transports to the same registry and repository (a pool); default its own. */
    auth: AuthState = {},
  ) {
    const host = registryApiHost(registry);
    let hostname: string;
    try {
      hostname = new URL(`http://${host}`).hostname;
    } catch (cause) {
      throw new OciError('reference-invalid', `registry host ${registry} is not a host name`, { cause });
    }
    this.loopback = isLoopbackHost(hostname);
    const insecure = (options.insecureRegistries ?? []).some((h) => h.toLowerCase() === registry.toLowerCase() || h.toLowerCase() === hostname.toLowerCase());
    this.secureHostname = !(this.loopback || insecure);
    this.baseUrl = `${this.secureHostname ? 'https' : 'http'}://${host}`;
    this.origin = new URL(this.baseUrl).origin;
    this.auth = auth;
  }

  /** The credentials for this registry, shared through the auth state; a lookup failure is an auth failure naming why. */
  private async credentials(): Promise<Credentials | null> {
    const pending = (this.auth.credentials ??= resolveCredentials(this.registry, {
      ...(this.options.credentials !== undefined ? { credentials: this.options.credentials } : {}),
      ...(this.options.dockerConfigPath !== undefined ? { dockerConfigPath: this.options.dockerConfigPath } : {}),
      timeoutMs: Math.min(this.options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS, DEFAULT_HELPER_TIMEOUT_MS),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    }));
    try {
      return await pending;
    } catch (e) {
      // Not kept: a long-running service asks again on its next request (a helper fixed, a deadline of this request only).
      if (this.auth.credentials === pending) this.auth.credentials = undefined;
      if (e instanceof CredentialsError) throw new OciError('auth-failed', `registry ${this.registry}: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** `/v2/<repository>` + suffix. */
  path(suffix: string): string {
    return `${this.baseUrl}/v2/${this.repository}${suffix}`;
  }

  /** The address and scheme rules for a URL this client is about to fetch. */
  policyFor(url: URL): { allowPrivate: boolean; allowHttp: boolean } {
    if (url.origin === this.origin) return { allowPrivate: true, allowHttp: !this.secureHostname };
    const sameHost = url.hostname === new URL(this.origin).hostname;
    return {
      allowPrivate: Boolean(this.options.allowPrivateNetwork) || this.loopback || sameHost,
      allowHttp: (!this.secureHostname && sameHost) || (this.loopback && isLoopbackHost(url.hostname)),
    };
  }

  private async raw(url: string, opts: SendOptions, authorization: string | undefined): Promise<HttpResponse> {
    const parsed = new URL(url);
    const headers = { ...(opts.headers ?? {}) };
    if (authorization && parsed.origin === this.origin) headers['authorization'] = authorization;
    try {
      return await request(url, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body,
        timeoutMs: this.options.timeoutMs ?? 30_000,
        maxBytes: opts.maxBytes,
        ...this.policyFor(parsed),
        signal: this.options.signal,
        ca: this.options.ca,
        gate: this.options.gate,
      });
    } catch (e) {
      if (e instanceof NetError) {
        if (e.code === 'too-large') throw new OciError('too-large', e.message, { cause: e, netCode: e.code });
        throw new OciError('network', `registry ${this.registry}: ${e.message}`, { cause: e, netCode: e.code });
      }
      throw e;
    }
  }

  /** One request with the auth flow and, if asked, up to 3 redirects. */
  async send(url: string, opts: SendOptions): Promise<HttpResponse> {
    const access = opts.access ?? 'pull';
    const auth = access === 'push' && this.auth.authorizedFor === 'pull' ? undefined : this.auth.authorization;
    let res = await this.raw(url, opts, auth);
    if (res.status === 401) {
      // A shared token may have expired, or another transport may have replaced it already.
      await this.authenticate(res, access);
      res = await this.raw(url, opts, this.auth.authorization);
      if (res.status === 401) throw new OciError('auth-failed', `registry ${this.registry} refused our credentials for ${this.repository}`, { status: 401 });
    }
    for (let hop = 0; opts.followRedirects && isRedirect(res.status) && hop < 3; hop++) {
      const location = res.headers['location'];
      if (!location) break;
      const next = registryUrl(location, res.url, 'redirect Location').toString();
      res = await this.raw(next, { ...opts, method: 'GET', body: undefined }, this.auth.authorization);
    }
    return res;
  }

  private async authenticate(res: HttpResponse, access: 'pull' | 'push'): Promise<void> {
    const challenge = parseChallenge(res.headers['www-authenticate'] ?? '');
    if (challenge?.scheme === 'basic') {
      const credentials = await this.credentials();
      if (!credentials) throw new OciError('auth-failed', `registry ${this.registry} requires a login and no credentials were found`, { status: 401 });
      if (credentials.identityToken !== undefined) {
        throw new OciError('auth-failed', `registry ${this.registry} asks for Basic credentials, and the ones found are an identity token (for a token service only)`, { status: 401 });
      }
      this.auth.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      this.auth.authorizedFor = 'push';
      return;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new OciError('auth-failed', `registry ${this.registry} answered 401 without a usable Bearer or Basic challenge`, { status: 401 });
    }
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch (cause) {
      throw new OciError('auth-failed', `registry ${this.registry} sent a token realm that is not a URL`, { cause });
    }
    const actions = access === 'push' ? 'pull,push' : 'pull';
    const scope = access === 'push' || !challenge.params.scope ? `repository:${this.repository}:${actions}` : challenge.params.scope;
    const headers: Record<string, string> = { accept: 'application/json' };
    const credentials = await this.credentials();
    let body: Buffer | undefined;
    if (credentials?.identityToken !== undefined) {
      // Docker's OAuth2 flow (distribution's token spec, "oauth"): the refresh token is
      // POSTed as a form to the realm, never sent as Basic credentials.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'atcr-verify', scope });
      if (challenge.params.service) form.set('service', challenge.params.service);
      body = Buffer.from(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
      realm.searchParams.set('scope', scope);
      if (credentials) headers['authorization'] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    let tokenRes: HttpResponse;
    try {
      tokenRes = await request(realm.toString(), {
        ...(body ? { method: 'POST', body } : {}),
        headers,
        timeoutMs: this.options.timeoutMs ?? 30_000,
        maxBytes: MAX_TOKEN_BYTES,
        ...this.policyFor(realm),
        signal: this.options.signal,
        ca: this.options.ca,
        gate: this.options.gate,
      });
    } catch (e) {
      if (e instanceof NetError && e.code !== 'http-scheme' && e.code !== 'private-address') {
        throw new OciError('network', `token service of ${this.registry}: ${e.message}`, { cause: e, netCode: e.code });
      }
      throw new OciError('auth-failed', `token service of ${this.registry}: ${(e as Error).message}`, { cause: e });
    }
    if (tokenRes.status !== 200) {
      throw new OciError('auth-failed', `token service of ${this.registry} answered ${tokenRes.status}`, { status: tokenRes.status });
    }
    let token: unknown;
    try {
      const body = JSON.parse(Buffer.from(tokenRes.body).toString('utf8')) as Record<string, unknown>;
      token = body.token ?? body.access_token;
    } catch (cause) {
      throw new OciError('auth-failed', `token service of ${this.registry} did not answer JSON`, { cause });
    }
    if (typeof token !== 'string' || token === '') throw new OciError('auth-failed', `token service of ${this.registry} sent no token`);
    this.auth.authorization = `Bearer ${token}`;
    this.auth.authorizedFor = access;
  }
}
