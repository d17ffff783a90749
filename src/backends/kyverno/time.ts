// Time in Kyverno's JMESPath. `time_now_utc()` gives RFC 3339 with whole seconds; the
// rule keeps one reading (`atcrNow`) so every check in a rule sees the same instant.
// `time_before`/`time_after` parse both sides with Go's RFC 3339 parser and compare in
// nanoseconds. `time_add` re-formats its result without fractional seconds, so it is only
// ever applied to `now` (whole seconds already): thresholds are then exact, and the
// signature's `signedAt` (which may carry nanoseconds) is compared against them untouched.

import { strLit } from './jmespath-text.js';

/** The rule's clock reading, substituted by Kyverno into per-signature expressions. */
export const NOW_VARIABLE = 'atcrNow';
export const NOW_TEXT = `'{{ ${NOW_VARIABLE} }}'`;

/** Go's time.ParseDuration stops at about 292 years; the IR's durations stay far below. */
export const MAX_GO_DURATION_SECONDS = 9_223_372_036;

const YEAR = '(?:1[7-9][0-9]{2}|2[01][0-9]{2}|2200)';
// Leap years in 1700..2200: divisible by 4, not by 100, except 2000.
const LEAP_YEAR = '(?:(?:1[7-9]|2[01])(?:0[48]|[2468][048]|[13579][26])|2000)';
const MONTH_DAY =
  '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))';
const CLOCK = '(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?';
const OFFSET = '(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])';

/**
 * The readable-time grammar of docs/ir.md as one regular expression (RE2 and ECMAScript):
 * the year range, days that exist in their month (leap years included), no leap second.
 * A string that matches is one Go's RFC 3339 parser accepts, so time functions applied
 * after this check cannot fail.
 */
export const READABLE_TIME_REGEX = `^(?:${YEAR}-${MONTH_DAY}|${LEAP_YEAR}-02-29)T${CLOCK}${OFFSET}$`;

/** `now + seconds` (negative seconds go back), as RFC 3339 text; `nowText` must be whole seconds. */
export function shiftedNow(nowText: string, seconds: number): string {
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > MAX_GO_DURATION_SECONDS) {
    throw new RangeError(`a duration of ${seconds} seconds is beyond Kyverno's time_add`);
  }
  return `time_add(${nowText}, ${strLit(`${seconds}s`)})`;
}
