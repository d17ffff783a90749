// The one escaping policy for everything the CLI prints, to people or to programs.
//
// Characters that can change how the rest of a line is shown or read — every control (Cc:
// C0, DEL, C1 such as NEL U+0085 and CSI U+009B), every format character (Cf: the bidi
// embeddings, overrides, isolates and marks U+200E/U+200F/U+061C, zero-width characters,
// the byte order mark, tags), the line and paragraph separators (Zl U+2028, Zp U+2029), and
// lone surrogates (Cs) — never reach an output raw. Unicode's classes, not a list, so that
// a character nobody thought of is covered too.

const CLASSES = '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}';
/** Every character the policy escapes, as Unicode general categories. */
export const UNSAFE_CHAR = new RegExp(`[${CLASSES}]`, 'u');
const UNSAFE_ALL = new RegExp(`[${CLASSES}]`, 'gu');
// Set subtraction (the `v` flag, built at run time: TypeScript's ES2022 target does not
// know it) scans as fast as a plain class; a lookahead would be three times slower on a
// large batch of decisions.
/** The same, except the line feed a multi-line rendering is made of. */
const UNSAFE_BUT_NEWLINE = new RegExp(`[[${CLASSES}]--[\\n]]`, 'gv');
/**
 * The same, except JSON's own whitespace between tokens. Inside JSON strings,
 * JSON.stringify already writes every C0 control and lone surrogate as \uXXXX, so a raw
 * tab, line feed or carriage return in its output is never part of a value.
 */
const UNSAFE_IN_JSON = new RegExp(`[[${CLASSES}]--[\\t\\n\\r]]`, 'gv');

/** `\uXXXX` per UTF-16 unit: the form JSON reads back, and readable in text as well. */
function unicodeEscape(c: string): string {
  let s = '';
  for (let i = 0; i < c.length; i++) s += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return s;
}

/** A value (a name, a path, a message) for one line of text output: nothing is raw, not even a line feed. */
export function escapeText(s: string): string {
  return s.replace(UNSAFE_ALL, unicodeEscape);
}

/**
 * A whole rendering of several lines: line feeds stay, everything else is escaped. The
 * last pass of every text renderer, so that a field nobody escaped still cannot drive the
 * terminal; fields themselves go through escapeText, so they cannot add lines.
 */
export function escapeLines(s: string): string {
  return s.replace(UNSAFE_BUT_NEWLINE, unicodeEscape);
}

/**
 * JSON text made ASCII-safe for those characters: each becomes a \uXXXX escape in its
 * string. Still valid JSON, with exactly the same parsed value.
 */
export function escapeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, unicodeEscape);
}

/** JSON.stringify, escaped: what every JSON output of the CLI is written with. */
export function stringifyJson(value: unknown, indent?: number): string {
  return escapeJson(JSON.stringify(value, null, indent));
}
