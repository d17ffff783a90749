// `policy eval` takes decision inputs (decision.md). Valid JSON of the wrong shape —
// `{"image": "nginx", "sigs": []}` — is a mistake in the input, not a decision: the CLI
// reports where it is (a JSON path) and exits 2, instead of printing an `invalid-image`
// denial. Engines keep deciding malformed input as invalid-image (docs/ir.md); this check
// only runs in front of them on the command line, and refuses exactly what they call
// malformed (so a batch and a single input are treated alike). A signature's fields are
// the engines' to judge (an unreadable one is an invalid signature). Unknown keys are
// allowed (forward compatible), but a near miss of a required one is named.

import { parseInstant } from '../ir/time.js';
import { nearest } from '../text/nearest.js';

const TOP_KEYS = ['image', 'owner', 'now', 'signatures'];

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function key(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function missing(path: string, name: string, obj: Record<string, unknown>): string {
  const near = nearest(name, Object.keys(obj).filter((k) => !TOP_KEYS.includes(k)));
  return `${key(path, name)} is missing${near ? ` (found ${JSON.stringify(near)}: did you mean ${JSON.stringify(name)}?)` : ''}`;
}

/** Why `value` (at JSON path `path`, `$` for the root) is not a decision input, or null. */
export function inputShapeProblem(value: unknown, path = '$'): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${path} must be an object, not ${kind(value)}`;
  const obj = value as Record<string, unknown>;
  if (!('image' in obj)) return missing(path, 'image', obj);
  if (typeof obj.image !== 'string') return `${key(path, 'image')} must be a string, not ${kind(obj.image)}`;
  if ('now' in obj && (typeof obj.now !== 'string' || !parseInstant(obj.now))) {
    return `${key(path, 'now')} must be an RFC 3339 time such as 2026-11-25T12:00:00Z`;
  }
  if (!('signatures' in obj)) return missing(path, 'signatures', obj);
  if (!Array.isArray(obj.signatures)) return `${key(path, 'signatures')} must be an array, not ${kind(obj.signatures)}`;
  return null;
}

/** The first problem in an input or a batch of inputs. */
export function inputsShapeProblem(data: unknown): string | null {
  if (!Array.isArray(data)) return inputShapeProblem(data);
  for (let i = 0; i < data.length; i++) {
    const problem = inputShapeProblem(data[i], `$[${i}]`);
    if (problem) return problem;
  }
  return null;
}
