// Every call the plugins make into the kernel, the policy front end and the engine, in
// one place: verify an image and decide (containerd), verify the one signature artifact
// a host hands over (Ratify), or ask a running `atcr-verify serve` instead. The results
// have the shape of `verify --output json`, whichever way they were reached.

import { existsSync } from 'node:fs';
import type { Decision, SignatureFact } from '../ir/decision.js';
import type { IRDocument } from '../ir/types.js';
import { DEFAULT_OWNER_REGISTRIES, DiscoveryError, Verifier } from '../kernel/index.js';
import type { Descriptor } from '../kernel/oci/media.js';
import { OnlineSource } from '../kernel/verify/online.js';
import { recordRepository, resolveOwner } from '../kernel/verify/owner.js';
import { verifyOneSignature } from '../kernel/verify/steps.js';
import { parseImageRef } from '../ref/reference.js';
import { decide as decideReport, verifyAndDecide as kernelVerifyAndDecide } from '../verification/decide.js';
import { DEFAULT_PIPE_WAIT_MS } from '../fs/limits.js';
import { ConfigError, readSettingsFile, type PluginSettings } from './config.js';
import { caBundle, failedDiscovery, type Outcome } from './outcome.js';

export type { Outcome } from './outcome.js';

/** The longest any single request may take (the CLI's limit). */
const MAX_REQUEST_MS = 10_000;

/** The kernel's Verifier for these settings and the files they name, read before any request. */
export interface Prepared {
  settings: PluginSettings;
  verifier: Verifier;
  ir: IRDocument | null;
}

export async function prepare(settings: PluginSettings): Promise<Prepared> {
  const ca = settings.caFile ? await caBundle(settings, 'caFile', settings.caFile) : undefined;
  // Named explicitly: a missing Docker config is a mistake, not anonymous access.
  if (settings.dockerConfig) checkDockerConfig(settings, settings.dockerConfig);
  const ir = settings.policy ? await loadPolicy(settings, settings.policy) : null;
  const verifier = new Verifier({
    ...(settings.plcUrl ? { plcUrl: settings.plcUrl } : {}),
    timeoutMs: Math.min(settings.timeoutMs, MAX_REQUEST_MS),
    allowPrivateNetwork: settings.allowPrivateNetwork,
    insecureRegistries: settings.insecureRegistries,
    ownerRegistries: settings.ownerRegistries ?? DEFAULT_OWNER_REGISTRIES,
    ...(ca ? { ca } : {}),
    ...(settings.dockerConfig ? { dockerConfigPath: settings.dockerConfig } : {}),
  });
  return { settings, verifier, ir };
}

/** The registry client reads the file per registry and, failing, goes anonymous: a file named on purpose is checked first. */
function checkDockerConfig(settings: PluginSettings, file: string): void {
  const text = readSettingsFile(settings, 'dockerConfig', file);
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new ConfigError(`${settings.source}: dockerConfig ${file} is not JSON`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new ConfigError(`${settings.source}: dockerConfig ${file} is not a JSON object`);
}

async function loadPolicy(settings: PluginSettings, file: string): Promise<IRDocument> {
  if (!existsSync(file)) throw new ConfigError(`${settings.source}: policy ${file} does not exist`);
  // The policy front end (YAML, schema, the expression parser) is most of a process's
  // start-up: loaded only when a policy is configured.
  const [{ compileFile }, { hasErrors }] = await Promise.all([import('../lower/pipeline.js'), import('../diagnostics/diagnostic.js')]);
  // Read through the bounded reader; the signal ends a pipe whose writer never closes.
  const c = await compileFile(file, AbortSignal.timeout(DEFAULT_PIPE_WAIT_MS));
  if (c.unreadable) throw new ConfigError(`${settings.source}: policy ${c.unreadable}`);
  if (!c.ir || hasErrors(c.diagnostics)) {
    const errors = c.diagnostics.filter((d) => d.severity === 'error');
    const first = errors.slice(0, 3).map((d) => `${d.line}:${d.column} ${d.message}`).join('; ');
    throw new ConfigError(`${settings.source}: policy ${file} is not a valid trust policy (${errors.length} error${errors.length === 1 ? '' : 's'}: ${first})`);
  }
  return c.ir;
}

/** Verifies every signature of `image` and decides with the policy, if any (as `verify`). */
export async function verifyAndDecide(p: Prepared, image: string, signal: AbortSignal): Promise<Outcome> {
  try {
    const o = await kernelVerifyAndDecide(p.verifier, image, { policy: p.ir, signal });
    return {
      image,
      digest: o.report.digest,
      verified: o.verified,
      signatures: o.report.signatures,
      decision: o.decision,
      owner: o.report.owner,
      notes: o.report.notes,
      unavailable: o.verdict === 'undecided',
    };
  } catch (err) {
    if (err instanceof DiscoveryError) return failedDiscovery(image, err);
    throw err;
  }
}

/** One signature artifact of `subject`, checked through the nine steps with the verifier's shared parts. */
export async function verifyArtifact(
  p: Prepared,
  subject: string,
  artifact: Descriptor,
  signal: AbortSignal,
): Promise<{ digest: string; owner: string; fact: SignatureFact; unavailable: boolean }> {
  const ref = parseImageRef(subject);
  if (!ref) throw new DiscoveryError('usage', `${JSON.stringify(subject)} is not an image reference`);
  const s = p.verifier.settings;
  const timeoutMs = Math.min(p.settings.timeoutMs, MAX_REQUEST_MS);
  const allowPrivate = s.allowPrivateNetwork ?? false;
  const ownerRegistries = s.ownerRegistries ?? DEFAULT_OWNER_REGISTRIES;
  const ca = s.ca ? { ca: s.ca } : {};
  const source = new OnlineSource(
    ref,
    {
      registry: { insecureRegistries: s.insecureRegistries ?? [], allowPrivateNetwork: allowPrivate, timeoutMs, signal, ...ca },
      timeoutMs,
      allowPrivateNetwork: allowPrivate,
      signal,
      pool: p.verifier.registries,
      ...ca,
    },
    p.verifier.dids,
  );
  const image = await source.image();
  const handles = { timeoutMs, allowPrivate, allowHttp: allowPrivate, signal, ...ca };
  const [outcome, owner] = await Promise.all([
    verifyOneSignature(source, artifact, { imageDigest: image.digest, expectedRepository: recordRepository(ref, ownerRegistries) }),
    resolveOwner(ref, ownerRegistries, p.verifier.dids, handles),
  ]);
  return { digest: image.digest, owner: owner.owner, fact: outcome.fact, unavailable: outcome.unavailable };
}

/** The policy's decision for `image` given these facts. */
export function decide(ir: IRDocument, image: string, owner: string, signatures: SignatureFact[]): Decision {
  return decideReport(ir, image, { owner, signatures }, new Date().toISOString());
}
