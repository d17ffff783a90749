// Evaluation of the typed expression tree (docs/ir.md "Expressions"). The type checker
// guarantees operand types, so every function here knows what kind of value it gets;
// strings come back through `sPtr`/`sLen`, durations through `dSec`/`dNano`.

import { ageNano, ageSec, slotLen, slotPtr } from './context';
import { globMatch } from './glob';
import {
  E_AND, E_BOOL, E_COMPARE, E_DURATION, E_ENDS_WITH, E_IN, E_LIST, E_MATCHES, E_NOT,
  E_NUMBER, E_OR, E_PATH, E_STARTS_WITH, E_STRING, irAt, OP_EQ, OP_GE, OP_GT, OP_LE, OP_LT,
  OP_NE, PATH_AGE, TY_BOOL, TY_DURATION, TY_LIST, TY_NUMBER,
} from './ir';
import { endsWith, startsWith, strCmp, strEq } from './text';

let sPtr: usize = 0;
let sLen: i32 = 0;
let dSec: f64 = 0;
let dNano: i32 = 0;

@inline function word(n: usize, i: usize): u32 {
  return load<u32>(n + (i << 2));
}

function evalString(n: usize): void {
  if (load<u32>(n) == E_STRING) {
    sPtr = irAt(word(n, 1));
    sLen = <i32>word(n, 2);
  } else {
    const slot = <i32>word(n, 1);
    sPtr = slotPtr(slot);
    sLen = slotLen(slot);
  }
}

function evalDuration(n: usize): void {
  if (load<u32>(n) == E_PATH && word(n, 1) == PATH_AGE) {
    dSec = <f64>ageSec;
    dNano = ageNano;
  } else {
    dSec = load<f64>(n, 8);
    dNano = 0;
  }
}

function ordered(op: u32, c: i32): bool {
  if (op == OP_EQ) return c == 0;
  if (op == OP_NE) return c != 0;
  if (op == OP_LT) return c < 0;
  if (op == OP_LE) return c <= 0;
  if (op == OP_GT) return c > 0;
  if (op == OP_GE) return c >= 0;
  return false;
}

function listsEqual(a: usize, b: usize): bool {
  const count = word(a, 1);
  if (count != word(b, 1)) return false;
  for (let i: u32 = 0; i < count; i++) {
    evalString(irAt(word(a, 2 + i)));
    const p = sPtr;
    const l = sLen;
    evalString(irAt(word(b, 2 + i)));
    if (!strEq(p, l, sPtr, sLen)) return false;
  }
  return true;
}

function compare(n: usize): bool {
  const op = word(n, 1);
  const ty = word(n, 2);
  const left = irAt(word(n, 3));
  const right = irAt(word(n, 4));
  if (ty == TY_NUMBER) {
    const a = load<f64>(left, 8);
    const b = load<f64>(right, 8);
    if (op == OP_EQ) return a == b;
    if (op == OP_NE) return a != b;
    if (op == OP_LT) return a < b;
    if (op == OP_LE) return a <= b;
    if (op == OP_GT) return a > b;
    return a >= b;
  }
  if (ty == TY_DURATION) {
    evalDuration(left);
    const s = dSec;
    const ns = dNano;
    evalDuration(right);
    const c = s < dSec ? -1 : s > dSec ? 1 : ns < dNano ? -1 : ns > dNano ? 1 : 0;
    return ordered(op, c);
  }
  if (ty == TY_BOOL) {
    const a = evalBool(left);
    const b = evalBool(right);
    return ordered(op, a == b ? 0 : a ? 1 : -1);
  }
  if (ty == TY_LIST) {
    const eq = listsEqual(left, right);
    return op == OP_NE ? !eq : eq;
  }
  evalString(left);
  const p = sPtr;
  const l = sLen;
  evalString(right);
  if (op == OP_EQ) return strEq(p, l, sPtr, sLen);
  if (op == OP_NE) return !strEq(p, l, sPtr, sLen);
  return ordered(op, strCmp(p, l, sPtr, sLen));
}

export function evalBool(n: usize): bool {
  const kind = load<u32>(n);
  if (kind == E_BOOL) return word(n, 1) != 0;
  if (kind == E_COMPARE) return compare(n);
  if (kind == E_AND || kind == E_OR) {
    const count = word(n, 1);
    const isAnd = kind == E_AND;
    for (let i: u32 = 0; i < count; i++) {
      if (evalBool(irAt(word(n, 2 + i))) != isAnd) return !isAnd;
    }
    return isAnd;
  }
  if (kind == E_NOT) return !evalBool(irAt(word(n, 1)));
  if (kind == E_IN) {
    evalString(irAt(word(n, 1)));
    const p = sPtr;
    const l = sLen;
    const list = irAt(word(n, 2));
    const count = word(list, 1);
    for (let i: u32 = 0; i < count; i++) {
      evalString(irAt(word(list, 2 + i)));
      if (strEq(p, l, sPtr, sLen)) return true;
    }
    return false;
  }
  if (kind == E_MATCHES) {
    evalString(irAt(word(n, 1)));
    return globMatch(irAt(word(n, 2)), sPtr, sLen);
  }
  if (kind == E_STARTS_WITH || kind == E_ENDS_WITH) {
    evalString(irAt(word(n, 1)));
    const p = sPtr;
    const l = sLen;
    evalString(irAt(word(n, 2)));
    return kind == E_STARTS_WITH ? startsWith(p, l, sPtr, sLen) : endsWith(p, l, sPtr, sLen);
  }
  return false;
}
