import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_SECONDS, parseDuration } from '../../src/expr/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 86_400],
    ['1d12h', 129_600],
    ['90m', 5_400],
    ['1w', 604_800],
    ['45s', 45],
    ['2w3d4h5m6s', 2 * 604_800 + 3 * 86_400 + 4 * 3_600 + 5 * 60 + 6],
    ['0d1s', 1],
    ['01h', 3_600],
    ['36500d', 36_500 * 86_400],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ seconds });
  });

  it('accepts exactly 100 years and nothing longer', () => {
    expect(parseDuration(`${MAX_DURATION_SECONDS}s`)).toEqual({ seconds: 3_155_760_000 });
    expect(parseDuration(`${MAX_DURATION_SECONDS + 1}s`)).toHaveProperty('error', expect.stringContaining('100 years'));
    expect(parseDuration('99999999999999999999999w')).toHaveProperty('error', expect.stringContaining('100 years'));
  });

  it.each(['0s', '0d0h', '000m'])('rejects the zero duration %s', (text) => {
    expect(parseDuration(text)).toHaveProperty('error', expect.stringContaining('zero'));
  });

  it.each(['-1d', ' -5m'])('rejects the negative duration %s', (text) => {
    expect(parseDuration(text)).toHaveProperty('error', expect.stringContaining('negative'));
  });

  it.each(['', '30', 'd', '1y', '1.5h', '1d 2h', ' 1d', '1D', '1dd', '10mo'])('rejects %j as not a duration', (text) => {
    expect(parseDuration(text)).toHaveProperty('error');
  });
});

describe('formatDuration', () => {
  it.each([
    [129_600, '1d12h'],
    [604_800, '7d'],
    [5_400, '1h30m'],
    [1, '1s'],
    [0, '0s'],
    [691_261, '8d1m1s'],
  ])('writes %i seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('round-trips every whole number of seconds up to the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_DURATION_SECONDS }), (seconds) => {
        expect(parseDuration(formatDuration(seconds))).toEqual({ seconds });
      }),
      { numRuns: 500 },
    );
  });

  it('is the canonical form of any accepted duration text', () => {
    const part = fc.tuple(fc.integer({ min: 0, max: 500 }), fc.constantFrom('w', 'd', 'h', 'm', 's'));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        const parsed = parseDuration(text);
        if ('seconds' in parsed) {
          expect(parseDuration(formatDuration(parsed.seconds))).toEqual(parsed);
        } else {
          expect(parsed.error).toMatch(/zero/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
