// Reading the encoded IR that the compiler splices in at IR_BASE. The layout is written
// by src/backends/wasm/encode.ts; both sides must change together (see docs/compile-wasm.md).
// Offsets inside the blob are relative to its start; 0 means "none".

import { IR_BASE, IR_MAGIC } from './mem';

export const H_UNMATCHED: u32 = 12;
export const H_POLICY_COUNT: u32 = 16;
export const H_INDEX: u32 = 20; // the scope index (select.ts)

export const P_NAME: usize = 0;
export const P_ACTION: usize = 8;
export const P_SIGNATURE: usize = 12;
export const P_TRUST_OWNER: usize = 16;
export const P_MIN_SIGNATURES: usize = 64; // f64
export const P_MIN_SIGNATURES_TEXT: usize = 72; // string, for the message
export const P_HAS_MAX_AGE: usize = 24;
export const P_INDEX: usize = 28;
export const P_MAX_AGE: usize = 32; // f64 seconds
export const P_MAX_AGE_TEXT: usize = 40;
export const P_WHEN: usize = 48;
export const P_EXPR: usize = 52;
export const P_TRUSTED_COUNT: usize = 56;
export const P_TRUSTED: usize = 60;

export const ACTION_ENFORCE: u32 = 0;
export const ACTION_AUDIT: u32 = 1;
export const ACTION_WARN: u32 = 2;

export const UNMATCHED_DENY: u32 = 0;
export const UNMATCHED_ALLOW: u32 = 1;
export const UNMATCHED_AUDIT: u32 = 2;

/** Expression node kinds (first word of a node). */
export const E_STRING: u32 = 1; // off, len
export const E_NUMBER: u32 = 2; // f64 at +8
export const E_BOOL: u32 = 3; // value
export const E_DURATION: u32 = 4; // f64 seconds at +8 (whole)
export const E_LIST: u32 = 5; // count, item offsets…
export const E_PATH: u32 = 6; // path id (context slot; 11 = signature.age)
export const E_COMPARE: u32 = 7; // op, operand type, left, right
export const E_IN: u32 = 8; // left, right
export const E_MATCHES: u32 = 9; // left, glob program
export const E_STARTS_WITH: u32 = 10; // left, right
export const E_ENDS_WITH: u32 = 11; // left, right
export const E_AND: u32 = 12; // count, args…
export const E_OR: u32 = 13; // count, args…
export const E_NOT: u32 = 14; // arg

export const PATH_AGE: u32 = 11;

export const OP_EQ: u32 = 0;
export const OP_NE: u32 = 1;
export const OP_LT: u32 = 2;
export const OP_LE: u32 = 3;
export const OP_GT: u32 = 4;
export const OP_GE: u32 = 5;

export const TY_STRING: u32 = 0;
export const TY_NUMBER: u32 = 1;
export const TY_BOOL: u32 = 2;
export const TY_DURATION: u32 = 3;
export const TY_LIST: u32 = 4;

export function hasIr(): bool {
  return load<u32>(IR_BASE) == IR_MAGIC;
}

/** Absolute address of a blob offset. */
@inline export function irAt(off: u32): usize {
  return IR_BASE + <usize>off;
}

@inline export function irU32(off: u32): u32 {
  return load<u32>(IR_BASE + <usize>off);
}
