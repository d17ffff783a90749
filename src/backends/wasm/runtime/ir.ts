// Reading the encoded IR that the compiler splices in at IR_BASE. The layout is written
// by src/backends/wasm/encode.ts from the layout in src/ir/wasm-layout.ts, which also
// generates this runtime's constants (contract.ts).
// Offsets inside the blob are relative to its start; 0 means "none".

import { IR_BASE, IR_MAGIC } from './mem';

// The layout constants are generated from src/ir/wasm-layout.ts.
export {
  H_UNMATCHED,
  H_POLICY_COUNT,
  H_INDEX,
  P_NAME,
  P_ACTION,
  P_SIGNATURE,
  P_TRUST_OWNER,
  P_MIN_SIGNATURES,
  P_MIN_SIGNATURES_TEXT,
  P_HAS_MAX_AGE,
  P_INDEX,
  P_MAX_AGE,
  P_MAX_AGE_TEXT,
  P_WHEN,
  P_EXPR,
  P_TRUSTED_COUNT,
  P_TRUSTED,
  ACTION_ENFORCE,
  ACTION_AUDIT,
  ACTION_WARN,
  UNMATCHED_DENY,
  UNMATCHED_ALLOW,
  UNMATCHED_AUDIT,
  E_STRING,
  E_NUMBER,
  E_BOOL,
  E_DURATION,
  E_LIST,
  E_PATH,
  E_COMPARE,
  E_IN,
  E_MATCHES,
  E_STARTS_WITH,
  E_ENDS_WITH,
  E_AND,
  E_OR,
  E_NOT,
  PATH_AGE,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  TY_STRING,
  TY_NUMBER,
  TY_BOOL,
  TY_DURATION,
  TY_LIST,
} from './contract';

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
