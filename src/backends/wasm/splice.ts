// Splices an encoded IR into the prebuilt runtime: one more active data segment at the
// address the runtime reads (recorded by scripts/build-wasm-runtime.mjs in the custom
// section `atcr-runtime`), and a memory import large enough to hold it. No compiler runs.

import {
  ByteReader, concatBytes, customSectionName, customSectionPayload, readSections, SECTION,
  signedLeb, unsignedLeb, writeSections, type Section,
} from './wasm-binary.js';

export const RUNTIME_SECTION = 'atcr-runtime';
const PAGE = 65536;
const IMPORT_MEMORY = 2;

export interface RuntimeLayout {
  /** Where the runtime looks for the IR blob. */
  irBase: number;
}

export function runtimeLayout(sections: readonly Section[]): RuntimeLayout {
  const s = sections.find((x) => x.id === SECTION.custom && customSectionName(x) === RUNTIME_SECTION);
  if (!s) throw new Error(`wasm runtime: custom section ${RUNTIME_SECTION} is missing (rebuild it with scripts/build-wasm-runtime.mjs)`);
  const layout = JSON.parse(new TextDecoder().decode(customSectionPayload(s))) as RuntimeLayout;
  if (!Number.isInteger(layout.irBase) || layout.irBase <= 0 || layout.irBase % 16 !== 0) {
    throw new Error('wasm runtime: bad layout record');
  }
  return layout;
}

/** Rewrites the minimum of the `env.memory` import to at least `minPages`. */
function withMemoryMinimum(body: Uint8Array, minPages: number): Uint8Array {
  const r = new ByteReader(body);
  const count = r.u32();
  const parts: ArrayLike<number>[] = [unsignedLeb(count)];
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === IMPORT_MEMORY) {
      const head = body.subarray(start, r.pos);
      const flags = r.byte();
      const min = r.u32();
      const max = flags & 1 ? r.u32() : undefined;
      const newMin = Math.max(min, minPages);
      if (max !== undefined && max < newMin) throw new Error('wasm runtime: memory maximum too small for the IR');
      parts.push(head, [flags], unsignedLeb(newMin), max !== undefined ? unsignedLeb(max) : []);
      continue;
    }
    if (kind === 0) r.u32();
    else if (kind === 1) {
      r.byte();
      const flags = r.byte();
      r.u32();
      if (flags & 1) r.u32();
    } else if (kind === 3) {
      r.byte();
      r.byte();
    } else throw new Error(`wasm runtime: unknown import kind ${kind}`);
    parts.push(body.subarray(start, r.pos));
  }
  return concatBytes(parts);
}

/** Adds one active data segment `bytes` at `address` to a data section body (or a new one). */
function withSegment(body: Uint8Array | undefined, address: number, bytes: Uint8Array): { body: Uint8Array; count: number } {
  let count = 0;
  let rest: Uint8Array = new Uint8Array(0);
  if (body) {
    const r = new ByteReader(body);
    count = r.u32();
    rest = body.subarray(r.pos);
  }
  const segment = concatBytes([[0x00, 0x41], signedLeb(address), [0x0b], unsignedLeb(bytes.length), bytes]);
  return { body: concatBytes([unsignedLeb(count + 1), rest, segment]), count: count + 1 };
}

export function spliceIr(runtime: Uint8Array, blob: Uint8Array): { bytes: Uint8Array; minPages: number } {
  const sections = readSections(runtime);
  const { irBase } = runtimeLayout(sections);
  const minPages = Math.ceil((irBase + blob.length) / PAGE);
  const out: Section[] = [];
  let dataDone = false;
  for (const s of sections) {
    if (s.id === SECTION.custom && customSectionName(s) === RUNTIME_SECTION) continue;
    if (s.id === SECTION.import) {
      out.push({ id: s.id, body: withMemoryMinimum(s.body, minPages) });
    } else if (s.id === SECTION.data) {
      out.push({ id: s.id, body: withSegment(s.body, irBase, blob).body });
      dataDone = true;
    } else if (s.id === SECTION.dataCount) {
      const r = new ByteReader(s.body);
      out.push({ id: s.id, body: Uint8Array.from(unsignedLeb(r.u32() + 1)) });
    } else {
      out.push(s);
    }
  }
  if (!dataDone) {
    // The data section comes after the code section and before trailing custom sections.
    const at = out.findIndex((s) => s.id === SECTION.code) + 1;
    out.splice(at, 0, { id: SECTION.data, body: withSegment(undefined, irBase, blob).body });
  }
  return { bytes: writeSections(out), minPages };
}
