// Hand-written IR documents for golden files and targeted tests. Scopes are compiled
// with the project's glob translation so they match what the front end produces.

import { irPolicy, irScope } from '../../support/ir.js';
import type { Action, IRDocument, IRExpr, IRPolicy, IRRequire, Unmatched } from '../../../src/ir/types.js';

export const scope = irScope;

export interface PolicySpec {
  name: string;
  scopes: string[];
  description?: string;
  when?: IRExpr | null;
  require?: Partial<IRRequire>;
  action?: Action;
}

export function policy(spec: PolicySpec, index: number): IRPolicy {
  return irPolicy({ ...spec, index, origin: { file: 'policies/test.yaml', line: 3 + index * 10, column: 5 } });
}

export function document(policies: PolicySpec[], unmatched: Unmatched = 'deny'): IRDocument {
  return {
    irVersion: 1,
    source: { file: 'policies/test.yaml', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    unmatched,
    policies: policies.map(policy),
  };
}

const str = (value: string): IRExpr => ({ kind: 'string', type: 'string', value });
const path = (p: 'image.tag' | 'image.namespace' | 'owner' | 'signature.pds' | 'signature.age' | 'signature.algorithm'): IRExpr => ({
  kind: 'path',
  type: p === 'signature.age' ? 'duration' : 'string',
  path: p,
});

/** The example of docs/ir.md and trust-policy.md: production, staging, a catch-all. */
export const productionDoc: IRDocument = document(
  [
    {
      name: 'production',
      description: 'Production images',
      scopes: ['atcr.io/*/prod-*'],
      when: { kind: 'compare', type: 'bool', op: '!=', operandType: 'string', left: path('image.tag'), right: str('latest') },
      require: {
        trustedDIDs: ['did:plc:devops-team'],
        trustOwner: true,
        maxAgeSeconds: 2592000,
        expr: { kind: 'startsWith', type: 'bool', left: path('signature.pds'), right: str('https://pds.example.com') },
      },
    },
    {
      name: 'staging',
      scopes: ['atcr.io/*/staging-*', 'registry.example.com/**'],
      require: { trustedDIDs: ['did:plc:ci', 'did:plc:devops-team'], minSignatures: 2 },
      action: 'audit',
    },
    { name: 'tagged', scopes: ['docker.io/library/*:1.*'], require: { signature: false }, action: 'warn' },
  ],
  'deny',
);

/** Expressions exercising every operator, nested or/not and boolean operands. */
export const expressionsDoc: IRDocument = document(
  [
    {
      name: 'expressions',
      scopes: ['**'],
      when: {
        kind: 'or',
        type: 'bool',
        args: [
          { kind: 'in', type: 'bool', left: path('image.namespace'), right: { kind: 'list', type: 'list', items: [str('acme'), str('ops')] } },
          {
            kind: 'not',
            type: 'bool',
            arg: {
              kind: 'and',
              type: 'bool',
              args: [
                { kind: 'matches', type: 'bool', left: path('image.tag'), glob: 'v*', regex: '^v[^/]*$' },
                { kind: 'endsWith', type: 'bool', left: path('owner'), right: str('-bot') },
              ],
            },
          },
        ],
      },
      require: {
        maxAgeSeconds: 7 * 86400 + 3600,
        expr: {
          kind: 'and',
          type: 'bool',
          args: [
            { kind: 'compare', type: 'bool', op: '<=', operandType: 'duration', left: path('signature.age'), right: { kind: 'duration', type: 'duration', seconds: 86400 } },
            {
              kind: 'compare',
              type: 'bool',
              op: '==',
              operandType: 'bool',
              left: { kind: 'compare', type: 'bool', op: '==', operandType: 'string', left: path('signature.algorithm'), right: str('ES256K') },
              right: { kind: 'bool', type: 'bool', value: true },
            },
            { kind: 'compare', type: 'bool', op: '<', operandType: 'number', left: { kind: 'number', type: 'number', value: 1.5 }, right: { kind: 'number', type: 'number', value: 1e21 } },
          ],
        },
      },
    },
  ],
  'audit',
);

/** No policies at all: everything is unmatched. */
export const emptyDoc: IRDocument = document([], 'allow');
