// The encoders every string passes on its way into a generated artifact, one per kind of
// text, and the guard that every text artifact passes last. Policy text (descriptions,
// globs, expression strings, DIDs, file names) can hold any Unicode; readers disagree on
// which characters break lines (YAML 1.1 and Go's YAML scanner count NEL, U+2028 and
// U+2029; Rego and YAML 1.2 do not), and terminals and editors act on controls and bidi
// overrides. So no such character is ever written raw: string literals escape it,
// comments show it as `\u{…}`, and an artifact that still holds one is refused.

/**
 * Characters never written raw: Unicode's controls (Cc, which includes TAB, LF, CR, ESC
 * and the C1 range with NEL), format characters (Cf: bidi embeddings, overrides and
 * isolates, zero-width characters, BOM, tag characters), line and paragraph separators
 * (Zl, Zp), the remaining bidi controls, and lone surrogates (no UTF-8 form).
 */
const UNSAFE_SOURCE = '[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Bidi_Control}\\p{Cs}]';
const UNSAFE = new RegExp(UNSAFE_SOURCE, 'u');
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, 'gu');

/** Whether `text` holds a character that must not reach an artifact raw. */
export function hasUnsafeChar(text: string): boolean {
  return UNSAFE.test(text);
}

/** Characters a text artifact may hold raw: LF ends lines, TAB indents Rego. */
const ALLOWED_RAW = new Set(['\n', '\t']);

/** Whether `text` holds an unsafe character other than LF and TAB. */
export function hasUnsafeCharBesidesLines(text: string): boolean {
  for (const m of text.matchAll(UNSAFE_ALL)) if (!ALLOWED_RAW.has(m[0])) return true;
  return false;
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

/** Text for a one-line comment (`#` in Rego and YAML, or any other): unsafe characters shown as `\u{XXXX}`. */
export function commentText(text: string): string {
  return text.replace(UNSAFE_ALL, (ch) => `\\u{${hex(ch.codePointAt(0)!, 4)}}`);
}

/**
 * JSON text (as JSON.stringify writes it) with every unsafe character that JSON.stringify
 * leaves raw written as `\uXXXX` (a surrogate pair above U+FFFF). The value is unchanged:
 * unsafe characters can only occur inside JSON strings, where the escape means the same.
 * Rego string literals are JSON strings, so this is also the Rego string encoder.
 */
export function jsonEscapeUnsafe(json: string): string {
  return json.replace(UNSAFE_ALL, (ch) => {
    // JSON.stringify escapes LF and TAB in strings itself: raw ones are its indentation.
    if (ALLOWED_RAW.has(ch)) return ch;
    let out = '';
    for (let i = 0; i < ch.length; i++) out += `\\u${hex(ch.charCodeAt(i), 4).toLowerCase()}`;
    return out;
  });
}

/** A JSON string literal holding `value` exactly, with no unsafe character raw. */
export function jsonStringLiteral(value: string): string {
  return jsonEscapeUnsafe(JSON.stringify(value));
}

/** A JSON document (for files such as the bundle manifest), with no unsafe character raw. */
export function jsonDocument(value: unknown): string {
  return jsonEscapeUnsafe(JSON.stringify(value, null, 2)) + '\n';
}

/**
 * YAML double-quoted escapes for unsafe characters the YAML library leaves raw (LF and
 * TAB, which it writes itself, are kept). Only
 * applied inside double-quoted scalars (see yaml.ts), where `\uXXXX` and `\UXXXXXXXX`
 * mean the code point in YAML 1.1 and 1.2 alike.
 */
export function yamlEscapeUnsafe(text: string): string {
  return text.replace(UNSAFE_ALL, (ch) => {
    if (ALLOWED_RAW.has(ch)) return ch;
    const code = ch.codePointAt(0)!;
    return code > 0xffff ? `\\U${hex(code, 8)}` : `\\u${hex(code, 4)}`;
  });
}

/**
 * The last gate of every text artifact: an unsafe character that an encoder missed is an
 * internal error, never output. Returns the text unchanged.
 */
export function checkedArtifactText(path: string, text: string): string {
  for (const m of text.matchAll(UNSAFE_ALL)) {
    if (ALLOWED_RAW.has(m[0])) continue;
    const line = text.slice(0, m.index).split('\n').length;
    throw new Error(
      `internal error: ${path} line ${line} would hold the raw character U+${hex(m[0].codePointAt(0)!, 4)}; an encoder missed it`,
    );
  }
  return text;
}
