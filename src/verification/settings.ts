// The operator's network settings, as the CLI's flags and environment give them, turned
// into one VerifierSettings. `verify`, `export` and `serve` read the same flags the same
// way; errors name the flag or variable and what is wrong with it.

import { isIP } from 'node:net';
import { MAX_REQUEST_MS, parseTimeout } from '../cli/io.js';
import { MAX_CA_FILE_BYTES } from '../fs/limits.js';
import { FileReadError, readBoundedSync } from '../fs/read-bounded.js';
import { DEFAULT_OWNER_REGISTRIES, DEFAULT_PLC_URL, parseCaCertificates, type VerifierSettings } from '../kernel/index.js';

/** A setting that cannot be used; the message names it. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export interface NetworkFlags {
  plcUrl?: string;
  insecureRegistry: string[];
  allowPrivateNetwork?: boolean;
  /** Overall time limit of one verification, e.g. `30s`. */
  timeout: string;
  /** Limit of each request (default: the smaller of `timeout` and MAX_REQUEST_MS). */
  requestTimeout?: string;
  caFile?: string;
}

/** The certificates of a PEM file (`--ca-file`), or a SettingsError saying why it is unusable. */
export function readCaFile(file: string, flag = '--ca-file', timeoutMs = MAX_REQUEST_MS): string {
  let text: string;
  try {
    // Bounded in size and, for a pipe or device, in time: --ca-file /dev/zero must not hang.
    text = readBoundedSync(file, { what: flag, maxBytes: MAX_CA_FILE_BYTES, deadline: Date.now() + timeoutMs }).toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) throw new SettingsError(err.message);
    throw err;
  }
  try {
    return parseCaCertificates(text);
  } catch (err) {
    throw new SettingsError(`${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `ip`, `ip:port` or `[ipv6]:port`, as node:dns takes them. */
function isDnsServer(text: string): boolean {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  if (m) return isIP(m[1]!) !== 0 && Number(m[2]) > 0 && Number(m[2]) < 65536;
  return isIP(text) !== 0;
}

function list(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

export interface ParsedSettings {
  settings: VerifierSettings;
  /** The overall budget of one verification (`--timeout`), in ms. */
  deadlineMs: number;
}

/**
 * Verifier settings from the shared network flags and the environment: ATCR_PLC_URL
 * (when --plc-url is absent), ATCR_OWNER_REGISTRIES (owner-segment registries) and
 * ATCR_DNS_SERVERS (DNS servers for handle lookups; default the system's).
 */
export function settingsFromFlags(flags: NetworkFlags, env: NodeJS.ProcessEnv = process.env): ParsedSettings {
  const deadlineMs = parseTimeout(flags.timeout);
  if (deadlineMs === null) throw new SettingsError(`--timeout "${flags.timeout}" is not a duration such as 10s, 500ms or 2m`);
  const requestMs = flags.requestTimeout !== undefined ? parseTimeout(flags.requestTimeout) : Math.min(deadlineMs, MAX_REQUEST_MS);
  if (requestMs === null) throw new SettingsError(`--request-timeout "${flags.requestTimeout}" is not a duration such as 10s, 500ms or 2m`);
  const plcUrl = flags.plcUrl ?? (env.ATCR_PLC_URL || DEFAULT_PLC_URL);
  let parsed: URL;
  try {
    parsed = new URL(plcUrl);
  } catch {
    throw new SettingsError(`--plc-url "${plcUrl}" is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new SettingsError(`--plc-url "${plcUrl}" is not an http(s) URL`);
  const dnsServers = env.ATCR_DNS_SERVERS !== undefined ? list(env.ATCR_DNS_SERVERS) : [];
  for (const server of dnsServers) {
    if (!isDnsServer(server)) throw new SettingsError(`ATCR_DNS_SERVERS: "${server}" is not an IP address with an optional port`);
  }
  const settings: VerifierSettings = {
    plcUrl,
    // Per request; the whole verification is bounded by deadlineMs.
    timeoutMs: requestMs,
    insecureRegistries: flags.insecureRegistry,
    allowPrivateNetwork: Boolean(flags.allowPrivateNetwork),
    ownerRegistries: env.ATCR_OWNER_REGISTRIES !== undefined ? list(env.ATCR_OWNER_REGISTRIES) : DEFAULT_OWNER_REGISTRIES,
    ...(flags.caFile !== undefined ? { ca: readCaFile(flags.caFile, '--ca-file', deadlineMs) } : {}),
    ...(dnsServers.length > 0 ? { dnsServers } : {}),
  };
  return { settings, deadlineMs };
}
