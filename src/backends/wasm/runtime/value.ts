// JSON values in linear memory. Every node is 20 bytes: tag, two payload words, the next
// sibling (arrays, object members) and the parent, which lets the parser and the dumper
// walk any depth without recursion.

import { alloc } from './mem';
import { decodeString, isString, keyEquals } from './string';

export const T_NULL: u32 = 1;
export const T_FALSE: u32 = 2;
export const T_TRUE: u32 = 3;
export const T_NUMBER: u32 = 4; // a = text pointer (UTF-8 bytes), b = byte length
export const T_STRING: u32 = 5; // a = UTF-16 pointer, b = length in units
export const T_ARRAY: u32 = 6; // a = count, b = first element
export const T_OBJECT: u32 = 7; // a = count, b = first member
export const T_MEMBER: u32 = 8; // a = key (a T_STRING node), b = value node
export const T_RAW: u32 = 9; // a = NUL-terminated JSON text, b = its byte length
export const T_LAZY_ASCII: u32 = 10; // a string not yet decoded: a = JSON text, b = bytes (ASCII, no escapes)
export const T_LAZY_TEXT: u32 = 11; // the same, with escapes or non-ASCII bytes

export const NODE_SIZE: usize = 20;

@inline export function tagOf(n: usize): u32 {
  return load<u32>(n);
}
@inline export function nodeA(n: usize): u32 {
  return load<u32>(n, 4);
}
@inline export function nodeB(n: usize): u32 {
  return load<u32>(n, 8);
}
@inline export function nodeNext(n: usize): usize {
  return load<u32>(n, 12);
}
@inline export function nodeParent(n: usize): usize {
  return load<u32>(n, 16);
}

@inline export function newNode(tag: u32, a: u32, b: u32): usize {
  const n = alloc(NODE_SIZE);
  store<u32>(n, tag);
  store<u32>(n, a, 4);
  store<u32>(n, b, 8);
  store<u32>(n, 0, 12);
  store<u32>(n, 0, 16);
  return n;
}

/** The value of member `key` of an object node, or 0; the last duplicate wins, as in JSON.parse. */
export function member(obj: usize, key: string): usize {
  if (obj == 0 || tagOf(obj) != T_OBJECT) return 0;
  let found: usize = 0;
  let m = <usize>nodeB(obj);
  while (m != 0) {
    if (keyEquals(<usize>nodeA(m), key)) found = nodeB(m);
    m = nodeNext(m);
  }
  return found;
}

/** A string member: sets `strPtr`/`strLen` and returns true, or returns false. */
export let strPtr: usize = 0;
export let strLen: i32 = 0;
export function stringMember(obj: usize, key: string): bool {
  return stringValue(member(obj, key));
}

/** A string node (or 0): sets `strPtr`/`strLen` and returns true, or returns false. */
export function stringValue(v: usize): bool {
  if (!isString(v)) {
    strPtr = 0;
    strLen = 0;
    return false;
  }
  decodeString(v);
  strPtr = nodeA(v);
  strLen = <i32>nodeB(v);
  return true;
}
