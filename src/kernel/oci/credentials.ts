// Registry credentials: explicit flags first, else the Docker config file's `auths`
// (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`). Credential helpers
// and stores are not consulted: they run other programs.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { readBoundedSync } from '../../fs/read-bounded.js';
import { DEFAULT_PIPE_WAIT_MS, MAX_DOCKER_CONFIG_BYTES } from '../../fs/limits.js';

export interface Credentials {
  username: string;
  password: string;
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
  let config: unknown;
  try {
    const bytes = readBoundedSync(path, { what: 'Docker config', maxBytes: MAX_DOCKER_CONFIG_BYTES, deadline: Date.now() + DEFAULT_PIPE_WAIT_MS });
    config = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const auths = (config as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) return null;
  const wanted = registry.toLowerCase();
  const candidates = wanted === 'docker.io' ? DOCKER_HUB_KEYS : [wanted];
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (candidates.includes(key) || candidates.includes(hostOfKey(key))) {
      const creds = decodeEntry(entry);
      if (creds) return creds;
    }
  }
  return null;
}
