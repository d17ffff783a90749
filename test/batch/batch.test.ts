// The fast batch path (JSON bytes → reused input objects → decisions → UTF-8) prints the
// same bytes as the general one (JSON.parse → engine → JSON.stringify), and takes no input
// the general path would refuse: whatever is not a JSON array is left to it (null).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateInputs, evaluateJsonBatch } from '../../src/batch/evaluate-batch.js';
import { inputText } from '../../src/cli/io.js';
import { compileEngine } from '../../src/engine/evaluate.js';
import type { IRDocument } from '../../src/ir/types.js';
import { arbDecisionInput, arbIRDocument } from '../support/arbitraries.js';
import { irPolicy } from '../support/ir.js';

/** One policy over every image, trusting did:plc:alice: DIDs show up in the decisions. */
const ALICE: IRDocument = {
  irVersion: 1,
  source: { file: 'test.yaml', sha256: '0'.repeat(64) },
  unmatched: 'deny',
  policies: [irPolicy({ name: 'all', index: 0, scopes: ['**'], require: { trustedDIDs: ['did:plc:alice'] } })],
};

const NOW = '2026-11-25T12:00:00Z';

/** What the general path prints for these bytes, or null when it would report an error. */
function general(bytes: Buffer, ir: IRDocument): string | null {
  let data: unknown;
  try {
    data = JSON.parse(inputText(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  return evaluateInputs(data, compileEngine(ir), NOW).json.toString();
}

function fast(bytes: Buffer, ir: IRDocument): string | null {
  const r = evaluateJsonBatch(bytes, compileEngine(ir), NOW);
  return r === null ? null : r.json.toString();
}

/** Inputs as the kernel writes them, plus what a batch may also carry: no `now`, unknown fields of any JSON type. */
const arbInput = fc.tuple(arbDecisionInput, fc.boolean(), fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 2 })).map(
  ([input, dropNow, extra]) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
    const o: Record<string, unknown> = { ...extra, ...(input as Record<string, unknown>) };
    if (dropNow) delete o.now;
    return o;
  },
);

/** JSON text of a batch, in the layouts and spellings JSON allows. */
const arbBatchText = fc
  .tuple(
    fc.array(arbInput, { maxLength: 8 }),
    fc.constantFrom<string | number | undefined>(undefined, 1, 2, '\t', ' \r\n'.slice(0, 2)),
    fc.boolean(), // escape letters of keys and values: "im\u0061ge"
    fc.boolean(), // escape `/` as `\/`
    fc.constantFrom('', '\ufeff', ' \n\t'),
  )
  .map(([inputs, indent, escapeLetters, escapeSlash, lead]) => {
    let t = JSON.stringify(inputs, null, indent);
    if (escapeLetters) t = t.replace(/"([a-z]+)a([a-z]*)"/g, '"$1\\u0061$2"');
    if (escapeSlash) t = t.replace(/\//g, '\\/');
    return lead + t + (lead === '\ufeff' ? '' : lead);
  });

describe('batch: the fast path prints what the general path prints', () => {
  it('on random policies and batches in any JSON layout (property)', () => {
    fc.assert(
      fc.property(arbIRDocument, arbBatchText, (ir, text) => {
        const bytes = Buffer.from(text);
        const want = general(bytes, ir);
        expect(want).not.toBeNull();
        expect(fast(bytes, ir)).toBe(want);
      }),
      { numRuns: 400 },
    );
  });

  it('on byte-level damage: the same output, or null exactly where the general path refuses (property)', () => {
    const edits = fc.array(
      fc.tuple(fc.nat(), fc.constantFrom(...[0x22, 0x5c, 0x2c, 0x7d, 0x5d, 0x7b, 0x5b, 0x3a, 0xff, 0xc3, 0x80, 0x00, 0x0a, 0x20, 0x31, 0x65, 0x2d, 0x2e, 0x75, 0x74]), fc.constantFrom('insert', 'replace', 'delete')),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(arbIRDocument, arbBatchText, edits, (ir, text, es) => {
        const b = [...Buffer.from(text)];
        for (const [at, byte, how] of es) {
          const k = b.length === 0 ? 0 : at % b.length;
          if (how === 'insert') b.splice(k, 0, byte);
          else if (how === 'replace') b[k] = byte;
          else b.splice(k, 1);
        }
        const bytes = Buffer.from(b);
        expect(fast(bytes, ir)).toBe(general(bytes, ir));
      }),
      { numRuns: 1500 },
    );
  });

  it('on strings with escapes, non-ASCII and invalid UTF-8 in the fields engines read', () => {
    const ir = ALICE;
    const texts = [
      '[{"image":"atcr.io/alice/app:1.0","now":"2026-11-25T12:00:00Z","signatures":[{"valid":true,"did":"did:plc:\\u0061lice","signedAt":"2026-11-25T11:00:00Z"}]}]',
      '[{"image":"atcr.io/alice/app:1.0","signatures":[{"valid":true,"did":"did:plc:ali\u00e7e\u202e","signedAt":"2026-11-25T11:00:00Z"}]}]',
      '[{"image":"atcr.io/alice/app:1.0","signatures":[{"valid":true,"did":"did:plc:\\ud83d\\ude00","signedAt":"2026-11-25T11:00:00Z"}]}]',
      '[{"image":"atcr.io/alice/app:1.0","signatures":[{"valid":false,"did":"x","error":{"code":"bad\\n\\u2028"}}]}]',
      '[{"image":"atcr.io/alice/app:1.0","signatures":[{"valid":true,"did":"\\ud800","signedAt":"2026-11-25T11:00:00Z"}]}]',
      '[{"image":"atcr.io/alice/app:1.0","signatures":[{"valid":true,"did":"did:plc:a\u007fb\u0080","signedAt":"2026-11-25T11:00:00Z"}]}]',
    ];
    for (const t of texts) {
      const bytes = Buffer.from(t);
      expect(fast(bytes, ir)).toBe(general(bytes, ir));
    }
    // Bytes that are not UTF-8 inside a string decode to U+FFFD on both paths.
    const raw = Buffer.concat([Buffer.from('[{"image":"atcr.io/alice/app:1.0","signatures":[{"valid":false,"did":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('"}]}]')]);
    expect(fast(raw, ir)).toBe(general(raw, ir));
    expect(fast(raw, ir)).toContain('\ufffd');
  });

  it('reads duplicate keys as JSON.parse does: the last one wins', () => {
    const ir = ALICE;
    const t =
      '[{"image":"nope nope","image":"atcr.io/alice/app:1.0","now":"2026-11-25T12:00:00Z","signatures":[],"signatures":[{"valid":true,"valid":false,"did":"did:plc:alice","signedAt":"2026-11-25T11:00:00Z"}],"now":null}]';
    const bytes = Buffer.from(t);
    expect(fast(bytes, ir)).toBe(general(bytes, ir));
    expect(fast(bytes, ir)).toContain('`now` must be an RFC 3339 time');
  });

  it('skips unknown values nested deeper than any recursion would reach', () => {
    const ir = fc.sample(arbIRDocument, { numRuns: 1, seed: 1 })[0]!;
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const bytes = Buffer.from(`[{"image":"alpine","extra":${deep},"signatures":[]}]`);
    expect(fast(bytes, ir)).toBe(general(bytes, ir));
    const unclosed = Buffer.from(`[{"image":"alpine","extra":${'['.repeat(200_000)},"signatures":[]}]`);
    expect(fast(unclosed, ir)).toBeNull();
  });

  it('leaves a single input, an empty file and text after the array to the general path', () => {
    const ir = fc.sample(arbIRDocument, { numRuns: 1, seed: 2 })[0]!;
    for (const t of ['{"image":"alpine","signatures":[]}', '', '   ', '[] []', '[1,]', '[01]', '[1e]', '["\\x"]', '[tru]']) {
      expect(fast(Buffer.from(t), ir)).toBeNull();
    }
    expect(fast(Buffer.from('[]'), ir)).toBe('[]\n');
  });

  it('many distinct strings (more than the intern table holds) are all read right', () => {
    const ir = ALICE;
    const inputs = Array.from({ length: 60_000 }, (_, k) => ({
      image: `atcr.io/team-${k}/app:${k % 7}`,
      now: NOW,
      signatures: [{ valid: true, did: `did:plc:signer${k}`, signedAt: '2026-11-25T11:00:00Z' }],
    }));
    const bytes = Buffer.from(JSON.stringify(inputs));
    const out = fast(bytes, ir);
    expect(out).toBe(general(bytes, ir));
    expect(out).toContain('"did":"did:plc:signer59999"');
  });
});
