// JSON from outside (registries, PDS, PLC directory, bundles), read strictly: the bytes
// must be UTF-8. A byte that is not would otherwise become U+FFFD, and two different
// documents could read alike.

/** Parses UTF-8 JSON bytes; throws on bytes that are not UTF-8 or text that is not JSON. */
export function parseUtf8Json(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}
