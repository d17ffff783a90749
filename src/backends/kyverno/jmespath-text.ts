// Building JMESPath text that survives both Kyverno's variable substitution and the
// JMESPath lexers of Go (Kyverno) and JavaScript (the tests) unchanged.
//
// Kyverno scans every policy string for `{{ … }}` (variables) and `$( … )` (references)
// before JMESPath sees it, so user text is never written raw: string values become JSON
// literals in backticks with every character outside a small safe set written as a
// `\uXXXX` escape. That keeps braces, backticks and `$(` out of the text entirely, and
// JSON escapes mean the same in Go and JavaScript. A backslash is written `\\` (regexes
// stay readable): both lexers skip the character after a backslash when looking for the
// closing backtick, and a JSON string always ends in `"`, so no backslash meets it.

/** Printable ASCII that no lexer or Kyverno scanner treats specially inside a JSON string. */
const SAFE = /^[A-Za-z0-9 !#%&'()*+,\-./:;<=>?@\[\]^_|~]$/;

export class UnrepresentableString extends Error {}

/** The JSON text of a string, with every non-safe UTF-16 unit escaped. */
export function jsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      // A pair is escaped as two units (Go's JSON decoder joins them); a lone surrogate
      // has no UTF-8 form, so a Go string cannot hold it.
      const next = value.charCodeAt(i + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        throw new UnrepresentableString('a lone UTF-16 surrogate cannot be represented in a Go string');
      }
      out += unicodeEscape(code) + unicodeEscape(next);
      i++;
      continue;
    }
    if (ch === '\\') out += '\\\\';
    else if (ch === '$' && value[i + 1] === '(') out += unicodeEscape(code);
    else out += SAFE.test(ch) || ch === '$' ? ch : unicodeEscape(code);
  }
  return out + '"';
}

function unicodeEscape(code: number): string {
  return '\\u' + code.toString(16).padStart(4, '0');
}

/** A JMESPath literal holding a string. */
export function strLit(value: string): string {
  return '`' + jsonString(value) + '`';
}

/** A JMESPath literal holding an array of strings. */
export function strListLit(values: readonly string[]): string {
  return '`[' + values.map(jsonString).join(',') + ']`';
}

/** A JMESPath literal for true, false or a whole number. */
export function jsonLit(value: boolean | number): string {
  return '`' + String(value) + '`';
}

export const TRUE = jsonLit(true);
export const FALSE = jsonLit(false);
export const EMPTY_LIST = '`[]`';

/** `a && b && …` over boolean-valued operands; an empty list is true. */
export function and(parts: readonly string[]): string {
  if (parts.length === 0) return TRUE;
  return parts.length === 1 ? parts[0]! : parts.map(paren).join(' && ');
}

/** `a || b || …` over boolean-valued operands; an empty list is false. */
export function or(parts: readonly string[]): string {
  if (parts.length === 0) return FALSE;
  return parts.length === 1 ? parts[0]! : parts.map(paren).join(' || ');
}

/**
 * `!` binds tighter than `.` in JMESPath (`!a.b` is `(!a).b`), so only a literal or a
 * function call goes unparenthesised after it.
 */
export function not(part: string): string {
  return /^[a-z_]*\(|^`/.test(part) && isAtom(part) ? `!${part}` : `!(${part})`;
}

/** Parentheses unless the text is already one atom (an identifier path, a call or a literal). */
export function paren(text: string): string {
  return isAtom(text) ? text : `(${text})`;
}

function isAtom(text: string): boolean {
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(text)) return true;
  if (/^`[^`]*`$/.test(text)) return true;
  // One balanced call or parenthesised group spanning the whole text.
  if (/^([a-z_]+)?\(/.test(text) && text.endsWith(')')) return closesAtEnd(text, text.indexOf('('));
  return false;
}

/** Whether the bracket opened at `open` closes at the last character (literals skipped). */
function closesAtEnd(text: string, open: number): boolean {
  let depth = 0;
  let inLiteral = false;
  let inRaw = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inLiteral) {
      if (c === '`') inLiteral = false;
      continue;
    }
    if (inRaw) {
      if (c === "'") inRaw = false;
      continue;
    }
    if (c === '`') inLiteral = true;
    else if (c === "'") inRaw = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i === text.length - 1;
    }
  }
  return false;
}

/**
 * Guards the one place where text meets Kyverno's scanners: generated JMESPath must hold
 * no variable or reference markers other than the ones the back end put there on purpose.
 */
export function assertNoMarkers(text: string, allowedVariables: readonly string[] = []): void {
  let rest = text;
  for (const v of allowedVariables) rest = rest.split(`{{ ${v} }}`).join('');
  if (rest.includes('{{') || rest.includes('}}') || rest.includes('$(')) {
    throw new Error(`internal error: generated JMESPath holds a Kyverno marker: ${text}`);
  }
}
