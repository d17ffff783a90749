// Hand-built IR for tests, the way the front end would lower it: scopes go through the
// project's glob compilation, every other field takes its built-in value unless given.

import { compileScope } from '../../src/glob/glob.js';
import type { Action, IRExpr, IRPolicy, IROrigin, IRRequire, IRScope } from '../../src/ir/types.js';

export function irScope(glob: string): IRScope {
  const r = compileScope(glob);
  if ('error' in r) throw new Error(`test glob ${glob}: ${r.error.message}`);
  return r.scope;
}

export interface IRPolicySpec {
  name: string;
  index: number;
  scopes: readonly string[];
  description?: string;
  when?: IRExpr | null;
  require?: Partial<IRRequire>;
  action?: Action;
  origin?: IROrigin;
}

export function irPolicy(spec: IRPolicySpec): IRPolicy {
  return {
    name: spec.name,
    index: spec.index,
    description: spec.description ?? '',
    scopes: spec.scopes.map(irScope),
    when: spec.when ?? null,
    require: {
      signature: true,
      trustedDIDs: [],
      trustOwner: false,
      minSignatures: 1,
      maxAgeSeconds: null,
      expr: null,
      ...spec.require,
    },
    action: spec.action ?? 'enforce',
    origins: {},
    chain: [spec.name],
    origin: spec.origin ?? { file: 'test.yaml', line: 1, column: 1 },
  };
}
