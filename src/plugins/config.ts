// The plugins' own configuration. containerd passes a verifier nothing but the image
// name and digest, and Ratify passes its verifier config as JSON: both read these keys,
// the `verify` flags in camelCase plus `server`/`serverCaFile` (and `trustedDIDs` for
// Ratify). A key that is misspelt, of the wrong type, or a file that cannot be read is a
// ConfigError naming where: a pull must not go ahead on settings the operator did not mean.

import { dirname, isAbsolute, resolve } from 'node:path';
import { DEFAULT_PIPE_WAIT_MS, MAX_CA_FILE_BYTES, MAX_DOCKER_CONFIG_BYTES } from '../fs/limits.js';
import { FileReadError, readBoundedSync } from '../fs/read-bounded.js';

export const DEFAULT_CONFIG_FILE = '/etc/atcr-verify/config.yaml';
/** Below containerd's default per_verifier_timeout (10 s), so that we, not containerd, report why. */
export const DEFAULT_TIMEOUT_MS = 8_000;
/** A configuration file is a few lines; anything larger is not one. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface PluginSettings {
  /** Where the settings came from, for messages: a file path or "the Ratify verifier config". */
  source: string;
  policy?: string;
  plcUrl?: string;
  insecureRegistries: string[];
  allowPrivateNetwork: boolean;
  ownerRegistries?: string[];
  caFile?: string;
  dockerConfig?: string;
  timeoutMs: number;
  server?: string;
  serverCaFile?: string;
  trustedDIDs?: string[];
}

const KEYS = [
  'policy',
  'plcUrl',
  'insecureRegistries',
  'allowPrivateNetwork',
  'ownerRegistries',
  'caFile',
  'dockerConfig',
  'timeout',
  'server',
  'serverCaFile',
] as const;

/** `30s`, `500ms`, `2m`, or a number of seconds, as milliseconds (the CLI's --timeout grammar). */
function parseDuration(v: unknown): number | null {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : null;
  if (text === null) return null;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm'];
  return ms > 0 && ms <= 600_000 ? Math.round(ms) : null;
}

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

/**
 * Settings from a parsed object. `extra` names keys this caller accepts beyond the shared
 * ones (Ratify's `trustedDIDs`), `ignored` keys that belong to the host (Ratify's `name`).
 * Relative paths are taken from `baseDir`.
 */
export function settingsFrom(
  raw: unknown,
  source: string,
  opts: { baseDir?: string; extra?: readonly string[]; ignored?: readonly string[] } = {},
): PluginSettings {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${source}: expected a mapping of settings, found ${show(raw)}`);
  const obj = raw as Record<string, unknown>;
  const known = new Set<string>([...KEYS, ...(opts.extra ?? [])]);
  const ignored = new Set(opts.ignored ?? []);
  for (const key of Object.keys(obj)) {
    if (!known.has(key) && !ignored.has(key)) {
      throw new ConfigError(`${source}: unknown key ${show(key)} (known: ${[...known].join(', ')})`);
    }
  }
  const str = (key: string): string | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw new ConfigError(`${source}: ${key} must be a non-empty string, found ${show(v)}`);
    return v;
  };
  const list = (key: string): string[] | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) {
      throw new ConfigError(`${source}: ${key} must be a list of non-empty strings, found ${show(v)}`);
    }
    return v as string[];
  };
  const path = (key: string): string | undefined => {
    const p = str(key);
    return p === undefined || isAbsolute(p) || !opts.baseDir ? p : resolve(opts.baseDir, p);
  };
  const url = (key: string): string | undefined => {
    const u = str(key);
    if (u === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new ConfigError(`${source}: ${key} ${show(u)} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(`${source}: ${key} ${show(u)} is not an http(s) URL`);
    return u.replace(/\/+$/, '');
  };

  const allow = obj.allowPrivateNetwork;
  if (allow !== undefined && allow !== null && typeof allow !== 'boolean') {
    throw new ConfigError(`${source}: allowPrivateNetwork must be true or false, found ${show(allow)}`);
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (obj.timeout !== undefined && obj.timeout !== null) {
    const t = parseDuration(obj.timeout);
    if (t === null) throw new ConfigError(`${source}: timeout ${show(obj.timeout)} is not a duration such as 8s or 500ms (at most 10m)`);
    timeoutMs = t;
  }
  const settings: PluginSettings = {
    source,
    insecureRegistries: list('insecureRegistries') ?? [],
    allowPrivateNetwork: allow === true,
    timeoutMs,
  };
  const put = <K extends keyof PluginSettings>(k: K, v: PluginSettings[K] | undefined) => {
    if (v !== undefined) settings[k] = v;
  };
  put('policy', path('policy'));
  put('plcUrl', url('plcUrl'));
  put('ownerRegistries', list('ownerRegistries'));
  put('caFile', path('caFile'));
  put('dockerConfig', path('dockerConfig'));
  put('server', url('server'));
  put('serverCaFile', path('serverCaFile'));
  if (known.has('trustedDIDs')) {
    const dids = list('trustedDIDs');
    if (dids) {
      const bad = dids.find((d) => !/^did:[a-z]+:[A-Za-z0-9._:%-]+$/.test(d));
      if (bad !== undefined) throw new ConfigError(`${source}: trustedDIDs entry ${show(bad)} is not a DID`);
      settings.trustedDIDs = dids;
    }
  }
  if (settings.serverCaFile && !settings.server) throw new ConfigError(`${source}: serverCaFile is set but server is not`);
  return settings;
}

/** The config file's path: ATCR_VERIFY_CONFIG, else /etc/atcr-verify/config.yaml. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ATCR_VERIFY_CONFIG || DEFAULT_CONFIG_FILE;
}

/**
 * A file the plugin reads, through the one bounded reader: at most `maxBytes`, a pipe
 * waited for no longer than DEFAULT_PIPE_WAIT_MS, and nothing empty (a FIFO with no
 * writer reads as empty: that is no setting the operator meant).
 */
function readText(file: string, what: string, maxBytes: number): string {
  try {
    return readBoundedSync(file, { what, maxBytes, refuseEmpty: true, deadline: Date.now() + DEFAULT_PIPE_WAIT_MS }).toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) throw new ConfigError(err.message);
    throw err;
  }
}

/** Settings from the YAML (or JSON) configuration file. */
export async function loadConfigFile(file: string): Promise<PluginSettings> {
  const text = readText(file, 'configuration file', MAX_CONFIG_BYTES);
  let raw: unknown;
  try {
    // JSON is YAML; read it without loading the YAML parser (start-up of every pull).
    raw = JSON.parse(text);
  } catch {
    const { parse } = await import('yaml');
    try {
      raw = parse(text, { maxAliasCount: 100 });
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new ConfigError(`configuration file ${file} is not valid YAML: ${msg}`);
    }
  }
  return settingsFrom(raw, `configuration file ${file}`, { baseDir: dirname(file) });
}

const SETTINGS_FILE_BYTES = { caFile: MAX_CA_FILE_BYTES, serverCaFile: MAX_CA_FILE_BYTES, dockerConfig: MAX_DOCKER_CONFIG_BYTES } as const;

/** A file the settings name (CA bundle, Docker config), read with an error naming the key. */
export function readSettingsFile(settings: PluginSettings, key: keyof typeof SETTINGS_FILE_BYTES, file: string): string {
  return readText(file, `${settings.source}: ${key}`, SETTINGS_FILE_BYTES[key]);
}
