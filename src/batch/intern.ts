// Strings read from JSON bytes, interned: a batch repeats the same DIDs, images, PDS URLs
// and times thousands of times, and an interned string is made once and hashes once in
// the engine's memo maps. Only ASCII goes through here (the reader decodes
// anything else itself), so the bytes are the string's UTF-16 code units.

const SLOTS = 1 << 16;
const MASK = SLOTS - 1;
/** Past this many entries the table stops growing and new strings are made directly. */
const MAX_ENTRIES = (SLOTS * 3) >> 2;
/** Slots looked at per string before giving up on interning it. */
const MAX_PROBES = 8;

export class StringInterner {
  private readonly starts = new Int32Array(SLOTS).fill(-1);
  private readonly lengths = new Int32Array(SLOTS);
  private readonly strings: string[] = new Array<string>(SLOTS).fill('');
  private entries = 0;

  private readonly view: DataView;

  /** @param bytes every range passed to `get` is in these bytes, which must not change. */
  constructor(private readonly bytes: Buffer) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Whether the `len` bytes at `a` and at `b` are equal, compared four at a time. */
  private same(a: number, b: number, len: number): boolean {
    const v = this.view;
    let k = 0;
    for (; k + 4 <= len; k += 4) if (v.getInt32(a + k) !== v.getInt32(b + k)) return false;
    for (; k < len; k++) if (v.getUint8(a + k) !== v.getUint8(b + k)) return false;
    return true;
  }

  /** The string of bytes [start, end). */
  get(start: number, end: number): string {
    const b = this.bytes;
    const len = end - start;
    // Every byte counts (strings of a batch often differ only in the middle, like a team
    // in an image name), taken four at a time. Probing is bounded, so even inputs made to
    // collide cost a few comparisons per string, never a scan of the table.
    const v = this.view;
    let h = Math.imul(len, 0x9e3779b1);
    let k = start;
    for (; k + 4 <= end; k += 4) h = Math.imul(h ^ v.getInt32(k, true), 0x01000193) ^ (h >>> 15);
    for (; k < end; k++) h = Math.imul(h ^ b[k]!, 0x01000193);
    let slot = (h ^ (h >>> 16)) & MASK;
    let free = -1;
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      const s = this.starts[slot]!;
      if (s < 0) {
        free = slot;
        break;
      }
      if (this.lengths[slot] === len && this.same(s, start, len)) return this.strings[slot]!;
      slot = (slot + 1) & MASK;
    }
    const str = b.toString('latin1', start, end);
    if (free >= 0 && this.entries < MAX_ENTRIES) {
      slot = free;
      this.starts[slot] = start;
      this.lengths[slot] = len;
      this.strings[slot] = str;
      this.entries++;
    }
    return str;
  }
}

