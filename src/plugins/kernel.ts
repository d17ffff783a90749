// Every call the plugins make into the kernel, the policy front end and the engine, in
// one place: verify an image and decide (containerd), verify the one signature artifact
// a host hands over (Ratify), or ask a running `atcr-verify serve` instead. The results
// have the shape of `verify --output json`, whichever way they were reached.

import { existsSync } from 'node:fs';
import type { Decision, SignatureFact } from '../ir/decision.js';
import type { IRDocument } from '../ir/types.js';
import { evaluate } from '../engine/evaluate.js';
import { compileFile } from '../lower/pipeline.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { DEFAULT_PLC_URL, DidResolver } from '../kernel/atproto/did-resolver.js';
import { credentialsFromDockerConfig, type Credentials } from '../kernel/oci/credentials.js';
import type { Descriptor } from '../kernel/oci/media.js';
import { parseCaCertificates, request } from '../kernel/net/http.js';
import { DiscoveryError, verifyImage } from '../kernel/verify.js';
import { OnlineSource } from '../kernel/verify/online.js';
import { DEFAULT_OWNER_REGISTRIES, recordRepository, resolveOwner } from '../kernel/verify/owner.js';
import { verifyOneSignature } from '../kernel/verify/steps.js';
import { parseImageRef } from '../ref/reference.js';
import { ConfigError, readSettingsFile, type PluginSettings } from './config.js';

/** The longest any single request may take (the CLI's limit). */
const MAX_REQUEST_MS = 10_000;
/** A verify answer from the server: signatures and a decision, far below this. */
const MAX_SERVER_BYTES = 4 * 1024 * 1024;

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

/** Files the settings name, read once per process before any request. */
export interface Prepared {
  settings: PluginSettings;
  ir: IRDocument | null;
  ca?: string;
  credentials(registry: string): Credentials | null | undefined;
}

export async function prepare(settings: PluginSettings, opts: { needPolicy?: boolean } = {}): Promise<Prepared> {
  let ca: string | undefined;
  if (settings.caFile) ca = caBundle(settings, 'caFile', settings.caFile);
  let credentials: Prepared['credentials'] = () => undefined;
  const dockerConfig = settings.dockerConfig;
  if (dockerConfig) {
    // Named explicitly: a missing file is a mistake, not anonymous access.
    readSettingsFile(settings, 'dockerConfig', dockerConfig);
    credentials = (registry) => credentialsFromDockerConfig(registry, dockerConfig);
  }
  let ir: IRDocument | null = null;
  if (settings.policy && !settings.server) ir = await loadPolicy(settings, settings.policy);
  else if (opts.needPolicy && settings.policy) ir = await loadPolicy(settings, settings.policy);
  return { settings, ir, ...(ca !== undefined ? { ca } : {}), credentials };
}

function caBundle(settings: PluginSettings, key: 'caFile' | 'serverCaFile', file: string): string {
  const text = readSettingsFile(settings, key, file);
  try {
    return parseCaCertificates(text);
  } catch (err) {
    throw new ConfigError(`${settings.source}: ${key} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function loadPolicy(settings: PluginSettings, file: string): Promise<IRDocument> {
  if (!existsSync(file)) throw new ConfigError(`${settings.source}: policy ${file} does not exist`);
  const c = await compileFile(file);
  if (c.unreadable) throw new ConfigError(`${settings.source}: policy ${c.unreadable}`);
  if (!c.ir || hasErrors(c.diagnostics)) {
    const errors = c.diagnostics.filter((d) => d.severity === 'error');
    const first = errors.slice(0, 3).map((d) => `${d.line}:${d.column} ${d.message}`).join('; ');
    throw new ConfigError(`${settings.source}: policy ${file} is not a valid trust policy (${errors.length} error${errors.length === 1 ? '' : 's'}: ${first})`);
  }
  return c.ir;
}

function network(p: Prepared, signal: AbortSignal) {
  const s = p.settings;
  return {
    plcUrl: s.plcUrl ?? DEFAULT_PLC_URL,
    timeoutMs: Math.min(s.timeoutMs, MAX_REQUEST_MS),
    allowPrivateNetwork: s.allowPrivateNetwork,
    insecureRegistries: s.insecureRegistries,
    ownerRegistries: s.ownerRegistries ?? DEFAULT_OWNER_REGISTRIES,
    signal,
    ...(p.ca !== undefined ? { ca: p.ca } : {}),
  };
}

function failedDiscovery(image: string, err: DiscoveryError): Outcome {
  return {
    image,
    digest: '',
    verified: false,
    signatures: [],
    decision: null,
    owner: '',
    notes: [],
    unavailable: err.kind === 'unavailable',
    error: { kind: err.kind, message: err.message },
  };
}

/** Verifies every signature of `image` and decides with the policy, if any (as `verify`). */
export async function verifyAndDecide(p: Prepared, image: string, signal: AbortSignal): Promise<Outcome> {
  if (p.settings.server) return askServer(p, image, signal);
  const ref = parseImageRef(image);
  if (!ref) return failedDiscovery(image, new DiscoveryError('usage', `${JSON.stringify(image)} is not an image reference`));
  const credentials = p.credentials(ref.registry);
  let report;
  try {
    report = await verifyImage({ image, ...network(p, signal), ...(credentials !== undefined ? { credentials } : {}) });
  } catch (err) {
    if (err instanceof DiscoveryError) return failedDiscovery(image, err);
    throw err;
  }
  const decision = p.ir ? evaluate(p.ir, { image, owner: report.owner, now: new Date().toISOString(), signatures: report.signatures }) : null;
  return {
    image,
    digest: report.digest,
    verified: decision ? decision.allowed : report.verified,
    signatures: report.signatures,
    decision,
    owner: report.owner,
    notes: report.notes,
    unavailable: report.unavailable,
  };
}

/** One signature artifact of `subject`, checked through the nine steps. */
export async function verifyArtifact(
  p: Prepared,
  subject: string,
  artifact: Descriptor,
  signal: AbortSignal,
): Promise<{ digest: string; owner: string; fact: SignatureFact; unavailable: boolean }> {
  const ref = parseImageRef(subject);
  if (!ref) throw new DiscoveryError('usage', `${JSON.stringify(subject)} is not an image reference`);
  const net = network(p, signal);
  const dids = new DidResolver({ plcUrl: net.plcUrl, timeoutMs: net.timeoutMs, allowPrivate: net.allowPrivateNetwork, signal, ...(p.ca ? { ca: p.ca } : {}) });
  const credentials = p.credentials(ref.registry);
  const source = new OnlineSource(
    ref,
    {
      registry: {
        insecureRegistries: net.insecureRegistries,
        allowPrivateNetwork: net.allowPrivateNetwork,
        timeoutMs: net.timeoutMs,
        signal,
        ...(p.ca ? { ca: p.ca } : {}),
        ...(credentials !== undefined ? { credentials } : {}),
      },
      timeoutMs: net.timeoutMs,
      allowPrivateNetwork: net.allowPrivateNetwork,
      signal,
      ...(p.ca ? { ca: p.ca } : {}),
    },
    dids,
  );
  const image = await source.image();
  const handles = { timeoutMs: net.timeoutMs, allowPrivate: net.allowPrivateNetwork, allowHttp: net.allowPrivateNetwork, signal, ...(p.ca ? { ca: p.ca } : {}) };
  const [outcome, owner] = await Promise.all([
    verifyOneSignature(source, artifact, { imageDigest: image.digest, expectedRepository: recordRepository(ref, net.ownerRegistries) }),
    resolveOwner(ref, net.ownerRegistries, dids, handles),
  ]);
  return { digest: image.digest, owner: owner.owner, fact: outcome.fact, unavailable: outcome.unavailable };
}

/** The policy's decision for `image` given these facts. */
export function decide(ir: IRDocument, image: string, owner: string, signatures: SignatureFact[]): Decision {
  return evaluate(ir, { image, owner, now: new Date().toISOString(), signatures });
}

/** `GET <server>/v1/verify?image=REF` of a running `atcr-verify serve`. */
async function askServer(p: Prepared, image: string, signal: AbortSignal): Promise<Outcome> {
  const s = p.settings;
  const url = `${s.server}/v1/verify?image=${encodeURIComponent(image)}`;
  const ca = s.serverCaFile ? caBundle(s, 'serverCaFile', s.serverCaFile) : p.ca;
  const unavailable = (message: string): Outcome => ({ ...failedDiscovery(image, new DiscoveryError('unavailable', message)), server: s.server! });
  let res;
  try {
    res = await request(url, {
      timeoutMs: s.timeoutMs,
      maxBytes: MAX_SERVER_BYTES,
      // The server is the operator's own, typically on the node or in the cluster.
      allowPrivate: true,
      allowHttp: true,
      signal,
      headers: { accept: 'application/json' },
      ...(ca ? { ca } : {}),
    });
  } catch (err) {
    return unavailable(`server ${s.server} could not be reached: ${err instanceof Error ? err.message : String(err)}`);
  }
  let body: Partial<Outcome> & { decision?: Decision | null };
  try {
    body = JSON.parse(new TextDecoder().decode(res.body)) as typeof body;
  } catch {
    return unavailable(`server ${s.server} answered HTTP ${res.status} without JSON`);
  }
  if (res.status !== 200 || typeof body !== 'object' || body === null || typeof body.verified !== 'boolean') {
    const why = (body as { error?: { message?: string } | string })?.error;
    const text = typeof why === 'string' ? why : why?.message;
    if (res.status === 200 && body?.error) return { ...failedDiscovery(image, new DiscoveryError('invalid', String(text))), server: s.server! };
    return unavailable(`server ${s.server} answered HTTP ${res.status}${text ? `: ${text}` : ''}`);
  }
  const decision = body.decision ?? null;
  return {
    image,
    digest: typeof body.digest === 'string' ? body.digest : '',
    verified: body.verified && (decision === null || decision.allowed === true),
    signatures: Array.isArray(body.signatures) ? body.signatures : [],
    decision,
    owner: typeof body.owner === 'string' ? body.owner : '',
    notes: Array.isArray(body.notes) ? body.notes : [],
    unavailable: (body as { unavailable?: boolean }).unavailable === true,
    ...(body.error ? { error: body.error } : {}),
    server: s.server!,
  };
}
