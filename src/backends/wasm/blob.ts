// A growing little-endian byte buffer for the IR encoding; offsets are positions in the blob.

export class Blob {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.room(pad);
    this.length += pad; // the buffer is zero-filled
  }

  reserve(n: number, align = 4): number {
    this.align(align);
    this.room(n);
    const at = this.length;
    this.length += n;
    return at;
  }

  u32At(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  i32At(at: number, v: number): void {
    this.view.setInt32(at, v, true);
  }

  f64At(at: number, v: number): void {
    this.view.setFloat64(at, v, true);
  }

  u16At(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }

  words(values: readonly number[]): number {
    const at = this.reserve(values.length * 4);
    values.forEach((v, i) => this.i32At(at + i * 4, v));
    return at;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
