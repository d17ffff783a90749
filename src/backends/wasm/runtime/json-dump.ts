// Value nodes → JSON text, walking parent/next links so depth never matters.

import { wByte, wBytes, wLit, wStr } from './json-write';
import { isString } from './string';
import {
  nodeA, nodeB, nodeNext, nodeParent, tagOf,
  T_ARRAY, T_FALSE, T_MEMBER, T_NUMBER, T_OBJECT, T_RAW, T_STRING, T_TRUE,
} from './value';

/** A string node: decoded ones are escaped; undecoded ones are still valid JSON text. */
function wString(n: usize): void {
  if (tagOf(n) == T_STRING) wStr(nodeA(n), <i32>nodeB(n));
  else {
    wByte(0x22);
    wBytes(nodeA(n), nodeB(n));
    wByte(0x22);
  }
}

// Writing must not allocate (the text grows at the end of the heap), so nothing is decoded here.
export function dumpValue(root: usize): void {
  let n = root;
  while (true) {
    // Enter n: write it, or open it and descend.
    const tag = tagOf(n);
    if (tag == T_OBJECT || tag == T_ARRAY) {
      wByte(tag == T_OBJECT ? 0x7b : 0x5b);
      const first = <usize>nodeB(n);
      if (first != 0) {
        n = first;
        if (tag == T_OBJECT) {
          wString(<usize>nodeA(n));
          wByte(0x3a);
          n = nodeB(n);
        }
        continue;
      }
      wByte(tag == T_OBJECT ? 0x7d : 0x5d);
    } else if (isString(n)) wString(n);
    else if (tag == T_NUMBER) wBytes(nodeA(n), nodeB(n));
    else if (tag == T_TRUE) wLit('true');
    else if (tag == T_FALSE) wLit('false');
    else if (tag == T_RAW) wBytes(nodeA(n), nodeB(n));
    else wLit('null');

    // Leave n: move to its next sibling, or close containers upwards.
    while (true) {
      if (n == root) return;
      // A member's value: continue with the member.
      let up = nodeParent(n);
      if (tagOf(up) == T_MEMBER) n = up;
      const next = nodeNext(n);
      if (next != 0) {
        wByte(0x2c);
        n = next;
        if (tagOf(n) == T_MEMBER) {
          wString(<usize>nodeA(n));
          wByte(0x3a);
          n = nodeB(n);
        }
        break;
      }
      n = nodeParent(n);
      wByte(tagOf(n) == T_OBJECT ? 0x7d : 0x5d);
    }
  }
}
