// Durations (trust-policy.md "Durations"): `<n><unit>` repeated, units w d h m s.
// Shared by the expression language and the policy loader's `maxAge`, so both accept
// exactly the same text and apply the same limits.

const UNIT_SECONDS: Readonly<Record<string, number>> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

/** Units largest first: the order formatDuration writes them in. */
const UNITS_DESCENDING = ['w', 'd', 'h', 'm', 's'] as const;

/**
 * 100 Julian years. The cap keeps `seconds × 10⁹` inside a signed 64-bit integer, which is
 * how OPA and the WebAssembly back end compare ages in nanoseconds.
 */
export const MAX_DURATION_SECONDS = 3_155_760_000;

const DURATION_SHAPE = /^(?:\d+[wdhms])+$/;
const PART = /(\d+)([wdhms])/g;

/** Reads a duration such as `30d` or `1d12h` into whole seconds, or says what is wrong. */
export function parseDuration(text: string): { seconds: number } | { error: string } {
  if (text.length === 0) return { error: 'a duration must not be empty (write e.g. 30d or 1d12h)' };
  if (/^\s*-/.test(text)) return { error: `duration "${text}" is negative; a duration must be positive` };
  if (!DURATION_SHAPE.test(text)) {
    return { error: `"${shorten(text)}" is not a duration: write <number><unit> pairs with units w, d, h, m, s (e.g. 30d, 1d12h, 90m)` };
  }
  let seconds = 0;
  for (const [, digits, unit] of text.matchAll(PART)) {
    // Number() of a long digit run loses precision only far above the cap, where the
    // exact value no longer matters.
    seconds += Number(digits) * UNIT_SECONDS[unit!]!;
  }
  if (seconds === 0) return { error: `duration "${text}" is zero; a duration must be positive` };
  if (!(seconds <= MAX_DURATION_SECONDS)) {
    return { error: `duration "${shorten(text)}" is longer than 100 years (${MAX_DURATION_SECONDS} seconds)` };
  }
  return { seconds };
}

/**
 * Canonical text of a number of whole seconds, largest units first: 129600 → "1d12h".
 * Weeks are not used: policies count days (30d, 90d), and "4w2d" would read oddly.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`formatDuration needs a non-negative whole number of seconds, got ${seconds}`);
  }
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const unit of UNITS_DESCENDING) {
    if (unit === 'w') continue;
    const size = UNIT_SECONDS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
