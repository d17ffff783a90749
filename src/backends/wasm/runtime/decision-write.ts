// The decision settled by decide() as JSON text, with the recommended messages of
// docs/ir.md (worded like the native engine's). Nothing here allocates: the text grows
// at the end of the heap.

import { slotLen, slotPtr, S_DIGEST, S_IMAGE, S_NAME, S_TAG } from './context';
import {
  CONDITION_FAILED, distinctSigners, EFFECT_ALLOW, EFFECT_AUDIT, EFFECT_DENY,
  INSUFFICIENT_SIGNATURES, INVALID_IMAGE, INVALID_SIGNATURE, malformedWhat, NO_MATCHING_POLICY,
  NO_SIGNATURES, outAllowed, outEffect, outUnparseable, policy, satisfied,
  SIGNATURE_EXPIRED, SIGNATURE_FROM_FUTURE, UNTRUSTED_DID, violationCount, violations,
} from './decision';
import {
  ACTION_AUDIT, ACTION_ENFORCE, irAt, P_ACTION, P_MAX_AGE_TEXT, P_MIN_SIGNATURES_TEXT, P_NAME,
} from './ir';
import { wByte, wEsc, wLit, wStr, wStringified, wU64 } from './json-write';
import {
  M_CONDITION_FAILED_0, M_CONDITION_FAILED_1, M_CONDITION_FAILED_2,
  M_INSUFFICIENT_SIGNATURES_0, M_INSUFFICIENT_SIGNATURES_1, M_INSUFFICIENT_SIGNATURES_2, M_INSUFFICIENT_SIGNATURES_3,
  M_INVALID_SIGNATURE_0, M_INVALID_SIGNATURE_1, M_INVALID_SIGNATURE_2,
  M_MALFORMED_INPUT_0, M_MALFORMED_INPUT_1, M_NO_MATCHING_POLICY_0, M_NO_MATCHING_POLICY_1,
  M_NO_SIGNATURES_0, M_NO_SIGNATURES_1,
  M_SIGNATURE_EXPIRED_0, M_SIGNATURE_EXPIRED_1, M_SIGNATURE_EXPIRED_2, M_SIGNATURE_EXPIRED_3,
  M_SIGNATURE_FROM_FUTURE_0, M_SIGNATURE_FROM_FUTURE_1,
  M_UNPARSEABLE_IMAGE_0, M_UNPARSEABLE_IMAGE_1,
  M_UNTRUSTED_DID_0, M_UNTRUSTED_DID_1, M_UNTRUSTED_DID_2,
  REASON_UNREADABLE, REASON_UNVERIFIED, UNKNOWN_SIGNER,
} from './contract';

function wEffect(e: i32): void {
  if (e == EFFECT_ALLOW) wLit('"allow"');
  else if (e == EFFECT_DENY) wLit('"deny"');
  else if (e == EFFECT_AUDIT) wLit('"audit"');
  else wLit('"warn"');
}

function wPolicyName(): void {
  const p = irAt(load<u32>(policy + P_NAME));
  wEsc(p, <i32>load<u32>(policy + P_NAME + 4));
}

function wCode(code: u32): void {
  if (code == INVALID_IMAGE) wLit('invalid-image');
  else if (code == NO_MATCHING_POLICY) wLit('no-matching-policy');
  else if (code == NO_SIGNATURES) wLit('no-signatures');
  else if (code == INVALID_SIGNATURE) wLit('invalid-signature');
  else if (code == UNTRUSTED_DID) wLit('untrusted-did');
  else if (code == SIGNATURE_EXPIRED) wLit('signature-expired');
  else if (code == SIGNATURE_FROM_FUTURE) wLit('signature-from-future');
  else if (code == CONDITION_FAILED) wLit('condition-failed');
  else wLit('insufficient-signatures');
}

function wMaxAge(): void {
  wEsc(irAt(load<u32>(policy + P_MAX_AGE_TEXT)), <i32>load<u32>(policy + P_MAX_AGE_TEXT + 4));
}

/**
 * The message of src/ir/messages.ts, inside its quotes: M_<KEY>_<i> (contract.ts,
 * generated) precedes slot i. The slot order is checked by the generator.
 */
function wMessage(v: usize, unparseable: bool): void {
  const code = load<u32>(v);
  const did = load<u32>(v, 4);
  const didLen = load<i32>(v, 8);
  if (code == INVALID_IMAGE) {
    if (unparseable) {
      wLit(M_UNPARSEABLE_IMAGE_0);
      wStringified(slotPtr(S_IMAGE), slotLen(S_IMAGE));
      wLit(M_UNPARSEABLE_IMAGE_1);
    } else {
      wLit(M_MALFORMED_INPUT_0);
      wLit(malformedWhat);
      wLit(M_MALFORMED_INPUT_1);
    }
  } else if (code == NO_MATCHING_POLICY) {
    wLit(M_NO_MATCHING_POLICY_0);
    wEsc(slotPtr(S_NAME), slotLen(S_NAME));
    if (slotLen(S_TAG) > 0) {
      wLit(':');
      wEsc(slotPtr(S_TAG), slotLen(S_TAG));
    }
    if (slotLen(S_DIGEST) > 0) {
      wLit('@');
      wEsc(slotPtr(S_DIGEST), slotLen(S_DIGEST));
    }
    wLit(M_NO_MATCHING_POLICY_1);
  } else if (code == NO_SIGNATURES) {
    wLit(M_NO_SIGNATURES_0);
    wPolicyName();
    wLit(M_NO_SIGNATURES_1);
  } else if (code == INSUFFICIENT_SIGNATURES) {
    wLit(M_INSUFFICIENT_SIGNATURES_0);
    wPolicyName();
    wLit(M_INSUFFICIENT_SIGNATURES_1);
    wEsc(irAt(load<u32>(policy + P_MIN_SIGNATURES_TEXT)), <i32>load<u32>(policy + P_MIN_SIGNATURES_TEXT + 4));
    wLit(M_INSUFFICIENT_SIGNATURES_2);
    wU64(<u64>distinctSigners);
    wLit(M_INSUFFICIENT_SIGNATURES_3);
  } else if (code == INVALID_SIGNATURE) {
    wLit(M_INVALID_SIGNATURE_0);
    if (didLen > 0) wEsc(did, didLen);
    else wLit(UNKNOWN_SIGNER);
    wLit(M_INVALID_SIGNATURE_1);
    const causeLen = load<i32>(v, 16);
    if (causeLen > 0) wEsc(load<u32>(v, 12), causeLen);
    else wLit(load<u32>(v, 20) != 0 ? REASON_UNREADABLE : REASON_UNVERIFIED);
    wLit(M_INVALID_SIGNATURE_2);
  } else if (code == UNTRUSTED_DID) {
    wLit(M_UNTRUSTED_DID_0);
    wEsc(did, didLen);
    wLit(M_UNTRUSTED_DID_1);
    wPolicyName();
    wLit(M_UNTRUSTED_DID_2);
  } else if (code == SIGNATURE_EXPIRED) {
    wLit(M_SIGNATURE_EXPIRED_0);
    wEsc(did, didLen);
    wLit(M_SIGNATURE_EXPIRED_1);
    wMaxAge();
    wLit(M_SIGNATURE_EXPIRED_2);
    wPolicyName();
    wLit(M_SIGNATURE_EXPIRED_3);
  } else if (code == SIGNATURE_FROM_FUTURE) {
    wLit(M_SIGNATURE_FROM_FUTURE_0);
    wEsc(did, didLen);
    wLit(M_SIGNATURE_FROM_FUTURE_1);
  } else {
    wLit(M_CONDITION_FAILED_0);
    wEsc(did, didLen);
    wLit(M_CONDITION_FAILED_1);
    wPolicyName();
    wLit(M_CONDITION_FAILED_2);
  }
}

/** Writes the decision settled by the last decide() as JSON. */
export function writeDecision(): void {
  const allowed = outAllowed;
  const effect = outEffect;
  const unparseable = outUnparseable;
  wLit(allowed ? '{"allowed":true,"effect":' : '{"allowed":false,"effect":');
  wEffect(effect);
  wLit(',"policy":');
  if (policy == 0) wLit('null,"action":null');
  else {
    wByte(0x22);
    wPolicyName();
    wLit('","action":');
    const a = load<u32>(policy + P_ACTION);
    wLit(a == ACTION_ENFORCE ? '"enforce"' : a == ACTION_AUDIT ? '"audit"' : '"warn"');
  }
  wLit(',"satisfiedBy":[');
  if (policy != 0) {
    for (let i = 0; i < distinctSigners; i++) {
      if (i > 0) wByte(0x2c);
      const r = load<u32>(satisfied + (<usize>i << 2));
      wStr(load<u32>(r), load<i32>(r, 4));
    }
  }
  wLit('],"violations":[');
  for (let i = 0; i < violationCount; i++) {
    const v = load<u32>(violations + (<usize>i << 2));
    if (i > 0) wByte(0x2c);
    wLit('{"code":"');
    wCode(load<u32>(v));
    wByte(0x22);
    const didLen = load<i32>(v, 8);
    if (didLen >= 0) {
      wLit(',"did":');
      wStr(load<u32>(v, 4), didLen);
    }
    const causeLen = load<i32>(v, 16);
    if (causeLen > 0) {
      wLit(',"cause":');
      wStr(load<u32>(v, 12), causeLen);
    }
    wLit(',"message":"');
    wMessage(v, unparseable);
    wLit('"}');
  }
  wLit(']}');
}
