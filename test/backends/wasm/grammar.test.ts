// The two hand-written parsers of the runtime, image references and RFC 3339 times,
// fuzzed against the native engine: random strings near the grammar's edges must get
// the same decision, messages included (the no-matching-policy message spells out the
// normalized name, tag and digest).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWasmEngine } from '../../../src/backends/wasm/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { IRExpr } from '../../../src/ir/types.js';
import { doc, NOW, policy } from './ir-fixtures.js';

/** A string made by splicing random pieces of the grammar's alphabet into a template. */
function mutated(template: string, alphabet: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(template.length), fc.nat(3), fc.array(fc.constantFrom(...alphabet), { maxLength: 3 }));
  return fc.array(edit, { maxLength: 3 }).map((edits) => {
    let s = template;
    for (const [at, del, ins] of edits) {
      const i = Math.min(at, s.length);
      s = s.slice(0, i) + ins.join('') + s.slice(i + del);
    }
    return s;
  });
}

const REF_ALPHABET = [...'aZ09.-_:/@[]', 'sha256:', 'a'.repeat(64), 'localhost', 'index.docker.io', '__', '--', ':5000', '\u00e9'];
const REF_TEMPLATES = [
  'atcr.io/alice/app:1.0',
  'localhost:5000/a/b@sha256:' + 'e'.repeat(64),
  'alpine',
  '[::1]:5000/x/y:tag',
  'Index.Docker.IO/library/alpine:3.19',
  'my-host.example.com/a__b/c-d.e:v_1',
];

describe('reference grammar', () => {
  it('normalizes like the native engine', async () => {
    const namespaceIsLibrary: IRExpr = {
      kind: 'compare', type: 'bool', op: '==', operandType: 'string',
      left: { kind: 'path', type: 'string', path: 'image.namespace' }, right: { kind: 'string', type: 'string', value: 'library' },
    };
    const ir = doc([policy('hub', ['docker.io/**'], { signature: false }, { when: namespaceIsLibrary })]);
    const wasm = await loadWasmEngine(ir);
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.oneof(...REF_TEMPLATES.map((t) => mutated(t, REF_ALPHABET)), fc.string({ maxLength: 12 })), (image) => {
        const input = { image, now: NOW, signatures: [] };
        const native = evaluate(ir, input);
        expect(wasm.evaluate(input)).toEqual(native);
        const key = native.policy ?? native.violations[0]!.code;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
      { numRuns: 5000 },
    );
    // Parseable and unparseable references, and Docker Hub library images, all occur.
    for (const key of ['hub', 'invalid-image', 'no-matching-policy']) expect(outcomes.get(key)).toBeGreaterThan(100);
  });
});

const TIME_ALPHABET = [...'0123456789TtZz:-+. ', '.123456789', '+23:59', '-00:00', '29', '60', '2200', '1699'];
const TIME_TEMPLATES = ['2026-11-25T11:59:59Z', '2026-11-25T17:29:59.999999999+05:30', '2024-02-29T00:00:00-08:00', '2200-12-31T23:59:59Z'];

describe('time grammar', () => {
  it('reads signedAt and now like the native engine', async () => {
    const ir = doc([policy('p', ['**'], { maxAgeSeconds: 3600 })]);
    const wasm = await loadWasmEngine(ir);
    const times = fc.oneof(...TIME_TEMPLATES.map((t) => mutated(t, TIME_ALPHABET)));
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(times, times, (signedAt, now) => {
        for (const input of [
          { image: 'alpine', now: NOW, signatures: [{ valid: true, did: 'did:plc:a', signedAt }] },
          { image: 'alpine', now, signatures: [{ valid: true, did: 'did:plc:a', signedAt: '2026-11-25T11:00:00Z' }] },
        ]) {
          const native = evaluate(ir, input);
          expect(wasm.evaluate(input)).toEqual(native);
          const key = native.allowed ? 'allow' : native.violations[0]!.code;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      }),
      { numRuns: 5000 },
    );
    // Readable and unreadable times, and times on both sides of the limits, all occur.
    for (const key of ['allow', 'invalid-image', 'invalid-signature', 'signature-expired', 'signature-from-future']) {
      expect(outcomes.get(key)).toBeGreaterThan(20);
    }
  });
});
