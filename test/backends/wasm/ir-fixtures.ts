// Small IR documents for the wasm back-end tests, built the way the front end would.
import { compileScope } from '../../../src/glob/glob.js';
import type { IRDocument, IRExpr, IRPolicy, IRRequire, IRScope, Unmatched } from '../../../src/ir/types.js';

export function scope(glob: string): IRScope {
  const r = compileScope(glob);
  if ('error' in r) throw new Error(r.error.message);
  return r.scope;
}

export function policy(
  name: string,
  globs: string[],
  require: Partial<IRRequire> = {},
  extra: { when?: IRExpr | null; action?: IRPolicy['action'] } = {},
): Omit<IRPolicy, 'index'> {
  return {
    name,
    description: '',
    scopes: globs.map(scope),
    when: extra.when ?? null,
    require: {
      signature: true,
      trustedDIDs: [],
      trustOwner: false,
      minSignatures: 1,
      maxAgeSeconds: null,
      expr: null,
      ...require,
    },
    action: extra.action ?? 'enforce',
    origins: {},
    chain: [name],
    origin: { file: 'test.yaml', line: 1, column: 1 },
  };
}

export function doc(policies: Omit<IRPolicy, 'index'>[], unmatched: Unmatched = 'deny'): IRDocument {
  return {
    irVersion: 1,
    source: { file: 'test.yaml', sha256: '0'.repeat(64) },
    unmatched,
    policies: policies.map((p, index) => ({ ...p, index })),
  };
}

export const NOW = '2026-11-25T12:00:00Z';

export function sig(did: string, signedAt = '2026-11-20T08:00:00Z', extra: Record<string, unknown> = {}) {
  return { valid: true, did, signedAt, handle: 'h.example.com', pds: 'https://pds.example.com', algorithm: 'ES256K', ...extra };
}
