// The answer the plugins report, whichever way it was reached (the kernel here, or a
// running `atcr-verify serve`): `verify --output json` plus "could a service not be reached".

import type { Decision, SignatureFact } from '../ir/decision.js';
import type { DiscoveryError } from '../kernel/verify/source.js';
import { failureJson } from '../verification/decide.js';
import { ConfigError, readSettingsFile, type PluginSettings } from './config.js';

/** `verify --output json`, plus whether the answer could be wrong for want of a service. */
export interface Outcome {
  image: string;
  digest: string;
  verified: boolean;
  signatures: SignatureFact[];
  decision: Decision | null;
  owner: string;
  notes: string[];
  /** A service could not be reached: a negative here means "could not decide". */
  unavailable: boolean;
  /** Discovery failed (the image, or its signature list, could not be read). */
  error?: { kind: string; message: string };
  /** Answered by `serve` at this URL. */
  server?: string;
}

/** The shared no-facts object (`failureJson`), with nothing owned or noted. */
export function failedDiscovery(image: string, err: DiscoveryError): Outcome {
  const { offline: _offline, durationMs: _ms, ...json } = failureJson(image, err, false, 0);
  return { ...json, owner: '', notes: [], unavailable: err.kind === 'unavailable' };
}

/** The PEM certificates of a file the settings name, or a ConfigError naming the key. */
export async function caBundle(settings: PluginSettings, key: 'caFile' | 'serverCaFile', file: string): Promise<string> {
  const text = readSettingsFile(settings, key, file);
  // node:crypto only when a CA file is configured.
  const { parseCaCertificates } = await import('../kernel/net/ca.js');
  try {
    return parseCaCertificates(text);
  } catch (err) {
    throw new ConfigError(`${settings.source}: ${key} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
