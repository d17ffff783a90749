// A request body as JSON, apart from HTTP (its size is capped as it is read), so that
// the fuzz targets reach the same parser the endpoints use.

import { BadRequest } from './errors.js';

/** JSON whatever the Content-Type says (Kyverno sends none); a BadRequest when it is not. */
export function requestJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'));
  } catch {
    throw new BadRequest('the body is not JSON');
  }
}
