// Both engines, opened as the CLI opens them, decide every input the CLI accepts, and
// the same way, also when a field holds nesting deep enough to exhaust a recursive walk
// (issue 12, item 5): in a field no engine reads, or in place of one they read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../../src/cli/engines.js';
import { arbDecisionInput, arbIRDocument } from '../../support/arbitraries.js';
import { projectInput } from '../../../src/batch/project-input.js';
import { evaluate } from '../../../src/engine/evaluate.js';

const DEPTH = 10_000;

function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function deepObject(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Where the deep value goes: a field no engine reads, or one they read (wrong type). */
const PLACES = ['junk', 'image', 'owner', 'now', 'signatures', 'signature', 'signature.did', 'signature.error', 'signature.error.code', 'whole'] as const;

function plant(input: unknown, place: (typeof PLACES)[number], deep: unknown): unknown {
  if (place === 'whole') return deep;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const copy = { ...(input as Record<string, unknown>) };
  if (!place.startsWith('signature')) {
    copy[place] = deep;
    return copy;
  }
  if (place === 'signatures') return { ...copy, signatures: deep };
  const sigs = Array.isArray(copy.signatures) ? [...copy.signatures] : [];
  const first = sigs[0] !== null && typeof sigs[0] === 'object' ? { ...(sigs[0] as Record<string, unknown>) } : {};
  if (place === 'signature') sigs.push(deep);
  else if (place === 'signature.did') sigs[0] = { ...first, did: deep };
  else if (place === 'signature.error') sigs[0] = { ...first, error: deep };
  else sigs[0] = { ...first, error: { code: deep } };
  return { ...copy, signatures: sigs };
}

describe('deep input on both engines', () => {
  it(`agrees on random (IR, input) pairs with ${DEPTH}-deep arrays and objects planted in every field`, async () => {
    const deep = [deepArray(DEPTH), deepObject(DEPTH)];
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(
        arbIRDocument,
        fc.array(fc.tuple(arbDecisionInput, fc.constantFrom(...PLACES), fc.nat(1)), { minLength: 5, maxLength: 5 }),
        async (ir, cases) => {
          const native = await openEngine('native', ir);
          const wasm = await openEngine('wasm', ir);
          try {
            for (const [input, place, which] of cases) {
              const planted = plant(input, place, deep[which]);
              expect(wasm.evaluate(planted)).toEqual(native.evaluate(planted));
              decided++;
            }
          } finally {
            wasm.close();
          }
        },
      ),
      { numRuns: 40 },
    );
    expect(decided).toBe(200);
  }, 120_000);

  it('the projection the WebAssembly path takes leaves every native decision as it was', () => {
    fc.assert(
      fc.property(arbIRDocument, fc.array(arbDecisionInput, { minLength: 10, maxLength: 10 }), (ir, inputs) => {
        for (const input of inputs) expect(evaluate(ir, projectInput(input))).toEqual(evaluate(ir, input));
      }),
      { numRuns: 300 },
    );
  });
});
