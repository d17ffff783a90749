// The Rego module's image normalization and time reading agree with the native engine's
// (src/ref, src/ir/time) on strings built to hit the grammar's edges.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regoModule } from '../../../src/backends/rego/index.js';
import { parseInstant } from '../../../src/ir/time.js';
import { parseImageRef } from '../../../src/ref/reference.js';
import { RegoProgram } from '../../support/rego/interpreter.js';
import { emptyDoc } from './fixtures.js';

const program = new RegoProgram([regoModule(emptyDoc)]);

const pieces = [
  'atcr.io', 'docker.io', 'index.docker.io', 'Reg.IO', 'localhost', 'localhost:5000', '[::1]', '[::1]:80', 'a-b.c',
  '-bad.io', 'x:y', 'acme', 'ACME', 'app', 'a.b', 'a__b', 'a___b', 'a--b', 'a_', '_a', 'v1.0', 'latest', '-t', '',
  'ü', '1', 'library', `sha256:${'a'.repeat(64)}`, `sha512:${'f'.repeat(128)}`, `sha256:${'A'.repeat(64)}`, 'sha256:ab',
];
const separators = ['/', '/', '/', ':', '@', ''];

const reference = fc
  .array(fc.tuple(fc.constantFrom(...pieces), fc.constantFrom(...separators)), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.map(([p, s]) => p + s).join(''));

const longReference = fc.integer({ min: 240, max: 260 }).map((n) => `r.io/${'a'.repeat(n)}`);

const time = fc
  .tuple(
    fc.constantFrom('2026', '1700', '1699', '2200', '2201', '2024', '2100', '2000', '0000'),
    fc.constantFrom('01', '02', '04', '12', '13', '00'),
    fc.constantFrom('01', '28', '29', '30', '31', '00', '32'),
    fc.constantFrom('T', 't', ' '),
    fc.constantFrom('00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60', '7:00:00'),
    fc.constantFrom('', '.5', '.000000001', '.123456789', '.1234567891', '.'),
    fc.constantFrom('Z', 'z', '+01:00', '-23:59', '+24:00', '+01:60', '+0100', ''),
  )
  .map((p) => `${p[0]}-${p[1]}-${p[2]}${p[3]}${p[4]}${p[5]}${p[6]}`);

describe('Rego reading of references and times', () => {
  it('normalizes references like the native parser', () => {
    fc.assert(
      fc.property(fc.oneof(reference, longReference), (ref) => {
        const rego = program.evaluate('data.atcr.trust.image', { image: ref });
        const native = parseImageRef(ref);
        expect(rego, ref).toEqual(native ?? undefined);
      }),
      { numRuns: 1500 },
    );
  });

  it('reads RFC 3339 times like the native engine, to the nanosecond', () => {
    fc.assert(
      fc.property(time, (t) => {
        const rego = program.evaluateValue('data.atcr.trust.now_ns', { now: t });
        const native = parseInstant(t);
        const expected = native === null ? undefined : BigInt(native.s) * 1_000_000_000n + BigInt(native.n);
        expect(rego, t).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
  });
});
