// The one RFC 3339 grammar of docs/ir.md "Readable time", exact to the nanosecond.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareInstants, parseInstant } from '../../src/ir/time.js';

describe('parseInstant', () => {
  it('reads the forms the grammar allows', () => {
    expect(parseInstant('1970-01-01T00:00:00Z')).toEqual({ s: 0, n: 0 });
    expect(parseInstant('1970-01-01T00:00:01.5Z')).toEqual({ s: 1, n: 500_000_000 });
    expect(parseInstant('1970-01-01T00:00:00.000000001Z')).toEqual({ s: 0, n: 1 });
    expect(parseInstant('1970-01-01T01:00:00+01:00')).toEqual({ s: 0, n: 0 });
    expect(parseInstant('1969-12-31T19:00:00-05:00')).toEqual({ s: 0, n: 0 });
    expect(parseInstant('1969-12-31T23:59:59.999999999Z')).toEqual({ s: -1, n: 999_999_999 });
    expect(parseInstant('2026-11-25T12:00:00+23:59')).not.toBeNull();
  });

  it('rejects what the grammar does not allow', () => {
    for (const t of [
      '2026-11-25t12:00:00Z',
      '2026-11-25T12:00:00z',
      '2026-11-25 12:00:00Z',
      '2026-11-25T12:00:00',
      '2026-11-25T12:00Z',
      '2026-11-25T12:00:60Z', // no leap second
      '2026-11-25T24:00:00Z',
      '2026-11-25T12:60:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-11-31T00:00:00Z',
      '2026-11-00T00:00:00Z',
      '2026-11-25T12:00:00.Z',
      '2026-11-25T12:00:00.1234567890Z',
      '2026-11-25T12:00:00+24:00',
      '2026-11-25T12:00:00+01:60',
      '2026-11-25T12:00:00+0100',
      '2026-11-25T12:00:00+01',
      '2026-11-25T12:00:00ZZ',
      '1699-12-31T23:59:59Z',
      '2201-01-01T00:00:00Z',
      '+2026-11-25T12:00:00Z',
      '２０２６-11-25T12:00:00Z',
      '',
    ]) {
      expect(parseInstant(t), t).toBeNull();
    }
    for (const v of [null, undefined, 0, {}, []]) expect(parseInstant(v)).toBeNull();
  });

  it('applies the Gregorian leap-year rule', () => {
    expect(parseInstant('2024-02-29T00:00:00Z')).not.toBeNull();
    expect(parseInstant('2000-02-29T00:00:00Z')).not.toBeNull();
    expect(parseInstant('2100-02-29T00:00:00Z')).toBeNull();
    expect(parseInstant('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseInstant('1700-01-01T00:00:00Z')).not.toBeNull();
    expect(parseInstant('2200-12-31T23:59:59.999999999Z')).not.toBeNull();
  });

  it('agrees with Date.parse to the millisecond on random valid times', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const arb = fc.record({
      y: fc.integer({ min: 1700, max: 2200 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      ms: fc.integer({ min: 0, max: 999 }),
      off: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    });
    fc.assert(
      fc.property(arb, ({ y, mo, d, h, mi, s, ms, off }) => {
        const sign = off < 0 ? '-' : '+';
        const a = Math.abs(off);
        const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}${sign}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
        const got = parseInstant(text);
        expect(got).not.toBeNull();
        expect(got!.s * 1000 + got!.n / 1e6).toBe(Date.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('compares exactly, below the precision of a double of epoch nanoseconds', () => {
    const a = parseInstant('2026-11-25T12:00:00.000000001Z')!;
    const b = parseInstant('2026-11-25T12:00:00.000000002Z')!;
    expect(compareInstants(a, b)).toBe(-1);
    expect(compareInstants(b, a)).toBe(1);
    expect(compareInstants(a, parseInstant('2026-11-25T13:00:00.000000001+01:00')!)).toBe(0);
  });
});
