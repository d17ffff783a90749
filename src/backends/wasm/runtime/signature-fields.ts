// One walk over a signature object collects every field the decision reads (instead of
// one walk per field): members are told apart by key length first, so most keys are
// compared once. The last duplicate wins, as in JSON.parse.

import { decodeString, keyEquals } from './string';
import { nodeA, nodeB, nodeNext, tagOf, T_LAZY_TEXT, T_OBJECT } from './value';

export let fValid: usize = 0;
export let fDid: usize = 0;
export let fError: usize = 0;
export let fSignedAt: usize = 0;
export let fHandle: usize = 0;
export let fPds: usize = 0;
export let fAlgorithm: usize = 0;

/** Length of a key in UTF-16 units (plain keys are measured without decoding). */
function keyLength(k: usize): u32 {
  if (tagOf(k) == T_LAZY_TEXT) decodeString(k);
  return nodeB(k);
}

export function readSignature(s: usize): void {
  fValid = 0;
  fDid = 0;
  fError = 0;
  fSignedAt = 0;
  fHandle = 0;
  fPds = 0;
  fAlgorithm = 0;
  if (tagOf(s) != T_OBJECT) return;
  for (let m = <usize>nodeB(s); m != 0; m = nodeNext(m)) {
    const k = <usize>nodeA(m);
    const v = <usize>nodeB(m);
    const len = keyLength(k);
    if (len == 3) {
      if (keyEquals(k, 'did')) fDid = v;
      else if (keyEquals(k, 'pds')) fPds = v;
    } else if (len == 5) {
      if (keyEquals(k, 'valid')) fValid = v;
      else if (keyEquals(k, 'error')) fError = v;
    } else if (len == 6) {
      if (keyEquals(k, 'handle')) fHandle = v;
    } else if (len == 8) {
      if (keyEquals(k, 'signedAt')) fSignedAt = v;
    } else if (len == 9) {
      if (keyEquals(k, 'algorithm')) fAlgorithm = v;
    }
  }
}
