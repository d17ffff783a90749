// Engine invariants on random valid policies and inputs: more trust never denies what was
// allowed, a higher minSignatures never allows what was denied, signature order never
// matters, and a document that extends another decides like the hand-merged document.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileEngine } from '../../src/engine/evaluate.js';
import { compileCondition } from '../../src/engine/expr.js';
import { explainImage } from '../../src/explain/explain.js';
import { parseImageRef } from '../../src/ref/reference.js';
import type { IRDocument } from '../../src/ir/types.js';
import { compileFile, compileText } from '../../src/lower/pipeline.js';
import { defaultsArb, DIDS, documentArb, inputArb, policiesArb, type PolicyObj } from './arbitraries.js';
import { specGlob } from './helpers.js';

function compiled(doc: object): IRDocument {
  const c = compileText('p.yaml', stringify(doc));
  expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return c.ir!;
}

const withPolicies = (ir: IRDocument, f: (p: IRDocument['policies'][number]) => IRDocument['policies'][number]): IRDocument => ({
  ...ir,
  policies: ir.policies.map(f),
});

describe('engine invariants', () => {
  it('adding a trusted DID to a non-empty list never turns allow into deny', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(documentArb, fc.array(inputArb, { minLength: 1, maxLength: 4 }), fc.constantFrom(...DIDS, 'did:plc:extra'), (doc, inputs, extra) => {
        const ir = compiled(doc);
        const more = withPolicies(ir, (p) =>
          p.require.trustedDIDs.length > 0 || p.require.trustOwner
            ? { ...p, require: { ...p.require, trustedDIDs: [...new Set([...p.require.trustedDIDs, extra])].sort() } }
            : p,
        );
        const before = compileEngine(ir);
        const after = compileEngine(more);
        for (const i of inputs) {
          const b = before(i);
          const a = after(i);
          seen.add(`${b.effect}/${a.effect}`);
          if (b.allowed) expect(a.allowed).toBe(true);
          if (b.effect === 'allow') expect(a.effect).toBe('allow');
          // Qualifying signers can only grow.
          for (const did of b.satisfiedBy) expect(a.satisfiedBy).toContain(did);
        }
      }),
      { numRuns: 150 },
    );
    // The generators reach both outcomes.
    expect(seen).toContain('allow/allow');
    expect(seen).toContain('deny/deny');
  });

  it('(the mutation above matters: trusting the signer turns a deny into an allow)', () => {
    const ir = compiled({ version: 1, policies: [{ name: 'p', scope: 'atcr.io/**', require: { trustedDIDs: ['did:plc:alice'] } }] });
    const more = withPolicies(ir, (p) => ({ ...p, require: { ...p.require, trustedDIDs: ['did:plc:alice', 'did:plc:bob'] } }));
    const i = { image: 'atcr.io/a/b', now: '2026-11-25T12:00:00Z', signatures: [{ valid: true, did: 'did:plc:bob', signedAt: '2026-11-25T00:00:00Z' }] };
    expect([compileEngine(ir)(i).effect, compileEngine(more)(i).effect]).toEqual(['deny', 'allow']);
  });

  it('raising minSignatures never turns deny into allow', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(documentArb, fc.array(inputArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), (doc, inputs, k) => {
        const ir = compiled(doc);
        const stricter = withPolicies(ir, (p) => ({ ...p, require: { ...p.require, minSignatures: p.require.minSignatures + k } }));
        const before = compileEngine(ir);
        const after = compileEngine(stricter);
        for (const i of inputs) {
          const b = before(i);
          const a = after(i);
          seen.add(`${b.effect}/${a.effect}`);
          if (b.effect === 'deny') expect(a.effect).toBe('deny');
          if (!b.allowed) expect(a.allowed).toBe(false);
          expect(a.policy).toBe(b.policy);
        }
      }),
      { numRuns: 150 },
    );
    expect(seen).toContain('allow/deny');
    expect(seen).toContain('deny/deny');
  });

  it('permuting signatures never changes the decision', () => {
    fc.assert(
      fc.property(
        documentArb,
        inputArb.chain((i) => fc.tuple(fc.constant(i), fc.array(fc.integer(), { minLength: i.signatures.length, maxLength: i.signatures.length }))),
        (doc, [input, keys]) => {
          const engine = compileEngine(compiled(doc));
          const order = input.signatures.map((_, k) => k).sort((a, b) => keys[a]! - keys[b]! || a - b);
          const shuffled = { ...input, signatures: order.map((k) => input.signatures[k]) };
          expect(engine(shuffled)).toEqual(engine(input));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** The merge rules of trust-policy.md, applied by hand to a base and a child document. */
function handMerge(base: Record<string, unknown>, child: Record<string, unknown>): Record<string, unknown> {
  type Defaults = { require?: Record<string, unknown>; action?: string; when?: string };
  const bd = (base.defaults ?? {}) as Defaults;
  const cd = (child.defaults ?? {}) as Defaults;
  const req: Record<string, unknown> = { ...(bd.require ?? {}), ...(cd.require ?? {}) };
  const dids = [...((bd.require?.trustedDIDs as string[]) ?? []), ...((cd.require?.trustedDIDs as string[]) ?? [])];
  if (bd.require?.trustedDIDs || cd.require?.trustedDIDs) req.trustedDIDs = [...new Set(dids)];
  const defaults: Defaults = { require: req };
  const action = cd.action ?? bd.action;
  const when = cd.when ?? bd.when;
  if (action) defaults.action = action;
  if (when) defaults.when = when;
  const out: Record<string, unknown> = {
    version: 1,
    defaults,
    policies: [...((base.policies as PolicyObj[]) ?? []), ...((child.policies as PolicyObj[]) ?? [])],
  };
  const unmatched = child.unmatched ?? base.unmatched;
  if (unmatched) out.unmatched = unmatched;
  return out;
}

describe('document extends', () => {
  const pair = fc
    .record({
      baseDefaults: fc.option(defaultsArb, { nil: undefined }),
      childDefaults: fc.option(defaultsArb, { nil: undefined }),
      baseUnmatched: fc.option(fc.constantFrom('deny', 'allow', 'audit'), { nil: undefined }),
      childUnmatched: fc.option(fc.constantFrom('deny', 'allow', 'audit'), { nil: undefined }),
      basePolicies: policiesArb('b', [], 0, 3),
    })
    .chain((r) => policiesArb('c', r.basePolicies.map((p) => p.name), 0, 3).map((childPolicies) => ({ ...r, childPolicies })));

  it('a document that extends another decides like the hand-merged single document', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'atcr-extends-prop-'));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(pair, fc.array(inputArb, { minLength: 1, maxLength: 5 }), async (r, inputs) => {
        const sub = path.join(dir, String(n++));
        const base: Record<string, unknown> = { version: 1, policies: r.basePolicies };
        if (r.baseDefaults) base.defaults = r.baseDefaults;
        if (r.baseUnmatched) base.unmatched = r.baseUnmatched;
        const child: Record<string, unknown> = { version: 1, extends: ['./lib/base.yaml'], policies: r.childPolicies };
        if (r.childDefaults) child.defaults = r.childDefaults;
        if (r.childUnmatched) child.unmatched = r.childUnmatched;
        const merged = handMerge(base, child);
        mkdirSync(path.join(sub, 'lib'), { recursive: true });
        writeFileSync(path.join(sub, 'lib/base.yaml'), stringify(base));
        writeFileSync(path.join(sub, 'child.yaml'), stringify(child));
        writeFileSync(path.join(sub, 'merged.yaml'), stringify(merged));
        const viaExtends = await compileFile(path.join(sub, 'child.yaml'));
        const single = await compileFile(path.join(sub, 'merged.yaml'));
        expect(viaExtends.diagnostics).toEqual([]);
        expect(single.diagnostics).toEqual([]);
        expect(viaExtends.ir!.policies.map((p) => p.name)).toEqual(single.ir!.policies.map((p) => p.name));
        const a = compileEngine(viaExtends.ir!);
        const b = compileEngine(single.ir!);
        for (const i of inputs) expect(a(i)).toEqual(b(i));
      }),
      { numRuns: 100 },
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

const cmp = (a: readonly number[], b: readonly number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;

describe('policy selection', () => {
  const seg = fc.stringMatching(/^[ab][ab-]{0,2}$/);
  const globArb = fc
    .array(fc.constantFrom('a', 'b', '-', '/', '*', '**', '?', ':', 'ab', 'x.io'), { minLength: 1, maxLength: 8 })
    .map((parts) => `x.io/${parts.join('')}`);
  const imageArb = fc
    .tuple(fc.array(seg, { minLength: 1, maxLength: 3 }), fc.option(fc.stringMatching(/^[ab][ab.-]{0,3}$/), { nil: undefined }))
    .map(([segs, tag]) => `x.io/${segs.join('/')}${tag ? `:${tag}` : ''}`);
  const docArb = fc.array(
    fc.record({ scope: fc.array(globArb, { minLength: 1, maxLength: 3 }), when: fc.option(fc.constantFrom('image.tag != "latest"', 'owner == "did:plc:o"', 'image.repository endsWith "b"'), { nil: undefined }) }),
    { minLength: 1, maxLength: 6 },
  );

  it('the chosen policy is the most specific candidate whose `when` holds, ties to the first (engine and explain)', () => {
    let matched = 0;
    fc.assert(
      fc.property(docArb, fc.array(fc.tuple(imageArb, fc.constantFrom('', 'did:plc:o')), { minLength: 1, maxLength: 6 }), (ps, images) => {
        const doc = { version: 1, policies: ps.map((p, i) => ({ name: `p${i}`, scope: p.scope, ...(p.when ? { when: p.when } : {}), require: { signature: false } })) };
        const c = compileText('p.yaml', stringify(doc));
        fc.pre(c.ir !== null); // a random glob may hold a rejected character sequence
        const engine = compileEngine(c.ir!);
        for (const [image, owner] of images) {
          const ref = parseImageRef(image);
          if (!ref) continue;
          let best: { name: string; spec: number[] } | null = null;
          ps.forEach((p, i) => {
            const ir = c.ir!.policies[i]!;
            if (ir.when && !compileCondition(ir.when)({ image: ref, owner, did: '', handle: '', pds: '', algorithm: '', ageS: 0, ageN: 0 })) return;
            for (const g of p.scope) {
              const s = specGlob(g);
              if (!s.re.test(s.withTag ? `${ref.name}:${ref.tag}` : ref.name)) continue;
              // Policies are visited in document order: only a strictly more specific scope takes over.
              if (!best || cmp(s.spec, best.spec) > 0) best = { name: `p${i}`, spec: s.spec };
            }
          });
          const d = engine({ image, owner, now: '2026-11-25T12:00:00Z', signatures: [] });
          expect(d.policy, `${image} owner=${owner}`).toBe(best ? (best as { name: string }).name : null);
          // `policy explain --image` names the same winner.
          expect(explainImage(c.ir!, image, owner).chosen).toBe(d.policy);
          if (best) matched++;
        }
      }),
      { numRuns: 300 },
    );
    expect(matched).toBeGreaterThan(50);
  });
});
