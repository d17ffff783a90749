// A cursor over JSON bytes (RFC 8259) for readers that know the shape they expect: they
// read the values they need and skip the rest, validated but never built. Any departure
// from JSON throws `NotJson` with the offset of the first byte that is not JSON. Strings
// decode exactly as JSON.parse decodes them from the UTF-8 text.

import { StringInterner } from './intern.js';

export class NotJson extends Error {
  /** @param at the offset of the first byte at which the bytes stop being JSON */
  constructor(readonly at: number) {
    super(`not JSON at byte ${at}`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** 1 for the bytes a string holds as themselves: ASCII from 0x20, but `"` and `\\`. */
const ORDINARY = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) ORDINARY[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;

/** The escapes JSON has besides \u: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`. */
const SHORT_ESCAPES = new Set([...'"\\/bfnrt'].map((ch) => ch.charCodeAt(0)));

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

export class JsonBytes {
  pos = 0;
  private readonly interner: StringInterner;
  private readonly view: DataView;

  constructor(readonly bytes: Buffer) {
    this.interner = new StringInterner(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // A byte order mark is not content (as for `inputText` in src/cli/io.ts).
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) this.pos = 3;
  }

  /** Skips whitespace; returns the next byte (undefined at the end). */
  peek(): number | undefined {
    const b = this.bytes;
    let i = this.pos;
    let c = b[i];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
    this.pos = i;
    return c;
  }

  /** Consumes `byte` after optional whitespace, or throws. */
  expect(byte: number): void {
    if (this.peek() !== byte) throw new NotJson(this.pos);
    this.pos++;
  }

  /** After a member or element: true for `,` (consumed), false for `close` (consumed). */
  more(close: number): boolean {
    const c = this.peek();
    if (c !== COMMA && c !== close) throw new NotJson(this.pos);
    this.pos++;
    return c === COMMA;
  }

  /** At `[` or `{`: consumes it and says whether the container is empty (closer consumed). */
  open(close: number): boolean {
    this.pos++;
    if (this.peek() === close) {
      this.pos++;
      return true;
    }
    return false;
  }

  atEnd(): boolean {
    return this.peek() === undefined;
  }

  /**
   * Reads an object key and its colon; returns its index in `names`, or -1 for any other
   * key. Keys with escapes are decoded first, so `"im\u0061ge"` is `image`, as in JSON.parse.
   */
  keyOf(names: readonly string[]): number {
    if (this.peek() !== QUOTE) throw new NotJson(this.pos);
    const b = this.bytes;
    const start = this.pos + 1;
    // A name (never holding `"` or `\\`) followed by a quote is that very key: no scan first.
    for (let n = 0; n < names.length; n++) {
      const name = names[n]!;
      const len = name.length;
      if (b[start + len] !== QUOTE) continue;
      let k = 0;
      while (k < len && b[start + k] === name.charCodeAt(k)) k++;
      if (k === len) {
        this.pos = start + len + 1;
        this.expect(COLON);
        return n;
      }
    }
    // Any other key, or a known one spelled with escapes.
    const end = this.stringEnd(start);
    let found = -1;
    if (this.plain) this.pos = end + 1;
    else found = names.indexOf(this.decodeString(start - 1, end));
    this.expect(COLON);
    return found;
  }

  /** A string value, or undefined (skipped) when the value is of another type. */
  stringOrSkip(): string | undefined {
    if (this.peek() === QUOTE) return this.string();
    this.skip();
    return undefined;
  }

  /** true when the value is the literal `true`; any other value is skipped. */
  isTrue(): boolean {
    const b = this.bytes;
    const i = this.pos;
    if (this.peek() === 0x74 && b[this.pos + 1] === 0x72 && b[this.pos + 2] === 0x75 && b[this.pos + 3] === 0x65) {
      this.pos += 4;
      return true;
    }
    this.pos = i;
    this.skip();
    return false;
  }

  /** Set by `stringEnd`: the string had no escape and only ASCII. */
  private plain = true;

  /** From just after an opening quote: the index of the closing quote. */
  private stringEnd(start: number): number {
    const b = this.bytes;
    const v = this.view;
    const wordsEnd = b.length - 3;
    let i = start;
    let plain = true;
    for (;;) {
      // Four bytes at a time while none is special: below 0x20, `"`, `\\` or above 0x7f
      // (exact tests on the word, SWAR); then one table lookup per byte, where past the
      // end b[i] is undefined and stops the loop.
      while (i < wordsEnd) {
        const x = v.getUint32(i, true);
        const q = x ^ 0x22222222;
        const e = x ^ 0x5c5c5c5c;
        if ((((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((e - 0x01010101) & ~e) | x) & 0x80808080) break;
        i += 4;
      }
      while (ORDINARY[b[i]!] === 1) i++;
      const c = b[i];
      if (c === QUOTE) break;
      if (c === undefined || c < 0x20) throw new NotJson(i);
      plain = false;
      if (c === BACKSLASH) {
        // A fault in an escape is where V8 puts it: the first byte that is not a hex digit
        // after `\u`, or else the byte after the backslash.
        const e = b[i + 1];
        if (e === 0x75) {
          for (let k = i + 2; k < i + 6; k++) if (!isHex(b[k])) throw new NotJson(k);
          i += 6;
        } else if (e !== undefined && SHORT_ESCAPES.has(e)) i += 2;
        else throw new NotJson(i + 1);
      } else i++; // not ASCII: decoded as UTF-8 by `decodeString`
    }
    this.plain = plain;
    return i;
  }

  /** The value of a string token [quote, endQuote] that `stringEnd` checked: JSON.parse of its UTF-8 text. */
  private decodeString(quote: number, endQuote: number): string {
    this.pos = endQuote + 1;
    return JSON.parse(this.bytes.toString('utf8', quote, endQuote + 1)) as string;
  }

  /** At `"`: the string's value. */
  string(): string {
    const start = this.pos + 1;
    const end = this.stringEnd(start);
    if (!this.plain) return this.decodeString(start - 1, end);
    this.pos = end + 1;
    return this.interner.get(start, end);
  }

  /** Skips one value of any type, checking it is JSON; iterative, so any depth is fine. */
  skip(): void {
    const first = this.peek();
    if (first !== LBRACE && first !== LBRACKET) return this.scalar(first);
    // Open containers, innermost last: true for an object.
    const stack: boolean[] = [];
    for (;;) {
      // A value.
      let c = this.peek();
      if (c === LBRACE || c === LBRACKET) {
        const obj = c === LBRACE;
        if (!this.open(obj ? RBRACE : RBRACKET)) {
          stack.push(obj);
          if (obj) this.skipKey();
          continue;
        }
      } else this.scalar(c);
      // After a value: close what ends here, or go on to the next member or element.
      for (;;) {
        if (stack.length === 0) return;
        const obj = stack[stack.length - 1]!;
        if (this.more(obj ? RBRACE : RBRACKET)) {
          if (obj) this.skipKey();
          break;
        }
        stack.pop();
      }
    }
  }

  /** Skips a string, number or literal starting with byte `c`. */
  private scalar(c: number | undefined): void {
    if (c === QUOTE) this.pos = this.stringEnd(this.pos + 1) + 1;
    else if (c === 0x74) this.word('true');
    else if (c === 0x66) this.word('false');
    else if (c === 0x6e) this.word('null');
    else this.number();
  }

  private skipKey(): void {
    if (this.peek() !== QUOTE) throw new NotJson(this.pos);
    this.pos = this.stringEnd(this.pos + 1) + 1;
    this.expect(COLON);
  }

  private word(w: string): void {
    const b = this.bytes;
    for (let k = 0; k < w.length; k++) if (b[this.pos + k] !== w.charCodeAt(k)) throw new NotJson(this.pos + k);
    this.pos += w.length;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  private number(): void {
    const b = this.bytes;
    let i = this.pos;
    if (b[i] === MINUS) i++;
    if (b[i] === ZERO) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else throw new NotJson(i);
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i])) throw new NotJson(i);
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === MINUS) i++;
      if (!isDigit(b[i])) throw new NotJson(i);
      while (isDigit(b[i])) i++;
    }
    this.pos = i;
  }
}

export { LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET };

/** Where `bytes` stop being one JSON value (RFC 8259): the offset of the first byte that is not JSON, or null when they are one. */
export function jsonFaultOffset(bytes: Buffer): number | null {
  const j = new JsonBytes(bytes);
  j.pos = 0; // here a byte order mark is a fault, as for JSON.parse
  try {
    j.skip();
    return j.atEnd() ? null : j.pos;
  } catch (err) {
    if (err instanceof NotJson) return err.at;
    throw err;
  }
}
