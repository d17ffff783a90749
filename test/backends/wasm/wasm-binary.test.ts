// The small WebAssembly binary reader/writer the splicer relies on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runtimeBytes } from '../../../src/backends/wasm/runtime-file.js';
import { ByteReader, readSections, signedLeb, unsignedLeb, writeSections } from '../../../src/backends/wasm/wasm-binary.js';

/** Signed LEB128 as the wasm spec defines it, decoded independently of the writer. */
function decodeSigned(bytes: number[]): number {
  let result = 0n;
  let shift = 0n;
  let b = 0;
  for (const x of bytes) {
    b = x;
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  if (b & 0x40) result -= 1n << shift;
  return Number(result);
}

describe('wasm binary', () => {
  it('round-trips unsigned LEB128', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), (n) => {
        expect(new ByteReader(Uint8Array.from(unsignedLeb(n))).u32()).toBe(n);
      }),
    );
  });

  it('writes signed LEB128 for any i32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        const bytes = signedLeb(n);
        expect(decodeSigned(bytes)).toBe(n);
        expect(bytes.length).toBeLessThanOrEqual(5);
      }),
    );
  });

  it('reads and writes the runtime module byte for byte', () => {
    const bytes = runtimeBytes();
    expect(Buffer.from(writeSections(readSections(bytes))).equals(Buffer.from(bytes))).toBe(true);
    expect(() => readSections(Uint8Array.of(0, 1, 2, 3))).toThrow();
  });
});
