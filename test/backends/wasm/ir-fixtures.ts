// Small IR documents for the wasm back-end tests, built the way the front end would.
import { irPolicy, irScope } from '../../support/ir.js';
import type { IRDocument, IRExpr, IRPolicy, IRRequire, Unmatched } from '../../../src/ir/types.js';

export const scope = irScope;

export function policy(
  name: string,
  globs: string[],
  require: Partial<IRRequire> = {},
  extra: { when?: IRExpr | null; action?: IRPolicy['action'] } = {},
): Omit<IRPolicy, 'index'> {
  const { index: _index, ...p } = irPolicy({ name, index: 0, scopes: globs, require, ...extra });
  return p;
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
