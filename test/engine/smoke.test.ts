import { describe, expect, it } from 'vitest';
import { compileText } from '../../src/lower/pipeline.js';
import { evaluate } from '../../src/engine/evaluate.js';

const doc = `
version: 1
defaults:
  require:
    trustedDIDs: [did:plc:security]
    maxAge: 90d
policies:
  - name: production
    scope: "atcr.io/*/prod-*"
    require:
      trustedDIDs: [did:plc:devops, owner]
      maxAge: 30d
      expr: 'signature.pds startsWith "https://pds.example.com"'
  - name: base
    scope: "atcr.io/**"
`;

describe('smoke', () => {
  it('compiles and decides', () => {
    const c = compileText('p.yaml', doc);
    expect(c.diagnostics).toEqual([]);
    const ir = c.ir!;
    const d = evaluate(ir, {
      image: 'atcr.io/acme/prod-api:1.0',
      now: '2026-11-25T12:00:00Z',
      owner: 'did:plc:acme',
      signatures: [
        { valid: true, did: 'did:plc:devops', signedAt: '2026-11-20T00:00:00Z', pds: 'https://pds.example.com/x' },
        { valid: true, did: 'did:plc:mallory', signedAt: '2026-11-20T00:00:00Z' },
      ],
    });
    expect(d).toMatchObject({ allowed: true, effect: 'allow', policy: 'production', satisfiedBy: ['did:plc:devops'] });
  });
});
