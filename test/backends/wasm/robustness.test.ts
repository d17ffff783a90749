// Whatever the input, the module answers with a decision and never traps; memory stays
// bounded however many evaluations run (the SDK resets the heap, the module never leaks).
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWasmModule, loadWasmEngine, WASM_ENTRYPOINT } from '../../../src/backends/wasm/index.js';
import { evaluate } from '../../../src/engine/evaluate.js';
import type { Decision } from '../../../src/ir/decision.js';
import { doc, NOW, policy, sig } from './ir-fixtures.js';

const ir = doc([policy('prod', ['atcr.io/**'], { trustedDIDs: ['did:plc:devops'] })]);

async function rawPolicy() {
  const p = await loadPolicy(buildWasmModule(ir));
  p.setData({});
  return p;
}

/** Evaluates JSON text (or any bytes) exactly as given: the SDK copies an ArrayBuffer verbatim. */
function evalText(p: Awaited<ReturnType<typeof rawPolicy>>, text: string | Uint8Array): Decision {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const rs = p.evaluate(bytes.slice().buffer, WASM_ENTRYPOINT) as [{ result: Decision }];
  return rs[0].result;
}

const isMalformed = (d: Decision) =>
  !d.allowed && d.effect === 'deny' && d.policy === null && d.violations.length === 1 && d.violations[0]!.code === 'invalid-image';

describe('malformed inputs', () => {
  it('decides invalid-image for inputs that are not well-formed decision inputs', async () => {
    const e = await loadWasmEngine(ir);
    const inputs: unknown[] = [
      null, 0, 42, 'atcr.io/a/b', [], true, {},
      { image: 'atcr.io/a/b', signatures: [] },
      { image: 'atcr.io/a/b', now: 'yesterday', signatures: [] },
      { image: 'atcr.io/a/b', now: NOW },
      { image: 'atcr.io/a/b', now: NOW, signatures: {} },
      { image: ['atcr.io/a/b'], now: NOW, signatures: [] },
      { image: 'x'.repeat(1 << 20), now: NOW, signatures: [] },
    ];
    for (const input of inputs) expect(isMalformed(e.evaluate(input))).toBe(true);
  });

  it('treats text that is not JSON as malformed', async () => {
    const p = await rawPolicy();
    for (const text of ['', '{', '{"image":}', '[1,]', '{"a":1,}', 'nul', '"\\x"', '"\\u12G4"', '"a\tb"', '{} {}', '01', '-', '1.', '1e']) {
      expect(isMalformed(evalText(p, text))).toBe(true);
    }
  });

  it('survives random bytes', async () => {
    const p = await rawPolicy();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(evalText(p, bytes).effect).toBeTypeOf('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('reads mutated JSON text exactly as TextDecoder and JSON.parse would', async () => {
    const p = await rawPolicy();
    const base = new TextEncoder().encode(
      JSON.stringify({ image: 'atcr.io/a/b:1', now: NOW, owner: 'did:plc:o\u00e9', signatures: [sig('did:plc:devops', '2026-11-25T11:00:00Z'), { valid: false, did: 'x', error: { code: 'c' } }] }),
    );
    const bytes = fc.constantFrom(...'{}[]",:\\u0eE.-+ tfn1\x00\x7f'.split('').map((c) => c.charCodeAt(0)), 0x80, 0xc3, 0xa9, 0xed, 0xa0, 0xf0, 0x9f, 0xff);
    const edit = fc.tuple(fc.nat(base.length), fc.nat(2), fc.array(bytes, { maxLength: 3 }));
    const counts: [valid: number, malformed: number] = [0, 0];
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = Array.from(base);
        for (const [at, del, ins] of edits) text = [...text.slice(0, at), ...ins, ...text.slice(at + del)];
        const mutated = Uint8Array.from(text);
        let parsed: unknown;
        let valid = true;
        try {
          parsed = JSON.parse(new TextDecoder().decode(mutated));
        } catch {
          valid = false;
        }
        const d = evalText(p, mutated);
        if (valid) expect(d).toEqual(evaluate(ir, parsed));
        else expect(isMalformed(d)).toBe(true);
        counts[valid ? 0 : 1]++;
      }),
      { numRuns: 5000 },
    );
    // Both well-formed and broken texts must have been tried.
    expect(Math.min(...counts)).toBeGreaterThan(250);
  });

  it('agrees with the native engine on arbitrary JSON values', async () => {
    const e = await loadWasmEngine(ir);
    const near = fc.record(
      { image: fc.oneof(fc.constant('atcr.io/a/b'), fc.jsonValue()), now: fc.oneof(fc.constant(NOW), fc.jsonValue()), signatures: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()), owner: fc.jsonValue() },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), near), (input) => {
        expect(e.evaluate(input)).toEqual(evaluate(ir, input));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads deep nesting, huge numbers and odd escapes around the fields it needs', async () => {
    const p = await rawPolicy();
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const signature = JSON.stringify(sig('did:plc:devops', '2026-11-25T11:00:00Z'));
    const d = evalText(
      p,
      `{"junk":${deep},"n":[1e400,-0,1E+2,-1.5e-400],"image":"atcr.io/a/b","now":"${NOW}","signatures":[${signature}],"x":"\\ud800\\udc00\\udfff"}`,
    );
    expect(d).toMatchObject({ allowed: true, policy: 'prod', satisfiedBy: ['did:plc:devops'] });
    const unclosed = evalText(p, `{"junk":${'['.repeat(100_000)}`);
    expect(isMalformed(unclosed)).toBe(true);
  });

  it('keeps lone surrogates and escapes exactly, and replaces invalid UTF-8 like TextDecoder', async () => {
    const e = await loadWasmEngine(doc([policy('any', ['**'], {})]));
    const did = 'did:plc:\uD800x\u0000"\\';
    const d = e.evaluate({ image: 'alpine', now: NOW, signatures: [sig(did, '2026-11-25T11:00:00Z')] });
    expect(d.satisfiedBy).toEqual([did]);

    const p = await rawPolicy();
    const head = new TextEncoder().encode(`{"image":"atcr.io/a/b","now":"${NOW}","signatures":[{"valid":true,"did":"did:plc:`);
    const tail = new TextEncoder().encode(`","signedAt":"2026-11-25T11:00:00Z"}]}`);
    const bytes = new Uint8Array([...head, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, ...tail]);
    const r = evalText(p, bytes);
    expect(r.violations.map((v) => v.did)).toEqual(['did:plc:\uFFFD\uFFFD(\uFFFD\uFFFD\uFFFD']);
  });
});

describe('memory', () => {
  it('stops growing over a million evaluations', async () => {
    const p = await rawPolicy();
    const texts = [
      { image: 'atcr.io/a/b:1', now: NOW, signatures: [sig('did:plc:devops', '2026-11-25T11:00:00Z'), sig('did:plc:m'), { valid: false, did: 'x' }] },
      { image: 'atcr.io/' + 'a'.repeat(200), now: NOW, signatures: Array.from({ length: 50 }, (_, i) => sig(`did:plc:${i}`)) },
      { image: 'bad ref', now: NOW, signatures: [] },
    ].map((i) => new TextEncoder().encode(JSON.stringify(i)).buffer);
    // The large input comes once in a hundred evaluations, the others in turn.
    const pick = (i: number) => texts[i % 100 === 0 ? 1 : i % 2 === 0 ? 0 : 2]!;
    for (let i = 0; i < 1000; i++) p.evaluate(pick(i), WASM_ENTRYPOINT);
    const settled = p.mem.buffer.byteLength;
    for (let i = 0; i < 1_000_000; i++) p.evaluate(pick(i), WASM_ENTRYPOINT);
    expect(p.mem.buffer.byteLength).toBe(settled);
  }, 120_000);
});
