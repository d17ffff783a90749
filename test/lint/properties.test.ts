// Lint warnings checked against the engine on random policies: a policy lint calls
// unreachable is never chosen, and an overlap's example image is matched by both scopes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileEngine } from '../../src/engine/evaluate.js';
import { lintCompilation } from '../../src/lint/index.js';
import { compileText } from '../../src/lower/pipeline.js';
import { parseImageRef } from '../../src/ref/reference.js';

const SCOPES = [
  'atcr.io/**',
  'atcr.io/acme/**',
  'atcr.io/acme/*',
  'atcr.io/*/web',
  'atcr.io/acme/prod-*',
  'atcr.io/*/prod-*',
  'atcr.io/acme/prod-api',
  'atcr.io/acme/prod-api:*',
  'atcr.io/acme/*:v*',
  'atcr.io/acme/prod-?pi',
  'atcr.io/?cme/*',
  '**/web',
  '**',
];
const images = fc
  .tuple(fc.constantFrom('acme', 'other', 'x'), fc.constantFrom('prod-api', 'web', 'prod-', 'prod-xpi', 'a/web'), fc.constantFrom('', ':v1', ':latest', ':1'))
  .map(([ns, name, tag]) => `atcr.io/${ns}/${name}${tag}`);
const docArb = fc.array(
  fc.record({ scope: fc.subarray(SCOPES, { minLength: 1, maxLength: 2 }), when: fc.constantFrom(undefined, undefined, 'image.tag != "latest"') }),
  { minLength: 2, maxLength: 5 },
);

describe('lint agrees with the engine', () => {
  it('an unreachable policy is never chosen; an overlap example is matched by both scopes', () => {
    let unreachable = 0;
    let overlaps = 0;
    fc.assert(
      fc.property(docArb, fc.array(images, { minLength: 5, maxLength: 20 }), (ps, imgs) => {
        const doc = {
          version: 1,
          defaults: { require: { trustedDIDs: ['did:plc:a'] } },
          policies: ps.map((p, i) => ({ name: `p${i}`, scope: p.scope, ...(p.when ? { when: p.when } : {}) })),
        };
        const c = compileText('p.yaml', stringify(doc));
        expect(c.diagnostics).toEqual([]);
        const findings = lintCompilation(c);
        const engine = compileEngine(c.ir!);
        for (const f of findings.filter((d) => d.rule === 'unreachable-policy')) {
          unreachable++;
          const name = /policy (\S+) never applies/.exec(f.message)![1];
          for (const image of imgs) expect(engine({ image, now: '2026-11-25T12:00:00Z', signatures: [] }).policy, image).not.toBe(name);
        }
        for (const f of findings.filter((d) => d.rule === 'overlapping-scopes')) {
          overlaps++;
          const m = /policies (\S+) \("([^"]+)"\) and (\S+) \("([^"]+)"\) .* both match e\.g\. (\S+);/.exec(f.message)!;
          const [, , g1, , g2, witness] = m;
          const scope = (g: string) => c.ir!.policies.flatMap((p) => p.scopes).find((s) => s.glob === g)!;
          // The example, read as an image reference the way the engine reads it, is matched by both scopes.
          const ref = parseImageRef(witness!);
          expect(ref, witness).not.toBeNull();
          for (const s of [scope(g1!), scope(g2!)]) {
            const subject = s.target === 'name' ? ref!.name : `${ref!.name}:${ref!.tag}`;
            expect(new RegExp(s.regex, 'u').test(subject), `${s.glob} ~ ${witness}`).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
    expect(unreachable).toBeGreaterThan(0);
    expect(overlaps).toBeGreaterThan(0);
  });
});

describe('lint and explain never crash', () => {
  it('on random valid documents: findings are warnings with positions inside the file', async () => {
    const { documentArb, IMAGES } = await import('../engine/arbitraries.js');
    const { explainImage, explainPolicies } = await import('../../src/explain/explain.js');
    fc.assert(
      fc.property(documentArb, fc.constantFrom(...IMAGES), (doc, image) => {
        const text = stringify(doc);
        const c = compileText('p.yaml', text);
        const lines = text.split('\n').length;
        for (const d of lintCompilation(c)) {
          expect(d.severity).toBe(d.rule === 'min-signatures-unreachable' ? 'error' : 'warning');
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines);
          expect(d.column).toBeGreaterThanOrEqual(1);
        }
        const ex = explainPolicies(c.resolved, c.ir!);
        expect(ex.map((p) => p.name)).toEqual(c.ir!.policies.map((p) => p.name));
        const img = explainImage(c.ir!, image);
        expect(img.candidates.filter((k) => k.chosen).length).toBe(img.chosen === null ? 0 : 1);
      }),
      { numRuns: 150 },
    );
  });
});
