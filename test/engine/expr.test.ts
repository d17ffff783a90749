// Expression evaluation in the native engine against a reference interpreter written from
// docs/expressions.md and docs/ir.md (durations compared exactly in nanoseconds, globs by
// the scope rules), on random well-typed trees; plus the corners by hand.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCondition, type EvalContext } from '../../src/engine/expr.js';
import type { IRExpr } from '../../src/ir/types.js';
import { irExpr } from '../expr/arbitraries.js';
import { engineOf, input, sig, specGlob } from './helpers.js';

type V = string | number | boolean | bigint | string[];

function ref(e: IRExpr, c: EvalContext): V {
  switch (e.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return e.value;
    case 'duration':
      return BigInt(e.seconds) * 1_000_000_000n;
    case 'list':
      return e.items.map((i) => ref(i, c) as string);
    case 'path': {
      if (e.path === 'signature.age') return BigInt(c.ageS) * 1_000_000_000n + BigInt(c.ageN);
      const f: Record<string, string> = {
        'image.registry': c.image.registry,
        'image.repository': c.image.repository,
        'image.name': c.image.name,
        'image.namespace': c.image.namespace,
        'image.tag': c.image.tag,
        'image.digest': c.image.digest,
        owner: c.owner,
        'signature.did': c.did,
        'signature.handle': c.handle,
        'signature.pds': c.pds,
        'signature.algorithm': c.algorithm,
      };
      return f[e.path]!;
    }
    case 'compare': {
      const l = ref(e.left, c);
      const r = ref(e.right, c);
      const eq = Array.isArray(l) ? JSON.stringify(l) === JSON.stringify(r) : l === r;
      switch (e.op) {
        case '==':
          return eq;
        case '!=':
          return !eq;
        case '<':
          return (l as number) < (r as number);
        case '<=':
          return (l as number) <= (r as number);
        case '>':
          return (l as number) > (r as number);
        case '>=':
          return (l as number) >= (r as number);
      }
      break;
    }
    case 'in':
      return (ref(e.right, c) as string[]).includes(ref(e.left, c) as string);
    case 'matches':
      return specGlob(e.glob).re.test(ref(e.left, c) as string);
    case 'startsWith':
      return (ref(e.left, c) as string).startsWith(ref(e.right, c) as string);
    case 'endsWith':
      return (ref(e.left, c) as string).endsWith(ref(e.right, c) as string);
    case 'and':
      return e.args.every((a) => ref(a, c) === true);
    case 'or':
      return e.args.some((a) => ref(a, c) === true);
    case 'not':
      return !ref(e.arg, c);
  }
  throw new Error('unreachable');
}

const str = fc.constantFrom('', 'a', 'ab', 'b', '*', 'é', '😀', 'a/b', '"');
const ctxArb: fc.Arbitrary<EvalContext> = fc
  .record({
    registry: str,
    repository: str,
    namespace: str,
    tag: str,
    digest: str,
    owner: str,
    did: str,
    handle: str,
    pds: str,
    algorithm: str,
    ageS: fc.integer({ min: -400, max: 400 * 86400 }),
    ageN: fc.integer({ min: 0, max: 999_999_999 }),
  })
  .map((r) => ({
    image: { registry: r.registry, repository: r.repository, name: `${r.registry}/${r.repository}`, namespace: r.namespace, tag: r.tag, digest: r.digest },
    owner: r.owner,
    did: r.did,
    handle: r.handle,
    pds: r.pds,
    algorithm: r.algorithm,
    ageS: r.ageS,
    ageN: r.ageN,
  }));

describe('expression evaluation', () => {
  it('agrees with the reference interpreter on random typed expressions', () => {
    fc.assert(
      fc.property(irExpr('require'), fc.array(ctxArb, { minLength: 1, maxLength: 4 }), (e, ctxs) => {
        const f = compileCondition(e);
        for (const c of ctxs) expect(f(c)).toBe(ref(e, c));
      }),
      { numRuns: 300 },
    );
  });

  it('signature.age is compared to the nanosecond', () => {
    const e = engineOf('version: 1\npolicies:\n  - name: p\n    scope: "**"\n    require: { expr: "signature.age <= 1h and signature.age > 59m59s" }\n');
    const at = (t: string) => e({ ...input('a/b', [sig('did:plc:a', t)]), now: '2026-11-25T12:00:00.5Z' });
    expect(at('2026-11-25T11:00:00.5Z').effect).toBe('allow'); // exactly 1h
    expect(at('2026-11-25T11:00:00.499999999Z').effect).toBe('deny'); // 1h + 1ns
    expect(at('2026-11-25T11:00:01.5Z').effect).toBe('deny'); // exactly 59m59s
    expect(at('2026-11-25T11:00:01.499999999Z').effect).toBe('allow');
  });

  it('matches follows the scope glob rules, code point by code point', () => {
    const e = engineOf(
      'version: 1\npolicies:\n  - name: p\n    scope: "**"\n    require: { expr: \'signature.handle matches "?.acme.*" and not (signature.pds matches "https://*")\' }\n',
    );
    const at = (handle: string, pds: string) => e(input('a/b', [sig('did:plc:a', undefined, { handle, pds })])).effect;
    expect(at('😀.acme.dev', 'http://x')).toBe('allow');
    expect(at('ab.acme.dev', 'http://x')).toBe('deny');
    expect(at('/.acme.dev', 'http://x')).toBe('deny');
    expect(at('a.acme.dev', 'https://pds')).toBe('deny');
    expect(at('a.acme.dev', 'https://pds/x')).toBe('allow'); // * does not cross /
  });

  it('owner and image fields are readable in require.expr too', () => {
    const e = engineOf('version: 1\npolicies:\n  - name: p\n    scope: "**"\n    require: { expr: "signature.did == owner and image.namespace in [\\"acme\\", \\"x\\"]" }\n');
    expect(e(input('atcr.io/acme/app', [sig('did:plc:o')], { owner: 'did:plc:o' })).effect).toBe('allow');
    expect(e(input('atcr.io/acme/app', [sig('did:plc:o')], { owner: 'did:plc:p' })).effect).toBe('deny');
    expect(e(input('atcr.io/other/app', [sig('did:plc:o')], { owner: 'did:plc:o' })).effect).toBe('deny');
  });
});
