// Strict base64 (RFC 4648, padded, no line breaks): the bundle's only binary encoding.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes, or null for anything that is not canonical base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero padding bits decode silently in Node; canonical text round-trips.
  if (bytes.toString('base64') !== text) return null;
  return new Uint8Array(bytes);
}
