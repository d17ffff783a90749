// Strict JSON at the boundary: UTF-8 only, and an object at the top.

import { VerifyError, type VerifyCode } from './errors.js';
import { parseUtf8Json } from '../json.js';

export function parseJsonObject(bytes: Uint8Array, code: VerifyCode, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseUtf8Json(bytes);
  } catch {
    throw new VerifyError(code, `${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifyError(code, `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
