// The decision of docs/ir.md "The decision", from a parsed input to its outcome.
// Checks run in the documented order; all findings are collected here and the JSON is
// written afterwards (decision-write.ts), so the output can grow at the end of the heap.

import { MALFORMED_IMAGE, MALFORMED_NOW, MALFORMED_OBJECT, MALFORMED_SIGNATURES, SKEW_SECONDS } from './contract';
import {
  resetContext, setAge, setSlot, slotLen, slotPtr, S_ALGORITHM, S_DID, S_HANDLE, S_IMAGE,
  S_OWNER, S_PDS,
} from './context';
import { evalBool } from './expr';
import {
  ACTION_AUDIT, ACTION_ENFORCE, hasIr, H_UNMATCHED, irAt, irU32, P_ACTION, P_EXPR,
  P_HAS_MAX_AGE, P_MAX_AGE, P_MIN_SIGNATURES, P_SIGNATURE, P_TRUSTED, P_TRUSTED_COUNT,
  P_TRUST_OWNER, UNMATCHED_ALLOW, UNMATCHED_AUDIT,
} from './ir';
import { alloc } from './mem';
import { normalizeReference } from './reference';
import { BY_STRING, BY_VIOLATION, sortRecords, V_SIZE } from './sort';
import { choosePolicy } from './select';
import {
  fAlgorithm, fDid, fError, fHandle, fPds, fSignedAt, fValid, readSignature,
} from './signature-fields';
import { strEq } from './text';
import { parseTime, timeNano, timeSec } from './time';
import {
  member, nodeA, nodeB, nodeNext, stringMember, stringValue, strLen, strPtr, tagOf, T_ARRAY, T_OBJECT,
  T_TRUE,
} from './value';

// Violation codes, in the sort order of decision.md.
export const INVALID_IMAGE: u32 = 0;
export const NO_MATCHING_POLICY: u32 = 1;
export const NO_SIGNATURES: u32 = 2;
export const INVALID_SIGNATURE: u32 = 3;
export const UNTRUSTED_DID: u32 = 4;
export const SIGNATURE_EXPIRED: u32 = 5;
export const SIGNATURE_FROM_FUTURE: u32 = 6;
export const CONDITION_FAILED: u32 = 7;
export const INSUFFICIENT_SIGNATURES: u32 = 8;

// SKEW_SECONDS and the malformed-input reasons come from src/ir through contract.ts.
const NANOS: i32 = 1000000000;

export const EFFECT_ALLOW: i32 = 0;
export const EFFECT_DENY: i32 = 1;
export const EFFECT_AUDIT: i32 = 2;
export const EFFECT_WARN: i32 = 3;

export let violations: usize = 0; // array of violation record addresses
export let violationCount: i32 = 0;
export let policy: usize = 0; // the chosen policy record (absolute), or 0
export let distinctSigners: i32 = 0;
export let satisfied: usize = 0; // array of distinct signer records, sorted
export let outAllowed = false;
export let outEffect: i32 = 0;
export let outUnparseable = false;

function addViolation(code: u32, did: usize, didLen: i32, cause: usize, causeLen: i32, flag: u32 = 0): void {
  const v = alloc(V_SIZE);
  store<u32>(v, flag, 20);
  store<u32>(v, code);
  store<u32>(v, <u32>did, 4);
  store<i32>(v, didLen, 8);
  store<u32>(v, <u32>cause, 12);
  store<i32>(v, causeLen, 16);
  store<u32>(violations + (<usize>violationCount << 2), <u32>v);
  violationCount++;
}

/** Writes the decision for an input value node (0 when there is no input). */
export function decide(input: usize): void {
  resetContext();
  violations = alloc(4 * 4);
  violationCount = 0;
  policy = 0;
  distinctSigners = 0;
  malformedWhat = '';

  if (input == 0 || tagOf(input) != T_OBJECT) return malformed(MALFORMED_OBJECT);
  if (!stringMember(input, 'image')) return malformed(MALFORMED_IMAGE);
  setSlot(S_IMAGE, strPtr, strLen);
  if (!stringMember(input, 'now') || !parseTime(strPtr, strLen)) {
    return malformed(MALFORMED_NOW);
  }
  const nowSec = timeSec;
  const nowNano = timeNano;
  const sigs = member(input, 'signatures');
  if (sigs == 0 || tagOf(sigs) != T_ARRAY) return malformed(MALFORMED_SIGNATURES);
  if (stringMember(input, 'owner')) setSlot(S_OWNER, strPtr, strLen);

  if (!normalizeReference(slotPtr(S_IMAGE), slotLen(S_IMAGE))) {
    addViolation(INVALID_IMAGE, 0, -1, 0, -1);
    return write(false, EFFECT_DENY, true);
  }

  policy = choosePolicy();
  if (policy == 0) {
    const unmatched = hasIr() ? irU32(H_UNMATCHED) : 0;
    if (unmatched == UNMATCHED_ALLOW) return write(true, EFFECT_ALLOW, false);
    addViolation(NO_MATCHING_POLICY, 0, -1, 0, -1);
    return write(unmatched == UNMATCHED_AUDIT, unmatched == UNMATCHED_AUDIT ? EFFECT_AUDIT : EFFECT_DENY, false);
  }
  if (load<u32>(policy + P_SIGNATURE) == 0) return write(true, EFFECT_ALLOW, false);

  const n = <i32>nodeA(sigs);
  violations = alloc(<usize>(4 * n + 2) << 2);
  const signers = alloc(<usize>n << 2); // addresses of (did pointer, did length) records
  let qualified = 0;
  if (n == 0) addViolation(NO_SIGNATURES, 0, -1, 0, -1);

  const trustedCount = <i32>load<u32>(policy + P_TRUSTED_COUNT);
  const trusted = irAt(load<u32>(policy + P_TRUSTED));
  const trustOwner = load<u32>(policy + P_TRUST_OWNER) != 0;
  const hasMaxAge = load<u32>(policy + P_HAS_MAX_AGE) != 0;
  const maxAge = load<f64>(policy + P_MAX_AGE);
  const exprOff = load<u32>(policy + P_EXPR);

  for (let s = <usize>nodeB(sigs); s != 0; s = nodeNext(s)) {
    readSignature(s);
    const valid = fValid != 0 && tagOf(fValid) == T_TRUE;
    stringValue(fDid);
    const did = strPtr;
    const didLen = strLen;
    let cause: usize = 0;
    let causeLen = -1;
    if (stringMember(fError, 'code') && strLen > 0) {
      cause = strPtr;
      causeLen = strLen;
    }
    // Unreadable facts are treated exactly like invalid ones (docs/ir.md "Input reading").
    if (!valid || didLen == 0 || !stringValue(fSignedAt) || !parseTime(strPtr, strLen)) {
      addViolation(INVALID_SIGNATURE, did, didLen, cause, causeLen, valid ? 1 : 0);
      continue;
    }
    const sigSec = timeSec;
    const sigNano = timeNano;
    const before = violationCount;

    if (trustedCount > 0 || trustOwner) {
      let ok = trustOwner && slotLen(S_OWNER) > 0 && strEq(did, didLen, slotPtr(S_OWNER), slotLen(S_OWNER));
      for (let i = 0; i < trustedCount && !ok; i++) {
        const t = trusted + (<usize>i << 3);
        ok = strEq(did, didLen, irAt(load<u32>(t)), <i32>load<u32>(t, 4));
      }
      if (!ok) addViolation(UNTRUSTED_DID, did, didLen, 0, -1);
    }
    const limit = nowSec + SKEW_SECONDS;
    if (sigSec > limit || (sigSec == limit && sigNano > nowNano)) {
      addViolation(SIGNATURE_FROM_FUTURE, did, didLen, 0, -1);
    }
    let ageS = nowSec - sigSec;
    let ageN = nowNano - sigNano;
    if (ageN < 0) {
      ageN += NANOS;
      ageS -= 1;
    }
    // Ages are far below 2^53 s, so the float comparison is exact.
    if (hasMaxAge && (<f64>ageS > maxAge || (<f64>ageS == maxAge && ageN > 0))) {
      addViolation(SIGNATURE_EXPIRED, did, didLen, 0, -1);
    }
    if (exprOff != 0) {
      setSlot(S_DID, did, didLen);
      stringValue(fHandle);
      setSlot(S_HANDLE, strPtr, strLen);
      stringValue(fPds);
      setSlot(S_PDS, strPtr, strLen);
      stringValue(fAlgorithm);
      setSlot(S_ALGORITHM, strPtr, strLen);
      setAge(ageS, ageN);
      if (!evalBool(irAt(exprOff))) addViolation(CONDITION_FAILED, did, didLen, 0, -1);
    }
    if (violationCount == before) {
      const r = alloc(8);
      store<u32>(r, <u32>did);
      store<i32>(r, didLen, 4);
      store<u32>(signers + (<usize>qualified << 2), <u32>r);
      qualified++;
    }
  }

  // Distinct qualifying signers, sorted by code point.
  sortRecords(signers, qualified, BY_STRING);
  let distinct = 0;
  for (let i = 0; i < qualified; i++) {
    const r = load<u32>(signers + (<usize>i << 2));
    if (distinct > 0) {
      const prev = load<u32>(signers + (<usize>(distinct - 1) << 2));
      if (strEq(load<u32>(prev), load<i32>(prev, 4), load<u32>(r), load<i32>(r, 4))) continue;
    }
    store<u32>(signers + (<usize>distinct << 2), r);
    distinct++;
  }
  distinctSigners = distinct;
  satisfied = signers;

  if (<f64>distinct >= load<f64>(policy + P_MIN_SIGNATURES)) {
    violationCount = 0;
    return write(true, EFFECT_ALLOW, false);
  }
  if (qualified > 0) addViolation(INSUFFICIENT_SIGNATURES, 0, -1, 0, -1);
  const action = load<u32>(policy + P_ACTION);
  const effect = action == ACTION_ENFORCE ? EFFECT_DENY : action == ACTION_AUDIT ? EFFECT_AUDIT : EFFECT_WARN;
  write(effect != EFFECT_DENY, effect, false);
}

export let malformedWhat: string = '';

function malformed(what: string): void {
  malformedWhat = what;
  addViolation(INVALID_IMAGE, 0, -1, 0, -1);
  write(false, EFFECT_DENY, false);
}

/** Settles the outcome; decision-write.ts turns it into text. */
function write(allowed: bool, effect: i32, unparseable: bool): void {
  sortRecords(violations, violationCount, BY_VIOLATION);
  outAllowed = allowed;
  outEffect = effect;
  outUnparseable = unparseable;
}
