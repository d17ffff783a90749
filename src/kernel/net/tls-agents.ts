// The HTTPS agents of http.ts, in a module of their own that http.ts loads on the first
// https:// request: node:https and node:tls are a good part of a process's start-up, and
// a containerd pull that delegates to a local `serve` over plain HTTP needs neither.

import https from 'node:https';
import tls from 'node:tls';
import { DEFAULT_PIPE_WAIT_MS, MAX_CA_FILE_BYTES } from '../../fs/limits.js';
import { readBoundedSync } from '../../fs/read-bounded.js';
import { POOL, publicOnlyLookup } from './pool.js';

export { https };

const AGENTS = {
  public: new https.Agent({ ...POOL, lookup: publicOnlyLookup }),
  any: new https.Agent(POOL),
};

let nodeExtra: string[] | undefined;
/** NODE_EXTRA_CA_CERTS, which Node's store holds but drops once `ca` is explicit: kept by hand. */
function nodeExtraCa(): string[] {
  if (nodeExtra) return nodeExtra;
  const file = process.env.NODE_EXTRA_CA_CERTS;
  nodeExtra = [];
  if (file) {
    try {
      nodeExtra = [readBoundedSync(file, { what: 'NODE_EXTRA_CA_CERTS', maxBytes: MAX_CA_FILE_BYTES, deadline: Date.now() + DEFAULT_PIPE_WAIT_MS }).toString('utf8')];
    } catch {
      // Node has already warned about an unreadable file, and went on without it (so do we,
      // also for one past the CA file cap or a pipe that never ends).
    }
  }
  return nodeExtra;
}

// One pair of HTTPS agents per set of extra CAs: a socket verified against one trust
// store never serves a request made under another. The secure context is built once.
const CA_AGENTS = new Map<string, { public: https.Agent; any: https.Agent }>();
const MAX_CA_AGENTS = 16;

export function httpsAgent(allowPrivate: boolean, requestCa: string | Buffer | undefined): https.Agent {
  const extra = requestCa?.toString() ?? '';
  if (!extra) return allowPrivate ? AGENTS.any : AGENTS.public;
  let agents = CA_AGENTS.get(extra);
  if (!agents) {
    const secureContext = tls.createSecureContext({ ca: [...tls.rootCertificates, ...nodeExtraCa(), extra] });
    agents = {
      public: new https.Agent({ ...POOL, lookup: publicOnlyLookup, secureContext }),
      any: new https.Agent({ ...POOL, secureContext }),
    };
    if (CA_AGENTS.size >= MAX_CA_AGENTS) CA_AGENTS.delete(CA_AGENTS.keys().next().value!);
    CA_AGENTS.set(extra, agents);
  }
  return allowPrivate ? agents.any : agents.public;
}
