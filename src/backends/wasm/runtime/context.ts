// The strings an evaluation reads by path (docs/ir.md "Expressions"), one slot each.
// Slots 0..10 are the IR path ids; the rest are helpers of the decision.

import { alloc } from './mem';

export const S_REGISTRY: i32 = 0;
export const S_REPOSITORY: i32 = 1;
export const S_NAME: i32 = 2;
export const S_NAMESPACE: i32 = 3;
export const S_TAG: i32 = 4;
export const S_DIGEST: i32 = 5;
export const S_OWNER: i32 = 6;
export const S_DID: i32 = 7;
export const S_HANDLE: i32 = 8;
export const S_PDS: i32 = 9;
export const S_ALGORITHM: i32 = 10;
export const S_NAME_TAG: i32 = 11;
export const S_IMAGE: i32 = 12;
const SLOTS: usize = 13;

let table: usize = 0;

/** Signature age (now − signedAt) as seconds and nanoseconds in [0, 1e9). */
export let ageSec: i64 = 0;
export let ageNano: i32 = 0;

export function resetContext(): void {
  table = alloc(SLOTS * 8);
  memory.fill(table, 0, SLOTS * 8);
  ageSec = 0;
  ageNano = 0;
}

export function setAge(s: i64, n: i32): void {
  ageSec = s;
  ageNano = n;
}

@inline export function slotPtr(i: i32): usize {
  return load<u32>(table + (<usize>i << 3));
}
@inline export function slotLen(i: i32): i32 {
  return load<i32>(table + (<usize>i << 3), 4);
}
export function setSlot(i: i32, p: usize, len: i32): void {
  store<u32>(table + (<usize>i << 3), <u32>p);
  store<i32>(table + (<usize>i << 3), len, 4);
}
