// opa_value_add_path / opa_value_remove_path: how OPA's Go and .NET SDKs patch `data`.
// The decision never reads `data`, but those hosts call these exports, so they work on
// the value trees of value.ts like OPA's own library: objects along the path are created
// as needed, and the status codes are OPA's.

import { decodeString, isString } from './string';
import { strEq } from './text';
import { newNode, nodeA, nodeB, nodeNext, tagOf, T_ARRAY, T_LAZY_ASCII, T_MEMBER, T_OBJECT } from './value';

export const OPA_ERR_OK: i32 = 0;
export const OPA_ERR_INVALID_TYPE: i32 = 2;
export const OPA_ERR_INVALID_PATH: i32 = 3;

/** Equal string nodes; plain ASCII ones are compared without decoding. */
function sameString(a: usize, b: usize): bool {
  if (tagOf(a) == T_LAZY_ASCII && tagOf(b) == T_LAZY_ASCII) {
    const n = nodeB(a);
    return n == nodeB(b) && memory.compare(nodeA(a), nodeA(b), n) == 0;
  }
  decodeString(a);
  decodeString(b);
  return strEq(nodeA(a), <i32>nodeB(a), nodeA(b), <i32>nodeB(b));
}

/** The member of `obj` whose key equals the string node `key`, or 0. */
function findMember(obj: usize, key: usize): usize {
  for (let m = <usize>nodeB(obj); m != 0; m = nodeNext(m)) {
    if (sameString(nodeA(m), key)) return m;
  }
  return 0;
}

function setValue(m: usize, value: usize): void {
  store<u32>(m, <u32>value, 8);
  store<u32>(value, <u32>m, 16);
}

/** Appends a member `key: value` to an object. */
function addMember(obj: usize, key: usize, value: usize): void {
  const m = newNode(T_MEMBER, <u32>key, 0);
  store<u32>(m, <u32>obj, 16);
  setValue(m, value);
  let last = <usize>nodeB(obj);
  if (last == 0) store<u32>(obj, <u32>m, 8);
  else {
    while (nodeNext(last) != 0) last = nodeNext(last);
    store<u32>(last, <u32>m, 12);
  }
  store<u32>(obj, nodeA(obj) + 1, 4);
}

/** The path's keys, checked: an array of strings, at least one. */
function validPath(path: usize): bool {
  if (path == 0 || tagOf(path) != T_ARRAY || nodeA(path) == 0) return false;
  for (let k = <usize>nodeB(path); k != 0; k = nodeNext(k)) if (!isString(k)) return false;
  return true;
}

export function addPath(base: usize, path: usize, value: usize): i32 {
  if (base == 0 || tagOf(base) != T_OBJECT) return OPA_ERR_INVALID_TYPE;
  if (!validPath(path) || value == 0) return OPA_ERR_INVALID_PATH;
  let obj = base;
  for (let k = <usize>nodeB(path); k != 0; k = nodeNext(k)) {
    const m = findMember(obj, k);
    const last = nodeNext(k) == 0;
    if (last) {
      if (m != 0) setValue(m, value);
      else addMember(obj, k, value);
      return OPA_ERR_OK;
    }
    if (m == 0) {
      const child = newNode(T_OBJECT, 0, 0);
      addMember(obj, k, child);
      obj = child;
    } else if (tagOf(nodeB(m)) == T_OBJECT) {
      obj = nodeB(m);
    } else return OPA_ERR_INVALID_PATH;
  }
  return OPA_ERR_OK;
}

export function removePath(base: usize, path: usize): i32 {
  if (base == 0 || tagOf(base) != T_OBJECT) return OPA_ERR_INVALID_TYPE;
  if (!validPath(path)) return OPA_ERR_INVALID_PATH;
  let obj = base;
  for (let k = <usize>nodeB(path); k != 0; k = nodeNext(k)) {
    if (nodeNext(k) != 0) {
      const m = findMember(obj, k);
      if (m == 0 || tagOf(nodeB(m)) != T_OBJECT) return OPA_ERR_OK; // nothing there to remove
      obj = nodeB(m);
      continue;
    }
    let prev: usize = 0;
    for (let m = <usize>nodeB(obj); m != 0; m = nodeNext(m)) {
      if (sameString(nodeA(m), k)) {
        if (prev == 0) store<u32>(obj, <u32>nodeNext(m), 8);
        else store<u32>(prev, <u32>nodeNext(m), 12);
        store<u32>(obj, nodeA(obj) - 1, 4);
        return OPA_ERR_OK;
      }
      prev = m;
    }
  }
  return OPA_ERR_OK;
}
