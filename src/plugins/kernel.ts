// Every call the plugins make into the kernel, the policy front end and the engine, in
// one place: verify an image and decide (containerd), verify the one signature artifact
// a host hands over (Ratify), or ask a running `atcr-verify serve` instead. The results
// have the shape of `verify --output json`, whichever way they were reached.

import { existsSync } from 'node:fs';
import type { Decision, SignatureFact } from '../ir/decision.js';
import type { IRDocument } from '../ir/types.js';
import { compileFile } from '../lower/pipeline.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { DEFAULT_OWNER_REGISTRIES, DiscoveryError, parseCaCertificates, Verifier } from '../kernel/index.js';
import type { Descriptor } from '../kernel/oci/media.js';
import { request } from '../kernel/net/http.js';
import { OnlineSource } from '../kernel/verify/online.js';
import { recordRepository, resolveOwner } from '../kernel/verify/owner.js';
import { verifyOneSignature } from '../kernel/verify/steps.js';
import { parseImageRef } from '../ref/reference.js';
import { decide as decideReport, verifyAndDecide as kernelVerifyAndDecide } from '../verification/decide.js';
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

/** The kernel's Verifier for these settings and the files they name, read before any request. */
export interface Prepared {
  settings: PluginSettings;
  verifier: Verifier;
  ir: IRDocument | null;
}

export async function prepare(settings: PluginSettings, opts: { needPolicy?: boolean } = {}): Promise<Prepared> {
  const ca = settings.caFile ? caBundle(settings, 'caFile', settings.caFile) : undefined;
  // Named explicitly: a missing Docker config is a mistake, not anonymous access.
  if (settings.dockerConfig) readSettingsFile(settings, 'dockerConfig', settings.dockerConfig);
  const ir = settings.policy && (!settings.server || opts.needPolicy) ? await loadPolicy(settings, settings.policy) : null;
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

const KINDS = ['usage', 'not-found', 'unavailable', 'invalid'] as const;
function discoveryKind(kind: unknown): DiscoveryError['kind'] {
  return KINDS.includes(kind as DiscoveryError['kind']) ? (kind as DiscoveryError['kind']) : 'unavailable';
}

/**
 * `GET <server>/v1/verify?image=REF` of a running `atcr-verify serve`: the `verify
 * --output json` object. Its answer carries no "a service was unreachable" flag for a
 * negative, so a refusal from the server is reported as denied (still a refusal).
 */
async function askServer(p: Prepared, image: string, signal: AbortSignal): Promise<Outcome> {
  const s = p.settings;
  const url = `${s.server}/v1/verify?image=${encodeURIComponent(image)}`;
  const ca = s.serverCaFile ? caBundle(s, 'serverCaFile', s.serverCaFile) : p.verifier.settings.ca;
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
    if (res.status === 200 && body?.error) return { ...failedDiscovery(image, new DiscoveryError(discoveryKind(body.error.kind), String(text))), server: s.server! };
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
    unavailable: (body as { unavailable?: boolean }).unavailable === true || body.error?.kind === 'unavailable',
    ...(body.error ? { error: body.error } : {}),
    server: s.server!,
  };
}
