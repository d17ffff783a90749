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

/** The recommended message of docs/ir.md "Messages", inside its quotes. */
function wMessage(v: usize, unparseable: bool): void {
  const code = load<u32>(v);
  const did = load<u32>(v, 4);
  const didLen = load<i32>(v, 8);
  if (code == INVALID_IMAGE) {
    if (unparseable) {
      wLit('image reference ');
      wStringified(slotPtr(S_IMAGE), slotLen(S_IMAGE));
      wLit(' does not parse');
    } else {
      wLit('the input is malformed: ');
      wLit(malformedWhat);
    }
  } else if (code == NO_MATCHING_POLICY) {
    wLit('no policy applies to ');
    wEsc(slotPtr(S_NAME), slotLen(S_NAME));
    if (slotLen(S_TAG) > 0) {
      wLit(':');
      wEsc(slotPtr(S_TAG), slotLen(S_TAG));
    }
    if (slotLen(S_DIGEST) > 0) {
      wLit('@');
      wEsc(slotPtr(S_DIGEST), slotLen(S_DIGEST));
    }
  } else if (code == NO_SIGNATURES) {
    wLit('policy ');
    wPolicyName();
    wLit(' requires a signature and the image has none');
  } else if (code == UNTRUSTED_DID) {
    wEsc(did, didLen);
    wLit(' is not trusted by policy ');
    wPolicyName();
  } else if (code == INSUFFICIENT_SIGNATURES) {
    wLit('policy ');
    wPolicyName();
    wLit(' needs ');
    wEsc(irAt(load<u32>(policy + P_MIN_SIGNATURES_TEXT)), <i32>load<u32>(policy + P_MIN_SIGNATURES_TEXT + 4));
    wLit(' distinct signers, has ');
    wU64(<u64>distinctSigners);
  } else {
    wLit('signature by ');
    if (didLen > 0) wEsc(did, didLen);
    else wLit('(unknown)');
    if (code == INVALID_SIGNATURE) {
      wLit(' is invalid: ');
      const causeLen = load<i32>(v, 16);
      if (causeLen > 0) wEsc(load<u32>(v, 12), causeLen);
      else wLit(load<u32>(v, 20) != 0 ? 'unreadable' : 'not verified');
    } else if (code == SIGNATURE_EXPIRED) {
      wLit(' is older than ');
      wEsc(irAt(load<u32>(policy + P_MAX_AGE_TEXT)), <i32>load<u32>(policy + P_MAX_AGE_TEXT + 4));
      wLit(' allowed by policy ');
      wPolicyName();
    } else if (code == SIGNATURE_FROM_FUTURE) {
      wLit(' is dated in the future');
    } else {
      wLit(' fails the condition of policy ');
      wPolicyName();
    }
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
