import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CAR_BYTES, parseCar } from '../../../src/kernel/proof/car.js';
import { CID, encodeCbor } from '../../../src/kernel/proof/ipld.js';
import { codeOf } from './codes.js';
import { makeRepo, manifestRecord, varint, writeCar as car } from './repo-fixture.js';

describe('CAR reader', () => {
  it('reads a real getRecord proof: one root, every block keyed by its CID', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() });
    const parsed = parseCar(await f.proof('3kaaaaaaaaaa2'));
    expect(parsed.root.toString()).toBe(f.repo.cid.toString());
    expect(parsed.blocks.has(parsed.root.toString())).toBe(true);
  });

  it('rejects a block whose bytes do not match its CID', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() }, { filler: 1 });
    const parsed = parseCar(await f.proof('3kaaaaaaaaaa2'));
    const blocks = [...parsed.blocks.entries()].map(([c, b]) => [CID.parse(c).bytes, b] as [Uint8Array, Uint8Array]);
    const edited = new Uint8Array(blocks[0]![1]);
    edited[edited.length - 1]! ^= 1;
    blocks[0]![1] = edited;
    expect(codeOf(() => parseCar(car(parsed.root, blocks)))).toBe('proof-invalid');
  });

  it('rejects headers with no root, two roots, or another version', () => {
    expect(codeOf(() => parseCar(new Uint8Array(Buffer.concat([varint(1), Buffer.from([0xa0])]))))).toBe('proof-invalid');
    const h = encodeCbor({ version: 2, roots: [] });
    expect(codeOf(() => parseCar(new Uint8Array(Buffer.concat([varint(h.length), Buffer.from(h)]))))).toBe('proof-invalid');
  });

  it('refuses CARs over 1 MiB before reading them', () => {
    expect(codeOf(() => parseCar(new Uint8Array(MAX_CAR_BYTES + 1)))).toBe('proof-unavailable');
  });

  it('never crashes on random bytes, random headers or random blocks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(['ok', 'proof-invalid']).toContain(codeOf(() => parseCar(bytes)));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 })), { maxLength: 4 }), (root, blocks) => {
        expect(['ok', 'proof-invalid']).toContain(codeOf(() => parseCar(car(root, blocks))));
      }),
      { numRuns: 500 },
    );
  });
});
