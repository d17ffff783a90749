// The binary IR layout shared by the WebAssembly back end's encoder (src/backends/wasm/
// encode.ts) and its AssemblyScript runtime, which reads it in place. Written once here;
// the runtime's constants are generated from it (src/backends/wasm/runtime-contract.ts →
// runtime/contract.ts), so the two sides cannot disagree. Offsets are in bytes.

import type { Action, CompareOp, ExprType, IRExprKind, PathName, Unmatched } from './types.js';

export const WASM_IR_MAGIC = 0x52435441; // "ATCR"
export const WASM_IR_FORMAT_VERSION = 1;
export const WASM_IR_HEADER_SIZE = 32;
export const WASM_IR_POLICY_SIZE = 80;

/** The header: magic, total length, format version, then these fields. */
export const HEADER_FIELDS = { magic: 0, length: 4, version: 8, unmatched: 12, policyCount: 16, index: 20 } as const;

/** A policy record (strings are an offset word then a length word). */
export const POLICY_FIELDS = {
  name: 0,
  action: 8,
  signature: 12,
  trustOwner: 16,
  hasMaxAge: 24,
  index: 28,
  maxAge: 32, // f64 seconds
  maxAgeText: 40,
  when: 48,
  expr: 52,
  trustedCount: 56,
  trusted: 60,
  minSignatures: 64, // f64
  minSignaturesText: 72, // string, for the message
} as const;

export const ACTION_CODES: Readonly<Record<Action, number>> = { enforce: 0, audit: 1, warn: 2 };
export const UNMATCHED_CODES: Readonly<Record<Unmatched, number>> = { deny: 0, allow: 1, audit: 2 };
export const OP_CODES: Readonly<Record<CompareOp, number>> = { '==': 0, '!=': 1, '<': 2, '<=': 3, '>': 4, '>=': 5 };
export const TYPE_CODES: Readonly<Record<ExprType, number>> = { string: 0, number: 1, bool: 2, duration: 3, list: 4 };
export const PATH_CODES: Readonly<Record<PathName, number>> = {
  'image.registry': 0,
  'image.repository': 1,
  'image.name': 2,
  'image.namespace': 3,
  'image.tag': 4,
  'image.digest': 5,
  owner: 6,
  'signature.did': 7,
  'signature.handle': 8,
  'signature.pds': 9,
  'signature.algorithm': 10,
  'signature.age': 11,
};
/** Expression node kinds: the first word of a node. */
export const EXPR_CODES: Readonly<Record<IRExprKind, number>> = {
  string: 1,
  number: 2,
  bool: 3,
  duration: 4,
  list: 5,
  path: 6,
  compare: 7,
  in: 8,
  matches: 9,
  startsWith: 10,
  endsWith: 11,
  and: 12,
  or: 13,
  not: 14,
};
