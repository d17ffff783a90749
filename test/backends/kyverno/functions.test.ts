// The Kyverno functions of the test JMESPath behave as Kyverno documents them, and the
// readable-time regular expression the policy uses accepts exactly the times the native
// engine reads (docs/ir.md "Readable time").

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { READABLE_TIME_REGEX } from '../../../src/backends/kyverno/time.js';
import { parseInstant } from '../../../src/ir/time.js';
import { kyvernoJmespath, parseGoRfc3339 } from '../../support/kyverno-jmespath.js';

const search = kyvernoJmespath(() => '2026-11-25T12:00:00Z');

describe('Kyverno JMESPath functions', () => {
  it('time_now_utc reads the clock; time_add keeps the offset and drops fractional seconds', () => {
    expect(search({}, 'time_now_utc()')).toBe('2026-11-25T12:00:00Z');
    expect(search({}, "time_add(time_now_utc(), '-2592000s')")).toBe('2026-10-26T12:00:00Z');
    expect(search({}, "time_add('2026-01-01T00:00:00.9Z', '1s')")).toBe('2026-01-01T00:00:01Z');
    expect(search({}, "time_add('2026-01-01T00:00:00+05:30', '1h30m')")).toBe('2026-01-01T01:30:00+05:30');
    expect(() => search({}, "time_add('2026-01-01T00:00:00Z', '3d')")).toThrow(/invalid duration/);
    expect(() => search({}, "time_add('2026-02-30T00:00:00Z', '1s')")).toThrow(/day out of range/);
  });

  it('time_before and time_after compare instants to the nanosecond', () => {
    const t = (a: string, b: string) => [search({ a, b }, 'time_before(a, b)'), search({ a, b }, 'time_after(a, b)')];
    expect(t('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000000001Z')).toEqual([true, false]);
    expect(t('2026-01-01T05:00:00+05:00', '2026-01-01T00:00:00Z')).toEqual([false, false]);
    expect(t('2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00Z')).toEqual([false, true]);
  });

  it('regex_match searches (unanchored), lookup and object_from_lists build and read objects', () => {
    expect(search({ s: 'abc' }, "regex_match('b', s)")).toBe(true);
    expect(search({ s: 'abc' }, "regex_match('^b', s)")).toBe(false);
    expect(search({ o: { 'a:b': 1 } }, "lookup(o, 'a:b')")).toBe(1);
    expect(search({ o: {} }, "lookup(o, 'x')")).toBeNull();
    expect(search({ k: ['a', 'b', 'a'] }, 'keys(object_from_lists(k, k))')).toEqual(['a', 'b']);
  });
});

/** Two digits, mostly within [min, max], sometimes anything. */
const two = (min: number, max: number) =>
  fc
    .oneof({ weight: 9, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }) })
    .map((n) => String(n).padStart(2, '0'));
const timeLike = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1690, max: 2210 }), fc.integer({ min: 0, max: 9999 })).map((y) => String(y).padStart(4, '0')),
    two(1, 12),
    two(1, 31),
    fc.constantFrom('T', 'T', 'T', 'T', 't', ' '),
    two(0, 23),
    two(0, 59),
    two(0, 59),
    fc.oneof(fc.constant(''), fc.stringMatching(/^\.[0-9]{0,11}$/), fc.constant(',5')),
    fc.oneof(
      fc.constantFrom('Z', 'Z', 'z', ''),
      fc.tuple(fc.constantFrom('+', '-'), two(0, 23), two(0, 59)).map(([s, h, m]) => `${s}${h}:${m}`),
    ),
  )
  .map(([y, mo, d, t, h, mi, s, f, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`);

describe('the readable-time regular expression', () => {
  const re = new RegExp(READABLE_TIME_REGEX, 'u');
  it('accepts exactly what the native engine reads, at the same instant Go parses', () => {
    let readable = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 9, arbitrary: timeLike }, { weight: 1, arbitrary: fc.string() }), (text) => {
        const native = parseInstant(text);
        if (native) readable++;
        expect(re.test(text)).toBe(native !== null);
        if (native) expect(parseGoRfc3339(text).ns).toBe(BigInt(native.s) * 1_000_000_000n + BigInt(native.n));
      }),
      { numRuns: 3000 },
    );
    // The generator must reach both sides of the grammar often.
    expect(readable).toBeGreaterThan(100);
  });

  it('knows leap years and month lengths', () => {
    for (const [text, ok] of [
      ['2000-02-29T00:00:00Z', true],
      ['2024-02-29T00:00:00Z', true],
      ['1900-02-29T00:00:00Z', false],
      ['2100-02-29T00:00:00Z', false],
      ['2026-04-31T00:00:00Z', false],
      ['2200-12-31T23:59:59.123456789-23:59', true],
      ['1700-01-01T00:00:00Z', true],
      ['1699-12-31T23:59:59Z', false],
    ] as const) {
      expect(re.test(text)).toBe(ok);
    }
  });
});
