// Splices an encoded IR into the prebuilt runtime without any compiler:
//
// - the IR becomes one more data segment, *passive*, so its size never raises the memory
//   the host must provide at instantiation (the OPA SDK gives 5 pages by default);
// - a small start function, written here as bytecode, grows memory as needed, copies the
//   segment to the address the runtime reads (`irBase`, recorded by
//   scripts/build-wasm-runtime.mjs in the custom section `atcr-runtime`), drops the
//   segment, then calls the runtime's own start function, which finds the IR there.

import {
  ByteReader, concatBytes, customSectionName, customSectionPayload, readSections, SECTION,
  signedLeb, unsignedLeb, writeSections, type Section,
} from './wasm-binary.js';

export const RUNTIME_SECTION = 'atcr-runtime';
const PAGE = 65536;

// Section ids beyond those wasm-binary.ts names, and the canonical section order.
const TYPE = 1;
const FUNCTION = 3;
const START = 8;
const ORDER = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

const OP = {
  end: 0x0b,
  if: 0x04,
  void: 0x40,
  call: 0x10,
  drop: 0x1a,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Sub: 0x6b,
  memorySize: 0x3f,
  memoryGrow: 0x40,
  prefixFC: 0xfc,
  memoryInit: 0x08,
  dataDrop: 0x09,
} as const;

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

function vecCount(body: Uint8Array | undefined): number {
  return body ? new ByteReader(body).u32() : 0;
}

/** A vector section body with `extra` entries appended. */
function appendToVec(body: Uint8Array | undefined, extra: ArrayLike<number>[]): Uint8Array {
  let rest: Uint8Array = new Uint8Array(0);
  let count = 0;
  if (body) {
    const r = new ByteReader(body);
    count = r.u32();
    rest = body.subarray(r.pos);
  }
  return concatBytes([unsignedLeb(count + extra.length), rest, ...extra]);
}

/** The index of the `() -> ()` function type, and the type section with it. */
function voidType(body: Uint8Array | undefined): { index: number; body: Uint8Array } {
  const r = new ByteReader(body ?? Uint8Array.of(0));
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    if (r.byte() !== 0x60) throw new Error('wasm runtime: unexpected type form');
    const params = r.u32();
    r.take(params);
    const results = r.u32();
    r.take(results);
    if (params === 0 && results === 0) return { index: i, body: body! };
  }
  return { index: count, body: appendToVec(body, [[0x60, 0, 0]]) };
}

function importedFunctions(body: Uint8Array | undefined): number {
  if (!body) return 0;
  const r = new ByteReader(body);
  const count = r.u32();
  let funcs = 0;
  for (let i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) {
      funcs++;
      r.u32();
    } else if (kind === 1) {
      r.byte();
      if (r.byte() & 1) r.u32();
      r.u32();
    } else if (kind === 2) {
      if (r.byte() & 1) r.u32();
      r.u32();
    } else if (kind === 3) {
      r.byte();
      r.byte();
    } else throw new Error(`wasm runtime: unknown import kind ${kind}`);
  }
  return funcs;
}

/** Bytecode of the loader: grow memory to `pages`, copy segment `segment` to `address`, run `next`. */
function loaderBody(pages: number, segment: number, address: number, length: number, next: number | null): Uint8Array {
  const code = concatBytes([
    [OP.memorySize, 0, OP.i32Const], signedLeb(pages), [OP.i32LtU, OP.if, OP.void],
    [OP.i32Const], signedLeb(pages), [OP.memorySize, 0, OP.i32Sub, OP.memoryGrow, 0, OP.drop, OP.end],
    [OP.i32Const], signedLeb(address), [OP.i32Const, 0, OP.i32Const], signedLeb(length),
    [OP.prefixFC, OP.memoryInit], unsignedLeb(segment), [0],
    [OP.prefixFC, OP.dataDrop], unsignedLeb(segment),
    next === null ? [] : concatBytes([[OP.call], unsignedLeb(next)]),
    [OP.end],
  ]);
  const withLocals = concatBytes([[0], code]); // no locals
  return concatBytes([unsignedLeb(withLocals.length), withLocals]);
}

export function spliceIr(runtime: Uint8Array, blob: Uint8Array): Uint8Array {
  const input = readSections(runtime);
  const { irBase } = runtimeLayout(input);
  const byId = new Map<number, Section>();
  for (const s of input) if (s.id !== SECTION.custom) byId.set(s.id, s);
  const body = (id: number) => byId.get(id)?.body;

  const type = voidType(body(TYPE));
  const loaderIndex = importedFunctions(body(SECTION.import)) + vecCount(body(FUNCTION));
  const previousStart = body(START) ? new ByteReader(body(START)!).u32() : null;
  const segment = vecCount(body(SECTION.data));
  const pages = Math.ceil((irBase + blob.length) / PAGE);

  const updated = new Map<number, Uint8Array>([
    [TYPE, type.body],
    [FUNCTION, appendToVec(body(FUNCTION), [unsignedLeb(type.index)])],
    [START, Uint8Array.from(unsignedLeb(loaderIndex))],
    [SECTION.dataCount, Uint8Array.from(unsignedLeb(segment + 1))],
    [SECTION.code, appendToVec(body(SECTION.code), [loaderBody(pages, segment, irBase, blob.length, previousStart)])],
    [SECTION.data, appendToVec(body(SECTION.data), [concatBytes([[0x01], unsignedLeb(blob.length), blob])])],
  ]);
  const out: Section[] = [];
  for (const id of ORDER) {
    const b = updated.get(id) ?? body(id);
    if (b) out.push({ id, body: b });
  }
  // Custom sections other than the layout record keep their place at the end.
  for (const s of input) {
    if (s.id === SECTION.custom && customSectionName(s) !== RUNTIME_SECTION) out.push(s);
  }
  return writeSections(out);
}
