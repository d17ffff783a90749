// The AssemblyScript source of runtime/contract.ts: the decision contract of src/ir
// (binary IR layout, clock skew, message texts) as runtime constants. The runtime build
// (scripts/build-wasm-runtime.mjs) writes it before compiling, and a test checks that the
// committed file is current, so the runtime cannot drift from the IR's contract.

import { CLOCK_SKEW_SECONDS } from '../../ir/decision.js';
import { INVALID_REASON, MALFORMED_INPUT, UNKNOWN_SIGNER, messageParts, messageSlots, type MessageKey, type MessageSlot } from '../../ir/messages.js';
import {
  ACTION_CODES,
  EXPR_CODES,
  HEADER_FIELDS,
  OP_CODES,
  PATH_CODES,
  POLICY_FIELDS,
  TYPE_CODES,
  UNMATCHED_CODES,
  WASM_IR_MAGIC,
} from '../../ir/wasm-layout.js';

/** The slot order runtime/decision-write.ts writes each message in. */
const RUNTIME_SLOTS: Readonly<Record<MessageKey, readonly MessageSlot[]>> = {
  'unparseable-image': ['image'],
  'malformed-input': ['what'],
  'no-matching-policy': ['label'],
  'no-signatures': ['policy'],
  'invalid-signature': ['signer', 'cause'],
  'untrusted-did': ['signer', 'policy'],
  'signature-expired': ['signer', 'maxAge', 'policy'],
  'signature-from-future': ['signer'],
  'condition-failed': ['signer', 'policy'],
  'insufficient-signatures': ['policy', 'min', 'count'],
};

const constName = (s: string) => s.replace(/([a-z])([A-Z])/gu, '$1_$2').replace(/[^A-Za-z0-9]+/gu, '_').toUpperCase();
/** An AssemblyScript string holding `s` as JSON string content: the runtime writes it with wLit, unescaped. */
const asString = (s: string) => JSON.stringify(JSON.stringify(s).slice(1, -1));

/** The text around each slot: pieces[i] precedes slot i, the last piece follows the last slot. */
function pieces(key: MessageKey): string[] {
  const out = [''];
  for (const p of messageParts(key)) {
    if ('text' in p) out[out.length - 1] += p.text;
    else out.push('');
  }
  return out;
}

export function runtimeContractSource(): string {
  const lines = [
    '// Generated from src/ir by src/backends/wasm/runtime-contract.ts (scripts/build-wasm-runtime.mjs',
    '// writes it). Do not edit: change src/ir/wasm-layout.ts, decision.ts or messages.ts.',
    '',
    `export const IR_MAGIC: u32 = 0x${WASM_IR_MAGIC.toString(16)};`,
  ];
  for (const [k, v] of Object.entries(HEADER_FIELDS)) if (v >= 12) lines.push(`export const H_${constName(k)}: u32 = ${v};`);
  for (const [k, v] of Object.entries(POLICY_FIELDS)) lines.push(`export const P_${constName(k)}: usize = ${v};`);
  for (const [k, v] of Object.entries(ACTION_CODES)) lines.push(`export const ACTION_${constName(k)}: u32 = ${v};`);
  for (const [k, v] of Object.entries(UNMATCHED_CODES)) lines.push(`export const UNMATCHED_${constName(k)}: u32 = ${v};`);
  for (const [k, v] of Object.entries(EXPR_CODES)) lines.push(`export const E_${constName(k)}: u32 = ${v};`);
  lines.push(`export const PATH_AGE: u32 = ${PATH_CODES['signature.age']};`);
  const ops: Record<string, string> = { '==': 'EQ', '!=': 'NE', '<': 'LT', '<=': 'LE', '>': 'GT', '>=': 'GE' };
  for (const [k, v] of Object.entries(OP_CODES)) lines.push(`export const OP_${ops[k]}: u32 = ${v};`);
  for (const [k, v] of Object.entries(TYPE_CODES)) lines.push(`export const TY_${constName(k)}: u32 = ${v};`);
  lines.push('', `export const SKEW_SECONDS: i64 = ${CLOCK_SKEW_SECONDS};`, '');
  lines.push(`export const UNKNOWN_SIGNER: string = ${asString(UNKNOWN_SIGNER)};`);
  for (const [k, v] of Object.entries(INVALID_REASON)) lines.push(`export const REASON_${constName(k)}: string = ${asString(v)};`);
  for (const [k, v] of Object.entries(MALFORMED_INPUT)) lines.push(`export const MALFORMED_${constName(k)}: string = ${asString(v)};`);
  lines.push('', '// Message texts: M_<KEY>_<i> precedes slot i; the last one follows the last slot.');
  for (const key of Object.keys(RUNTIME_SLOTS) as MessageKey[]) {
    const slots = messageSlots(key);
    if (slots.join() !== RUNTIME_SLOTS[key].join()) {
      throw new Error(`message ${key} now has slots ${slots.join(', ')}; runtime/decision-write.ts writes ${RUNTIME_SLOTS[key].join(', ')}: change both`);
    }
    pieces(key).forEach((text, i) => lines.push(`export const M_${constName(key)}_${i}: string = ${asString(text)};`));
  }
  return lines.join('\n') + '\n';
}
