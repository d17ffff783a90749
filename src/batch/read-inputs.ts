// Decision inputs (decision.md) read from JSON bytes into objects reused from one input to
// the next. Only what engines read is kept: `image`, `owner`, `now`, `signatures` and, per
// signature, `valid`, `did`, `signedAt`, `handle`, `pds`, `algorithm` and `error.code`.
// A value of the wrong type is kept as "absent" (undefined); engines read a missing string
// as "" and any non-string where they need a string as "" too, so the decision is the one
// JSON.parse's object gives. Two exceptions keep their distinction: `now` present but not
// a string is null (a missing `now` is filled by the caller, a bad one is an error), and
// `valid` is true only for the literal `true`. test/batch checks this against JSON.parse.

import { JsonBytes, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from './json-bytes.js';

export class ErrorFact {
  code: string | undefined = undefined;
}

export class SignatureFact {
  valid = false;
  did: string | undefined = undefined;
  signedAt: string | undefined = undefined;
  handle: string | undefined = undefined;
  pds: string | undefined = undefined;
  algorithm: string | undefined = undefined;
  error: ErrorFact | undefined = undefined;
  readonly errorSlot = new ErrorFact();
}

export class InputFacts {
  image: string | undefined = undefined;
  owner: string | undefined = undefined;
  /** undefined: absent; null: present but not a string. */
  now: string | null | undefined = undefined;
  signatures: (SignatureFact | null)[] | undefined = undefined;
  readonly pool: SignatureFact[] = [];
}

const INPUT_KEYS = ['image', 'owner', 'now', 'signatures'] as const;
const SIGNATURE_KEYS = ['valid', 'did', 'signedAt', 'handle', 'pds', 'algorithm', 'error'] as const;
const ERROR_KEYS = ['code'] as const;

/** Reads the value at the cursor as an input: the reused `into`, or null for a non-object. */
export function readInput(j: JsonBytes, into: InputFacts): InputFacts | null {
  if (j.peek() !== LBRACE) {
    j.skip();
    return null;
  }
  into.image = into.owner = into.now = into.signatures = undefined;
  if (j.open(RBRACE)) return into;
  do {
    switch (j.keyOf(INPUT_KEYS)) {
      case 0:
        into.image = j.stringOrSkip();
        break;
      case 1:
        into.owner = j.stringOrSkip();
        break;
      case 2:
        into.now = j.peek() === QUOTE ? j.string() : (j.skip(), null);
        break;
      case 3:
        into.signatures = readSignatures(j, into);
        break;
      default:
        j.skip();
    }
  } while (j.more(RBRACE));
  return into;
}

function readSignatures(j: JsonBytes, into: InputFacts): (SignatureFact | null)[] | undefined {
  if (j.peek() !== LBRACKET) {
    j.skip();
    return undefined;
  }
  // A fresh array: cheaper than emptying one (setting `length` is a slow builtin).
  const list: (SignatureFact | null)[] = [];
  if (j.open(RBRACKET)) return list;
  let used = 0;
  do {
    if (j.peek() === LBRACE) {
      const sig = (into.pool[used++] ??= new SignatureFact());
      readSignature(j, sig);
      list.push(sig);
    } else {
      j.skip();
      list.push(null);
    }
  } while (j.more(RBRACKET));
  return list;
}

function readSignature(j: JsonBytes, sig: SignatureFact): void {
  sig.valid = false;
  sig.did = sig.signedAt = sig.handle = sig.pds = sig.algorithm = undefined;
  sig.error = undefined;
  if (j.open(RBRACE)) return;
  do {
    switch (j.keyOf(SIGNATURE_KEYS)) {
      case 0:
        sig.valid = j.isTrue();
        break;
      case 1:
        sig.did = j.stringOrSkip();
        break;
      case 2:
        sig.signedAt = j.stringOrSkip();
        break;
      case 3:
        sig.handle = j.stringOrSkip();
        break;
      case 4:
        sig.pds = j.stringOrSkip();
        break;
      case 5:
        sig.algorithm = j.stringOrSkip();
        break;
      case 6:
        sig.error = readError(j, sig.errorSlot);
        break;
      default:
        j.skip();
    }
  } while (j.more(RBRACE));
}

/** Engines read only `error.code`, and only from an object. */
function readError(j: JsonBytes, into: ErrorFact): ErrorFact | undefined {
  if (j.peek() !== LBRACE) {
    j.skip();
    return undefined;
  }
  into.code = undefined;
  if (j.open(RBRACE)) return into;
  do {
    if (j.keyOf(ERROR_KEYS) === 0) into.code = j.stringOrSkip();
    else j.skip();
  } while (j.more(RBRACE));
  return into;
}
