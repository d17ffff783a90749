// Text the plugins hand to their hosts: one line, control and bidi characters escaped
// (the reason ends up in containerd's error, kubelet events and logs), cut to a size.

import { escapeText as escapeControls } from '../text/escape.js';

/** One line: newlines and tabs escaped along with every other control character. */
export function oneLine(text: string): string {
  return escapeControls(text).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** At most `maxBytes` of UTF-8, cut on a character boundary, marked with "…" when cut. */
export function clip(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const mark = ' …';
  let end = maxBytes - Buffer.byteLength(mark);
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8') + mark;
}

/** Reads all of a stream up to `maxBytes`; more is an error saying so, not a buffer that grows. */
export function readLimited(stream: NodeJS.ReadableStream, maxBytes: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: Error | null, value?: Buffer) => {
      stream.removeAllListeners('data');
      stream.removeAllListeners('end');
      stream.removeAllListeners('error');
      if (err) reject(err);
      else resolve(value!);
    };
    stream.on('data', (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > maxBytes) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        done(new Error(`${what} is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(b);
    });
    stream.on('end', () => done(null, Buffer.concat(chunks)));
    stream.on('error', (err: Error) => done(new Error(`${what} could not be read: ${err.message}`)));
  });
}
