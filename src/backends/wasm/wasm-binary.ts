// A minimal WebAssembly binary reader/writer: the module as a list of raw sections, plus
// the few decoders the splicer needs (LEB128, names, limits). Sections we do not touch
// are copied byte for byte.

export const WASM_HEADER = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

export const SECTION = {
  custom: 0,
  import: 2,
  code: 10,
  data: 11,
  dataCount: 12,
} as const;

export interface Section {
  id: number;
  /** The section payload (without id and size). */
  body: Uint8Array;
}

export class ByteReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('wasm: unexpected end of input');
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error('wasm: LEB128 too long');
    }
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new Error('wasm: unexpected end of input');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  name(): string {
    return new TextDecoder().decode(this.take(this.u32()));
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
}

export function unsignedLeb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function signedLeb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export function concatBytes(parts: ArrayLike<number>[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function readSections(bytes: Uint8Array): Section[] {
  for (let i = 0; i < WASM_HEADER.length; i++) {
    if (bytes[i] !== WASM_HEADER[i]) throw new Error('wasm: not a WebAssembly 1.0 module');
  }
  const r = new ByteReader(bytes);
  r.pos = WASM_HEADER.length;
  const sections: Section[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, body: r.take(size) });
  }
  return sections;
}

export function writeSections(sections: readonly Section[]): Uint8Array {
  const parts: ArrayLike<number>[] = [WASM_HEADER];
  for (const s of sections) parts.push([s.id], unsignedLeb(s.body.length), s.body);
  return concatBytes(parts);
}

/** The name of a custom section (its payload starts with the name). */
export function customSectionName(s: Section): string {
  return new ByteReader(s.body).name();
}

export function customSectionPayload(s: Section): Uint8Array {
  const r = new ByteReader(s.body);
  r.name();
  return s.body.subarray(r.pos);
}
