// Strings of the input are kept as validated JSON text until the decision reads one;
// then they become UTF-16 in place (the node turns into T_STRING): `\u` escapes give the
// units they name, lone surrogates included, like JSON.parse; invalid UTF-8 bytes become
// U+FFFD like TextDecoder.

import { hexVal } from './json-parse';
import { alloc, setHeap } from './mem';
import { strEqLit } from './text';
import { T_LAZY_ASCII, T_LAZY_TEXT, T_STRING } from './value';

let pos: usize = 0;
let end: usize = 0;

/** Decodes one UTF-8 sequence at `pos` (advancing it); U+FFFD for an invalid one. */
function utf8(): i32 {
  const b0 = <i32>load<u8>(pos);
  let need = 0;
  let cp = 0;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    cp = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    pos++;
    return 0xfffd;
  }
  pos++;
  for (let i = 0; i < need; i++) {
    if (pos >= end) return 0xfffd;
    const b = <i32>load<u8>(pos);
    if (b < lo || b > hi) return 0xfffd;
    lo = 0x80;
    hi = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    pos++;
  }
  return cp;
}

/** Decodes JSON string text [from, from + n) (already validated) to UTF-16. */
function decodeText(from: usize, n: usize): void {
  pos = from;
  end = from + n;
  const buf = alloc(n << 1); // units never outnumber bytes
  let out = buf;
  while (pos < end) {
    const c = <i32>load<u8>(pos);
    if (c == 0x5c) {
      const e = <i32>load<u8>(pos + 1);
      pos += 2;
      let u = e;
      if (e == 0x62) u = 8;
      else if (e == 0x66) u = 12;
      else if (e == 0x6e) u = 10;
      else if (e == 0x72) u = 13;
      else if (e == 0x74) u = 9;
      else if (e == 0x75) {
        u = 0;
        for (let i: usize = 0; i < 4; i++) u = (u << 4) | hexVal(<i32>load<u8>(pos + i));
        pos += 4;
      }
      store<u16>(out, <u16>u);
      out += 2;
    } else if (c < 0x80) {
      store<u16>(out, <u16>c);
      out += 2;
      pos++;
    } else {
      const cp = utf8();
      if (cp >= 0x10000) {
        store<u16>(out, <u16>(0xd800 + ((cp - 0x10000) >> 10)));
        store<u16>(out, <u16>(0xdc00 + ((cp - 0x10000) & 0x3ff)), 2);
        out += 4;
      } else {
        store<u16>(out, <u16>cp);
        out += 2;
      }
    }
  }
  setHeap(out); // give back the unused part of the buffer
  decodedPtr = buf;
  decodedLen = <i32>((out - buf) >> 1);
}

let decodedPtr: usize = 0;
let decodedLen: i32 = 0;

export function isString(n: usize): bool {
  if (n == 0) return false;
  const t = load<u32>(n);
  return t == T_STRING || t == T_LAZY_ASCII || t == T_LAZY_TEXT;
}

/** Turns a string node into T_STRING (UTF-16 pointer, length in units). */
export function decodeString(n: usize): void {
  const t = load<u32>(n);
  if (t == T_STRING) return;
  const from = <usize>load<u32>(n, 4);
  const len = <usize>load<u32>(n, 8);
  if (t == T_LAZY_ASCII) {
    const buf = alloc(len << 1);
    for (let i: usize = 0; i < len; i++) store<u16>(buf + (i << 1), <u16>load<u8>(from + i));
    decodedPtr = buf;
    decodedLen = <i32>len;
  } else {
    decodeText(from, len);
  }
  store<u32>(n, T_STRING);
  store<u32>(n, <u32>decodedPtr, 4);
  store<u32>(n, <u32>decodedLen, 8);
}

/** Whether a string node (an object key) equals an ASCII literal, decoding only if it must. */
export function keyEquals(n: usize, lit: string): bool {
  if (load<u32>(n) == T_LAZY_ASCII) {
    const len = <i32>load<u32>(n, 8);
    if (len != lit.length) return false;
    const from = <usize>load<u32>(n, 4);
    const p = changetype<usize>(lit);
    for (let i = 0; i < len; i++) {
      if (<u16>load<u8>(from + <usize>i) != load<u16>(p + (<usize>i << 1))) return false;
    }
    return true;
  }
  decodeString(n);
  return strEqLit(load<u32>(n, 4), <i32>load<u32>(n, 8), lit);
}
