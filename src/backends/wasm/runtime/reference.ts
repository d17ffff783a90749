// Image reference normalization (docs/ir.md "Image references"), on UTF-16 units.
// Every accepted reference is ASCII, so any other unit rejects it at once.

import { alloc } from './mem';
import {
  setSlot, S_DIGEST, S_NAME, S_NAMESPACE, S_NAME_TAG, S_REGISTRY, S_REPOSITORY, S_TAG,
} from './context';

let src: usize = 0;

@inline function at(i: i32): i32 {
  return <i32>load<u16>(src + (<usize>i << 1));
}
@inline function isLowerAlnum(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}
@inline function isAlnum(c: i32): bool {
  return isLowerAlnum(c) || (c >= 0x41 && c <= 0x5a);
}
@inline function isHex(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}

function matchesLit(from: i32, lit: string): bool {
  const n = lit.length;
  for (let i = 0; i < n; i++) {
    if (at(from + i) != <i32>load<u16>(changetype<usize>(lit) + (<usize>i << 1))) return false;
  }
  return true;
}

/** `sha256:`+64, `sha384:`+96 or `sha512:`+128 lower-case hex characters. */
function validDigest(from: i32, to: i32): bool {
  const n = to - from;
  let hex = 0;
  if (n == 7 + 64 && matchesLit(from, 'sha256:')) hex = 64;
  else if (n == 7 + 96 && matchesLit(from, 'sha384:')) hex = 96;
  else if (n == 7 + 128 && matchesLit(from, 'sha512:')) hex = 128;
  else return false;
  for (let i = from + 7; i < to; i++) if (!isHex(at(i))) return false;
  return true;
}

/** `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` */
function validTag(from: i32, to: i32): bool {
  const n = to - from;
  if (n < 1 || n > 128) return false;
  for (let i = from; i < to; i++) {
    const c = at(i);
    const ok = isAlnum(c) || c == 0x5f || (i > from && (c == 0x2e || c == 0x2d));
    if (!ok) return false;
  }
  return true;
}

/** `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` */
function validComponent(from: i32, to: i32): bool {
  if (from >= to || !isLowerAlnum(at(from))) return false;
  let i = from;
  while (i < to) {
    const c = at(i);
    if (isLowerAlnum(c)) {
      i++;
      continue;
    }
    if (c == 0x2e) i++;
    else if (c == 0x5f) {
      i++;
      if (i < to && at(i) == 0x5f) i++;
    } else if (c == 0x2d) {
      while (i < to && at(i) == 0x2d) i++;
    } else return false;
    if (i >= to || !isLowerAlnum(at(i))) return false;
  }
  return true;
}

/** DNS labels `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?` joined by `.`. */
function validHostName(from: i32, to: i32): bool {
  if (from >= to) return false;
  let labelStart = from;
  for (let i = from; i <= to; i++) {
    if (i == to || at(i) == 0x2e) {
      if (i == labelStart || !isAlnum(at(labelStart)) || !isAlnum(at(i - 1))) return false;
      labelStart = i + 1;
    } else {
      const c = at(i);
      if (!isAlnum(c) && c != 0x2d) return false;
    }
  }
  return true;
}

/** 1–65535 in decimal without leading zeros (src/ref/reference.ts isPort). */
function validPort(from: i32, to: i32): bool {
  if (from >= to || to - from > 5 || at(from) == 0x30) return false;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = at(i);
    if (c < 0x30 || c > 0x39) return false;
    n = n * 10 + (c - 0x30);
  }
  return n <= 65535;
}

/** `host[:port]` where host is DNS labels or a bracketed IPv6 literal. */
function validRegistry(from: i32, to: i32): bool {
  let hostEnd = to;
  if (at(from) == 0x5b) {
    let close = -1;
    for (let i = from + 1; i < to; i++) {
      if (at(i) == 0x5d) {
        close = i;
        break;
      }
    }
    if (close < 0 || close == from + 1) return false;
    for (let i = from + 1; i < close; i++) {
      const c = at(i);
      const ok = isHex(c) || (c >= 0x41 && c <= 0x46) || c == 0x3a || c == 0x2e;
      if (!ok) return false;
    }
    hostEnd = close + 1;
    if (hostEnd == to) return true;
    return at(hostEnd) == 0x3a && validPort(hostEnd + 1, to);
  }
  for (let i = from; i < to; i++) {
    if (at(i) == 0x3a) {
      hostEnd = i;
      break;
    }
  }
  if (!validHostName(from, hostEnd)) return false;
  return hostEnd == to || validPort(hostEnd + 1, to);
}

/** Whether the first `n` units, lower-cased, spell `lit`. */
function lowerEquals(n: i32, lit: string): bool {
  if (n != lit.length) return false;
  for (let i = 0; i < n; i++) {
    let c = at(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c != <i32>load<u16>(changetype<usize>(lit) + (<usize>i << 1))) return false;
  }
  return true;
}

function copyUnits(dst: usize, from: i32, to: i32): void {
  memory.copy(dst, src + (<usize>from << 1), <usize>(to - from) << 1);
}

function storeLit(dst: usize, lit: string): void {
  memory.copy(dst, changetype<usize>(lit), <usize>lit.length << 1);
}

/** Normalizes the reference and fills the image slots; false when it does not parse. */
export function normalizeReference(p: usize, len: i32): bool {
  src = p;
  if (len > 4096) return false;
  for (let i = 0; i < len; i++) if (at(i) >= 0x80) return false;

  let restEnd = len;
  let digestFrom = -1;
  for (let i = 0; i < len; i++) {
    if (at(i) == 0x40) {
      digestFrom = i + 1;
      restEnd = i;
      break;
    }
  }
  if (digestFrom >= 0 && !validDigest(digestFrom, len)) return false;

  let lastColon = -1;
  let lastSlash = -1;
  for (let i = 0; i < restEnd; i++) {
    const c = at(i);
    if (c == 0x3a) lastColon = i;
    else if (c == 0x2f) lastSlash = i;
  }
  let nameEnd = restEnd;
  let tagFrom = -1;
  if (lastColon > lastSlash) {
    tagFrom = lastColon + 1;
    nameEnd = lastColon;
    if (!validTag(tagFrom, restEnd)) return false;
  }

  // Registry: the first component when it looks like a host, else docker.io.
  let firstSlash = -1;
  for (let i = 0; i < nameEnd; i++) {
    if (at(i) == 0x2f) {
      firstSlash = i;
      break;
    }
  }
  let regFrom = 0;
  let regTo = 0;
  if (firstSlash > 0) {
    let hostLike = false;
    for (let i = 0; i < firstSlash; i++) {
      const c = at(i);
      if (c == 0x2e || c == 0x3a || (c >= 0x41 && c <= 0x5a)) hostLike = true;
    }
    if (firstSlash == 9 && matchesLit(0, 'localhost')) hostLike = true;
    if (hostLike) {
      regTo = firstSlash;
      if (!validRegistry(0, regTo)) return false;
    }
  }
  const repoFrom = regTo > 0 ? regTo + 1 : 0;

  // Lower-case registry, with index.docker.io folded into docker.io.
  const regLen = regTo - regFrom;
  const dockerHub = regLen == 0 || lowerEquals(regLen, 'index.docker.io') || lowerEquals(regLen, 'docker.io');

  // Repository components.
  let compStart = repoFrom;
  let components = 0;
  let firstCompEnd = nameEnd;
  for (let i = repoFrom; i <= nameEnd; i++) {
    if (i == nameEnd || at(i) == 0x2f) {
      if (!validComponent(compStart, i)) return false;
      if (components == 0) firstCompEnd = i;
      components++;
      compStart = i + 1;
    }
  }
  const library = dockerHub && components == 1;

  const outRegLen = dockerHub ? 9 : regLen;
  const repoLen = nameEnd - repoFrom + (library ? 8 : 0);
  const nameLen = outRegLen + 1 + repoLen;
  if (nameLen > 255) return false;

  const hasTag = tagFrom >= 0;
  const hasDigest = digestFrom >= 0;
  const tagLen = hasTag ? restEnd - tagFrom : hasDigest ? 0 : 6;

  // name:tag in one buffer; name, registry, repository and namespace are slices of it.
  const nameTagLen = nameLen + 1 + tagLen;
  const buf = alloc(<usize>nameTagLen << 1);
  let o = buf;
  if (dockerHub) storeLit(o, 'docker.io');
  else {
    for (let i = 0; i < regLen; i++) {
      let c = at(i);
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      store<u16>(o + (<usize>i << 1), <u16>c);
    }
  }
  o += <usize>outRegLen << 1;
  store<u16>(o, 0x2f);
  o += 2;
  const repoPtr = o;
  if (library) {
    storeLit(o, 'library/');
    o += 16;
  }
  copyUnits(o, repoFrom, nameEnd);
  o += <usize>(nameEnd - repoFrom) << 1;
  store<u16>(o, 0x3a);
  o += 2;
  const tagPtr = o;
  if (hasTag) copyUnits(o, tagFrom, restEnd);
  else if (!hasDigest) storeLit(o, 'latest');

  setSlot(S_REGISTRY, buf, outRegLen);
  setSlot(S_REPOSITORY, repoPtr, repoLen);
  setSlot(S_NAME, buf, nameLen);
  setSlot(S_NAMESPACE, repoPtr, library ? 7 : firstCompEnd - repoFrom);
  setSlot(S_TAG, tagPtr, tagLen);
  setSlot(S_NAME_TAG, buf, nameTagLen);
  if (hasDigest) setSlot(S_DIGEST, src + (<usize>digestFrom << 1), len - digestFrom);
  else setSlot(S_DIGEST, 0, 0);
  return true;
}
