// Delegation to a running `atcr-verify serve`: many pulls share its caches, and this
// process loads no kernel at all, only an HTTP client.

import { request } from '../kernel/net/http.js';
import { DiscoveryError } from '../kernel/verify/source.js';
import type { Decision } from '../ir/decision.js';
import type { PluginSettings } from './config.js';
import { caBundle, failedDiscovery, type Outcome } from './outcome.js';

/** A verify answer from the server: signatures and a decision, far below this. */
const MAX_SERVER_BYTES = 4 * 1024 * 1024;

const KINDS = ['usage', 'not-found', 'unavailable', 'invalid'] as const;
function discoveryKind(kind: unknown): DiscoveryError['kind'] {
  return KINDS.includes(kind as DiscoveryError['kind']) ? (kind as DiscoveryError['kind']) : 'unavailable';
}

/**
 * `GET <server>/v1/verify?image=REF` of a running `atcr-verify serve`: the `verify
 * --output json` object. Its answer carries no "a service was unreachable" flag for a
 * negative, so a refusal from the server is reported as denied (still a refusal).
 */
export async function askServer(s: PluginSettings, image: string, signal: AbortSignal): Promise<Outcome> {
  const url = `${s.server}/v1/verify?image=${encodeURIComponent(image)}`;
  const ca = s.serverCaFile ? await caBundle(s, 'serverCaFile', s.serverCaFile) : s.caFile ? await caBundle(s, 'caFile', s.caFile) : undefined;
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
