// Policy selection (docs/ir.md "The decision", step 2) through the scope index of
// src/backends/wasm/scope-table.ts: scopes whose literal prefix starts the image's
// name:tag are found by hash probes, tried with their glob, then ordered by rank
// (largest first) and document index; the first whose policy's `when` holds wins.

import { slotLen, slotPtr, S_NAME, S_NAME_TAG } from './context';
import { evalBool } from './expr';
import { globMatch } from './glob';
import { hasIr, H_INDEX, irAt, irU32, P_WHEN } from './ir';
import { alloc } from './mem';
import { BY_RANK, sortRecords } from './sort';

// Entry fields (u32 each).
const E_RECORD: usize = 0;
const E_TARGET: usize = 8;
const E_GLOB: usize = 12;
const E_NEXT: usize = 20;
const E_PREFIX_LEN: usize = 24;
const E_HASH: usize = 28;
const E_PREFIX: usize = 32;

let found: usize = 0; // array of matching entry addresses
let foundCount: i32 = 0;
let foundCap: i32 = 0;

function tryEntry(e: usize): void {
  const target = load<u32>(e + E_TARGET);
  const slot = target == 0 ? S_NAME : S_NAME_TAG;
  if (!globMatch(irAt(load<u32>(e + E_GLOB)), slotPtr(slot), slotLen(slot))) return;
  if (foundCount == foundCap) {
    const cap = foundCap * 2 + 16;
    const bigger = alloc(<usize>cap << 2);
    memory.copy(bigger, found, <usize>foundCount << 2);
    found = bigger;
    foundCap = cap;
  }
  store<u32>(found + (<usize>foundCount << 2), <u32>e);
  foundCount++;
}

/** The chosen policy record (absolute address), or 0. */
export function choosePolicy(): usize {
  if (!hasIr()) return 0;
  const index = irAt(irU32(H_INDEX));
  const mask = load<u32>(index);
  const table = irAt(load<u32>(index, 4));
  const bitmap = irAt(load<u32>(index, 8));
  const alwaysCount = <i32>load<u32>(index, 12);
  const always = irAt(load<u32>(index, 16));
  found = 0;
  foundCount = 0;
  foundCap = 0;

  const s = slotPtr(S_NAME_TAG);
  const len = slotLen(S_NAME_TAG);
  let h: u32 = 0;
  for (let l = 1; l <= len && l < 2048; l++) {
    h = h * 31 + <u32>load<u16>(s + (<usize>(l - 1) << 1));
    if ((load<u32>(bitmap + (<usize>(l >>> 5) << 2)) & (1 << (l & 31))) == 0) continue;
    let off = load<u32>(table + (<usize>(h & mask) << 2));
    while (off != 0) {
      const e = irAt(off);
      if (load<u32>(e + E_HASH) == h && load<i32>(e + E_PREFIX_LEN) == l &&
        memory.compare(s, irAt(load<u32>(e + E_PREFIX)), <usize>l << 1) == 0) {
        tryEntry(e);
      }
      off = load<u32>(e + E_NEXT);
    }
  }
  for (let i = 0; i < alwaysCount; i++) tryEntry(irAt(load<u32>(always + (<usize>i << 2))));

  sortRecords(found, foundCount, BY_RANK);
  for (let i = 0; i < foundCount; i++) {
    const entry = <usize>load<u32>(found + (<usize>i << 2));
    const rec = irAt(load<u32>(entry + E_RECORD));
    const when = load<u32>(rec + P_WHEN);
    if (when == 0 || evalBool(irAt(when))) return rec;
  }
  return 0;
}
