// Image reference normalization: the exact algorithm of docs/ir.md "Image references".
// This sits on the native engine's hot path, so it scans char codes by hand: no regular
// expressions (no backtracking), and no allocation beyond the substrings of the result.

export interface ImageRef {
  registry: string;
  repository: string;
  /** registry + "/" + repository */
  name: string;
  /** First component of the repository. */
  namespace: string;
  /** `latest` when neither tag nor digest was given; `""` for a digest-only reference. */
  tag: string;
  /** `""` when absent. */
  digest: string;
}

export const MAX_REFERENCE_LENGTH = 4096;
export const MAX_NAME_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;
export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_REGISTRY = 'index.docker.io';

// Character classes, by char code.
const SLASH = 0x2f;
const COLON = 0x3a;
const DOT = 0x2e;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHexLower = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66);
const isHexAny = (c: number): boolean => isHexLower(c) || (c >= 0x41 && c <= 0x46);
const isAlnum = (c: number): boolean => isLower(c) || isUpper(c) || isDigit(c);

/** Parses and normalizes a reference; null when it is not a valid reference. */
export function parseImageRef(ref: string): ImageRef | null {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REFERENCE_LENGTH) return null;

  // 2. The digest is everything after the first `@`.
  const at = ref.indexOf('@');
  const nameEnd = at < 0 ? ref.length : at;
  if (at >= 0 && !isDigest(ref, at + 1)) return null;

  // 3. A tag follows the last `:` when that `:` comes after the last `/`.
  let lastSlash = -1;
  let lastColon = -1;
  for (let i = 0; i < nameEnd; i++) {
    const c = ref.charCodeAt(i);
    if (c === SLASH) lastSlash = i;
    else if (c === COLON) lastColon = i;
  }
  let remEnd = nameEnd;
  let tag = '';
  if (lastColon > lastSlash) {
    if (!isTag(ref, lastColon + 1, nameEnd)) return null;
    tag = ref.substring(lastColon + 1, nameEnd);
    remEnd = lastColon;
  } else if (at < 0) {
    tag = 'latest';
  }
  if (remEnd === 0) return null;

  // 4. Is the first component a registry?
  let registry = DEFAULT_REGISTRY;
  let repoStart = 0;
  // Whether ref[0, remEnd) already is the normalized name (then it is sliced, not rebuilt).
  let nameAsWritten = false;
  const firstSlash = ref.indexOf('/');
  if (firstSlash >= 0 && firstSlash < remEnd && looksLikeRegistry(ref, firstSlash)) {
    if (!isRegistry(ref, 0, firstSlash)) return null;
    const written = ref.substring(0, firstSlash);
    registry = lowerAscii(written);
    if (registry === LEGACY_REGISTRY) registry = DEFAULT_REGISTRY;
    nameAsWritten = registry === written;
    repoStart = firstSlash + 1;
  }

  // 5. The repository.
  const firstComponentEnd = checkRepository(ref, repoStart, remEnd);
  if (firstComponentEnd < 0) return null;
  let repository = ref.substring(repoStart, remEnd);
  let namespace = ref.substring(repoStart, firstComponentEnd);
  if (registry === DEFAULT_REGISTRY && firstComponentEnd === remEnd) {
    repository = 'library/' + repository;
    namespace = 'library';
    nameAsWritten = false;
  }
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) return null;

  return {
    registry,
    repository,
    name: nameAsWritten ? ref.substring(0, remEnd) : registry + '/' + repository,
    namespace,
    tag,
    digest: at < 0 ? '' : ref.substring(at + 1),
  };
}

/**
 * The canonical text `name[:tag][@digest]`, which parses back to the same ImageRef.
 * A registry that would not be recognised as one (no `.` or `:`, not `localhost`, e.g.
 * `myhost` from `MyHost/app`) is written upper-case, since only the upper-case letter
 * marks it as a registry; parsing lower-cases it again.
 */
export function formatImageRef(r: ImageRef): string {
  let registry = r.registry;
  if (!/[.:]/.test(registry) && registry !== 'localhost') registry = registry.toUpperCase();
  let out = registry + '/' + r.repository;
  if (r.tag !== '') out += ':' + r.tag;
  if (r.digest !== '') out += '@' + r.digest;
  return out;
}

/** `sha256:` + 64, `sha384:` + 96 or `sha512:` + 128 lower-case hex, up to the end. */
function isDigest(s: string, start: number): boolean {
  const hexLen = s.length - start - 7;
  if (hexLen !== 64 && hexLen !== 96 && hexLen !== 128) return false;
  const want = hexLen === 64 ? 'sha256:' : hexLen === 96 ? 'sha384:' : 'sha512:';
  if (!s.startsWith(want, start)) return false;
  for (let i = start + 7; i < s.length; i++) if (!isHexLower(s.charCodeAt(i))) return false;
  return true;
}

/** `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` over s[start, end). */
function isTag(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > MAX_TAG_LENGTH) return false;
  const c0 = s.charCodeAt(start);
  if (!isAlnum(c0) && c0 !== UNDERSCORE) return false;
  for (let i = start + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== UNDERSCORE && c !== DOT && c !== DASH) return false;
  }
  return true;
}

/** The first component s[0, end) names a registry: has `.` or `:`, is `localhost`, or has an upper-case letter. */
function looksLikeRegistry(s: string, end: number): boolean {
  if (end === 9 && s.startsWith('localhost')) return true;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT || c === COLON || isUpper(c)) return true;
  }
  return false;
}

/** `host[:port]`: DNS labels joined by `.` or a bracketed IPv6 literal, then an optional port. */
function isRegistry(s: string, start: number, end: number): boolean {
  let i = start;
  if (s.charCodeAt(i) === 0x5b /* [ */) {
    i++;
    const hostStart = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (!isHexAny(c) && c !== COLON && c !== DOT) break;
      i++;
    }
    if (i === hostStart || i >= end || s.charCodeAt(i) !== 0x5d /* ] */) return false;
    i++;
  } else {
    // Labels: alphanumeric at both ends, hyphens inside.
    for (;;) {
      const labelStart = i;
      while (i < end) {
        const c = s.charCodeAt(i);
        if (!isAlnum(c) && c !== DASH) break;
        i++;
      }
      if (i === labelStart || s.charCodeAt(labelStart) === DASH || s.charCodeAt(i - 1) === DASH) return false;
      if (i < end && s.charCodeAt(i) === DOT) {
        i++;
        continue;
      }
      break;
    }
  }
  if (i === end) return true;
  if (s.charCodeAt(i) !== COLON) return false;
  return isPort(s, i + 1, end);
}

/** A TCP port, 1–65535, in decimal without leading zeros: what a URL can connect to. */
function isPort(s: string, start: number, end: number): boolean {
  if (end - start < 1 || end - start > 5 || s.charCodeAt(start) === 0x30) return false;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return false;
    n = n * 10 + (c - 0x30);
  }
  return n <= 65535;
}

/**
 * Checks `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` components joined by `/` over s[start, end);
 * returns the end of the first component, or -1 when invalid.
 */
function checkRepository(s: string, start: number, end: number): number {
  let firstEnd = -1;
  let i = start;
  for (;;) {
    // One component: alphanumeric runs separated by one separator.
    if (i >= end || !isLowerAlnum(s.charCodeAt(i))) return -1;
    for (;;) {
      while (i < end && isLowerAlnum(s.charCodeAt(i))) i++;
      if (i >= end) break;
      const c = s.charCodeAt(i);
      if (c === DOT) i++;
      else if (c === UNDERSCORE) i += i + 1 < end && s.charCodeAt(i + 1) === UNDERSCORE ? 2 : 1;
      else if (c === DASH) while (i < end && s.charCodeAt(i) === DASH) i++;
      else break;
      if (i >= end || !isLowerAlnum(s.charCodeAt(i))) return -1;
    }
    if (firstEnd < 0) firstEnd = i;
    if (i === end) return firstEnd;
    if (s.charCodeAt(i) !== SLASH) return -1;
    i++;
  }
}

function isLowerAlnum(c: number): boolean {
  return isLower(c) || isDigit(c);
}

function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) if (isUpper(s.charCodeAt(i))) return s.toLowerCase();
  return s;
}
