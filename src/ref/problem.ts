// Why a reference does not parse, in words — for `policy explain --image` and error
// messages. parseImageRef stays the only judge of validity: this runs only after it has
// said no, and looks at the parts in the order a reader would, falling back to a general
// sentence when no single part is to blame.

import { MAX_NAME_LENGTH, MAX_REFERENCE_LENGTH, MAX_TAG_LENGTH, parseImageRef } from './reference.js';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const DIGEST = /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::(\d+))?$/;

/** One sentence saying what is wrong with `ref`, or null when it parses. */
export function referenceProblem(ref: string): string | null {
  if (parseImageRef(ref)) return null;
  if (ref.length === 0) return 'the reference is empty';
  if (ref.length > MAX_REFERENCE_LENGTH) return `the reference is longer than ${MAX_REFERENCE_LENGTH} characters`;
  if (/\s/.test(ref)) return 'the reference contains white space';
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  if (at >= 0 && !DIGEST.test(ref.slice(at + 1))) {
    return `the digest "${ref.slice(at + 1)}" is not sha256:, sha384: or sha512: followed by that many lower-case hex digits`;
  }
  const lastSlash = name.lastIndexOf('/');
  const lastColon = name.lastIndexOf(':');
  let path = name;
  if (lastColon > lastSlash) {
    const tag = name.slice(lastColon + 1);
    if (tag.length > MAX_TAG_LENGTH) return `the tag is longer than ${MAX_TAG_LENGTH} characters`;
    if (!TAG.test(tag)) return `the tag "${tag}" may hold only letters, digits, _ . and -, and may not start with . or -`;
    path = name.slice(0, lastColon);
  }
  const parts = path.split('/');
  const first = parts[0]!;
  const isRegistry = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost' || /[A-Z]/.test(first) || first.startsWith('['));
  if (isRegistry) {
    const m = HOST.exec(first);
    if (!m) return `the registry "${first}" is not a host name or [IPv6] address with an optional port`;
    if (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535)) return `the registry port ${m[1]} is outside 1–65535`;
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => p === '')) return 'the repository path has an empty component (two slashes, or a slash at an end)';
  for (const p of parts) {
    if (/[A-Z]/.test(p)) return `repository names must be lower-case: "${p}" has upper-case letters (only the registry host may)`;
    if (!COMPONENT.test(p)) return `the repository component "${p}" may hold only a-z, 0-9 and single . _ or - between them`;
  }
  if (path.length > MAX_NAME_LENGTH) return `the name is longer than ${MAX_NAME_LENGTH} characters`;
  return 'the reference does not follow the image reference grammar (registry/repository[:tag][@digest])';
}
