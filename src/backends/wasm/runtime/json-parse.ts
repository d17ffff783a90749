// JSON text (UTF-8) → value nodes, without recursion so that any nesting depth is safe.
// Strings are validated here and decoded on first use (string.ts). Numbers keep their
// text: the decision never needs their value.

import {
  newNode, nodeNext, nodeParent, tagOf,
  T_ARRAY, T_FALSE, T_LAZY_ASCII, T_LAZY_TEXT, T_MEMBER, T_NULL, T_NUMBER, T_OBJECT, T_TRUE,
} from './value';

let pos: usize = 0;
let end: usize = 0;

@inline function peek(): i32 {
  return pos < end ? <i32>load<u8>(pos) : -1;
}

function skipWs(): void {
  while (pos < end) {
    const c = load<u8>(pos);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) return;
    pos++;
  }
}

function literal(word: string): bool {
  const n = <usize>word.length;
  if (end - pos < n) return false;
  for (let i: usize = 0; i < n; i++) {
    if (<u16>load<u8>(pos + i) != load<u16>(changetype<usize>(word) + (i << 1))) return false;
  }
  pos += n;
  return true;
}

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function number(): usize {
  const start = pos;
  if (peek() == 0x2d) pos++;
  const c = peek();
  if (c == 0x30) pos++;
  else if (c >= 0x31 && c <= 0x39) while (isDigit(peek())) pos++;
  else return 0;
  if (peek() == 0x2e) {
    pos++;
    if (!isDigit(peek())) return 0;
    while (isDigit(peek())) pos++;
  }
  const e = peek();
  if (e == 0x65 || e == 0x45) {
    pos++;
    const s = peek();
    if (s == 0x2b || s == 0x2d) pos++;
    if (!isDigit(peek())) return 0;
    while (isDigit(peek())) pos++;
  }
  return newNode(T_NUMBER, <u32>start, <u32>(pos - start));
}

export function hexVal(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

// 1 for the bytes that stop the plain scan of a string: controls, `"`, `\\`, non-ASCII.
const STOP = memory.data<u8>([
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
]);

/**
 * Scans a string whose opening quote is at `pos - 1`, checking that it is valid JSON
 * (no raw control characters, only known escapes). Its text is decoded only if the
 * decision reads it (string.ts), so digests, URIs and messages cost one scan.
 */
function parseString(): usize {
  const from = pos;
  const limit = end;
  let q = from;
  let plain = true;
  while (true) {
    while (q < limit && load<u8>(STOP + <usize>load<u8>(q)) == 0) q++;
    if (q >= limit) return 0;
    const c = load<u8>(q);
    if (c == 0x22) break;
    if (c < 0x20) return 0;
    if (c == 0x5c) {
      plain = false;
      if (q + 1 >= limit) return 0;
      const e = load<u8>(q + 1);
      if (e == 0x75) {
        if (limit - q < 6) return 0;
        for (let i: usize = 2; i < 6; i++) if (hexVal(<i32>load<u8>(q + i)) < 0) return 0;
        q += 6;
        continue;
      }
      if (e != 0x22 && e != 0x5c && e != 0x2f && e != 0x62 && e != 0x66 && e != 0x6e && e != 0x72 && e != 0x74) {
        return 0;
      }
      q += 2;
      continue;
    }
    if (c >= 0x80) plain = false;
    q++;
  }
  pos = q + 1;
  return newNode(plain ? T_LAZY_ASCII : T_LAZY_TEXT, <u32>from, <u32>(q - from));
}

/** Appends `child` to the open container `parent` (whose `next` holds its tail while open). */
function append(parent: usize, child: usize): void {
  store<u32>(child, <u32>parent, 16);
  const tail = nodeNext(parent);
  if (tail == 0) store<u32>(parent, <u32>child, 8);
  else store<u32>(tail, <u32>child, 12);
  store<u32>(parent, <u32>child, 12);
  store<u32>(parent, load<u32>(parent, 4) + 1, 4);
}

/** Reads `"key" :` inside an object and appends an open member node; false on error. */
function memberKey(obj: usize): usize {
  skipWs();
  if (peek() != 0x22) return 0;
  pos++;
  const key = parseString();
  if (key == 0) return 0;
  skipWs();
  if (peek() != 0x3a) return 0;
  pos++;
  const m = newNode(T_MEMBER, <u32>key, 0);
  append(obj, m);
  return m;
}

/** Parses `len` bytes of JSON text at `start`; returns the root node or 0 when invalid. */
export function parseJson(start: usize, len: usize): usize {
  pos = start;
  end = start + len;
  // `open` is the innermost unfinished container, or a member awaiting its value.
  let open: usize = 0;
  while (true) {
    skipWs();
    const c = peek();
    let v: usize = 0;
    if (c == 0x7b || c == 0x5b) {
      pos++;
      const node = newNode(c == 0x7b ? T_OBJECT : T_ARRAY, 0, 0);
      store<u32>(node, <u32>open, 16);
      skipWs();
      const close = c == 0x7b ? 0x7d : 0x5d;
      if (peek() == close) {
        pos++;
        v = node;
      } else if (c == 0x7b) {
        const m = memberKey(node);
        if (m == 0) return 0;
        open = m;
        continue;
      } else {
        open = node;
        continue;
      }
    } else if (c == 0x22) {
      pos++;
      v = parseString();
    } else if (c == 0x74) v = literal('true') ? newNode(T_TRUE, 0, 0) : 0;
    else if (c == 0x66) v = literal('false') ? newNode(T_FALSE, 0, 0) : 0;
    else if (c == 0x6e) v = literal('null') ? newNode(T_NULL, 0, 0) : 0;
    else v = number();
    if (v == 0) return 0;

    // A value is complete: attach it and close every container it completes.
    while (true) {
      if (open == 0) {
        store<u32>(v, 0, 16);
        skipWs();
        return pos == end ? v : 0;
      }
      let container = open;
      if (tagOf(open) == T_MEMBER) {
        store<u32>(open, <u32>v, 8);
        store<u32>(v, <u32>open, 16);
        container = nodeParent(open);
      } else {
        // The array's parent was stashed at creation; append() overwrites it with itself.
        append(open, v);
      }
      skipWs();
      const d = peek();
      if (d == 0x2c) {
        pos++;
        if (tagOf(container) == T_OBJECT) {
          const m = memberKey(container);
          if (m == 0) return 0;
          open = m;
        } else open = container;
        break;
      }
      const close = tagOf(container) == T_OBJECT ? 0x7d : 0x5d;
      if (d != close) return 0;
      pos++;
      // The container is finished: clear its tail slot and continue with its parent.
      store<u32>(container, 0, 12);
      v = container;
      open = nodeParent(container);
    }
  }
}
