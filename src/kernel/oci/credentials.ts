// Registry credentials, first found wins (docs/install.md "Registry credentials"):
// 1. explicit ones (sign's --registry-username, the kernel's `credentials` setting);
// 2. the environment, for CI: ATCR_REGISTRY_USERNAME_<HOST> and ATCR_REGISTRY_PASSWORD_<HOST>,
//    then GitLab's CI_REGISTRY / CI_REGISTRY_USER / CI_REGISTRY_PASSWORD for its own registry;
// 3. the Docker config file (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`):
//    its `credHelpers` entry for the host, else its `credsStore`, else its inline `auths`,
//    as the Docker CLI decides. Helpers run by Docker's protocol (credential-helper.ts).
// The environment wins over the file: a CI job states its credentials, while a runner's
// config.json may be left over from someone else.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { readBoundedSync } from '../../fs/read-bounded.js';
import { DEFAULT_PIPE_WAIT_MS, MAX_DOCKER_CONFIG_BYTES } from '../../fs/limits.js';
import { CredentialHelperError, runCredentialHelper } from './credential-helper.js';

export interface Credentials {
  username: string;
  password: string;
  /**
   * An OAuth2 refresh token (Docker's "identity token": a helper's Username `<token>`, or
   * `identitytoken` in config.json), exchanged at the registry's token service for an
   * access token instead of sending a user name and password. username and password are ''.
   */
  identityToken?: string;
}

/** Hosts the Docker CLI files Docker Hub credentials under. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function hostOfKey(key: string): string {
  const stripped = key.replace(/^[a-z]+:\/\//i, '');
  return stripped.split('/')[0]!.toLowerCase();
}

function decodeEntry(entry: unknown): Credentials | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const e = entry as Record<string, unknown>;
  // `docker login` to a registry that hands out refresh tokens stores one here; it wins
  // over `auth`, as in the Docker CLI.
  if (typeof e.identitytoken === 'string' && e.identitytoken !== '') return { username: '', password: '', identityToken: e.identitytoken };
  if (typeof e.auth === 'string' && e.auth !== '') {
    const text = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string') return { username: e.username, password: e.password };
  return null;
}

/**
 * Credentials for `registry` (a host[:port]) from a Docker config file. A missing or
 * unreadable file means anonymous access, not an error: most pulls need no login. The
 * read is bounded (a link to /dev/zero, a FIFO): past the cap the file is unusable too.
 */
export function credentialsFromDockerConfig(registry: string, path = dockerConfigPath()): Credentials | null {
  return inlineCredentials(readDockerConfig(path), registry);
}

function readDockerConfig(path: string): unknown {
  try {
    const bytes = readBoundedSync(path, { what: 'Docker config', maxBytes: MAX_DOCKER_CONFIG_BYTES, deadline: Date.now() + DEFAULT_PIPE_WAIT_MS });
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

function hostKeys(registry: string): string[] {
  const wanted = registry.toLowerCase();
  return wanted === 'docker.io' ? DOCKER_HUB_KEYS : [wanted];
}

function matches(key: string, candidates: string[]): boolean {
  return candidates.includes(key) || candidates.includes(hostOfKey(key));
}

function inlineCredentials(config: unknown, registry: string): Credentials | null {
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) return null;
  const candidates = hostKeys(registry);
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (matches(key, candidates)) {
      const creds = decodeEntry(entry);
      if (creds) return creds;
    }
  }
  return null;
}

/** A credentials problem the user must fix (a half-set environment pair, a failing helper). */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** `ghcr.io` → `GHCR_IO`, `127.0.0.1:5000` → `127_0_0_1_5000`: the suffix of the environment names. */
export function envHostSuffix(registry: string): string {
  return registry.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Credentials the environment gives for `registry`, or null; a half-given pair is an error. */
export function credentialsFromEnv(registry: string, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  const suffix = envHostSuffix(registry);
  const userVar = `ATCR_REGISTRY_USERNAME_${suffix}`;
  const passVar = `ATCR_REGISTRY_PASSWORD_${suffix}`;
  const username = env[userVar];
  const password = env[passVar];
  if (username || password) {
    if (!username) throw new CredentialsError(`${passVar} is set but ${userVar} is not`);
    if (!password) throw new CredentialsError(`${userVar} is set but ${passVar} is not`);
    return { username, password };
  }
  // GitLab sets these in every job for its own registry (the job token).
  const gitlab = env.CI_REGISTRY?.toLowerCase();
  if (gitlab && gitlab === registry.toLowerCase() && env.CI_REGISTRY_USER && env.CI_REGISTRY_PASSWORD) {
    return { username: env.CI_REGISTRY_USER, password: env.CI_REGISTRY_PASSWORD };
  }
  return null;
}

/** Which helper the Docker config names for `registry` (credHelpers, else credsStore), if any. */
export function helperFor(config: unknown, registry: string): { name: string; origin: string } | null {
  if (typeof config !== 'object' || config === null) return null;
  const c = config as { credHelpers?: unknown; credsStore?: unknown };
  if (typeof c.credHelpers === 'object' && c.credHelpers !== null) {
    const candidates = hostKeys(registry);
    for (const [key, name] of Object.entries(c.credHelpers as Record<string, unknown>)) {
      if (typeof name === 'string' && name !== '' && matches(key, candidates)) return { name, origin: `credHelpers["${key}"]` };
    }
  }
  if (typeof c.credsStore === 'string' && c.credsStore !== '') return { name: c.credsStore, origin: 'credsStore' };
  return null;
}

export interface ResolveOptions {
  /** Explicit credentials (null: anonymous); when undefined the environment and Docker config are read. */
  credentials?: Credentials | null;
  dockerConfigPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Bounds a credential helper. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Credentials for `registry` in the order the head of this file gives; null is anonymous. */
export async function resolveCredentials(registry: string, opts: ResolveOptions = {}): Promise<Credentials | null> {
  if (opts.credentials !== undefined) return opts.credentials;
  const env = opts.env ?? process.env;
  const fromEnv = credentialsFromEnv(registry, env);
  if (fromEnv) return fromEnv;
  const path = opts.dockerConfigPath ?? dockerConfigPath(env);
  const config = readDockerConfig(path);
  const helper = helperFor(config, registry);
  if (!helper) return inlineCredentials(config, registry);
  // Docker asks its helpers for Docker Hub under the legacy index URL.
  const serverUrl = registry.toLowerCase() === 'docker.io' ? DOCKER_HUB_KEYS[0]! : registry;
  try {
    return await runCredentialHelper(helper.name, serverUrl, {
      origin: `${helper.origin} of ${path}`,
      env,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (e instanceof CredentialHelperError) throw new CredentialsError(e.message);
    throw e;
  }
}
