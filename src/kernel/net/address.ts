// Which IP addresses a request to a URL from an untrusted source (a DID document, a
// payload, a registry's token realm) must never reach. Checked on the resolved address,
// so every textual form (IPv4-mapped IPv6, 6to4, NAT64) is reduced to bytes first.

import { isIP } from 'node:net';

/** Parses a dotted-quad IPv4 address to 4 bytes, or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Parses an IPv6 address (optionally with a zone id, optionally a trailing IPv4) to 16 bytes, or null. */
export function parseIPv6(text: string): Uint8Array | null {
  const zone = text.indexOf('%');
  const addr = zone >= 0 ? text.slice(0, zone) : text;
  if (addr.length === 0 || addr.length > 45) return null;
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): number[] | null => {
    if (s === '') return [];
    const raw = s.split(':');
    const groups: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const g = raw[i]!;
      if (i === raw.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return null;
  // An embedded IPv4 may only end the address, never sit before '::'.
  if (halves.length === 2 && halves[0]!.includes('.')) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function inV4(b: Uint8Array, net: [number, number, number, number], bits: number): boolean {
  let left = bits;
  for (let i = 0; i < 4 && left > 0; i++) {
    const take = Math.min(8, left);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((b[i]! & mask) !== (net[i]! & mask)) return false;
    left -= take;
  }
  return true;
}

function privateV4(b: Uint8Array): boolean {
  return (
    inV4(b, [0, 0, 0, 0], 8) || // "this network", includes 0.0.0.0
    inV4(b, [10, 0, 0, 0], 8) ||
    inV4(b, [100, 64, 0, 0], 10) || // CGNAT
    inV4(b, [127, 0, 0, 0], 8) ||
    inV4(b, [169, 254, 0, 0], 16) ||
    inV4(b, [172, 16, 0, 0], 12) ||
    inV4(b, [192, 0, 0, 0], 24) || // IETF protocol assignments
    inV4(b, [192, 168, 0, 0], 16) ||
    inV4(b, [198, 18, 0, 0], 15) || // benchmarking
    inV4(b, [224, 0, 0, 0], 4) || // multicast
    inV4(b, [240, 0, 0, 0], 4) // reserved and broadcast
  );
}

function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function privateV6(b: Uint8Array): boolean {
  // ::/128 unspecified, ::1 loopback, and the deprecated IPv4-compatible ::a.b.c.d.
  if (allZero(b, 0, 12)) {
    if (allZero(b, 12, 15) && (b[15] === 0 || b[15] === 1)) return true;
    return privateV4(b.subarray(12));
  }
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated).
  if (allZero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return privateV4(b.subarray(12));
  if (allZero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return privateV4(b.subarray(12));
  // 64:ff9b::/96 NAT64 reaches the embedded IPv4 address.
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && allZero(b, 4, 12)) return privateV4(b.subarray(12));
  // 2002::/16 6to4 embeds an IPv4 address in bytes 2..5.
  if (b[0] === 0x20 && b[1] === 0x02) return privateV4(b.subarray(2, 6));
  if (b[0] === 0xff) return true; // multicast ff00::/8
  if ((b[0]! & 0xfe) === 0xfc) return true; // unique-local fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return true; // link-local fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return true; // deprecated site-local fec0::/10
  return false;
}

/**
 * True when `ip` is loopback, private, CGNAT, link-local, unique-local, unspecified,
 * multicast or reserved, also in IPv4-mapped/compatible IPv6 form. Text that is not an
 * IP address counts as private: the caller must never connect to what it cannot classify.
 */
export function isPrivateAddress(ip: string): boolean {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const kind = isIP(text.split('%')[0]!);
  if (kind === 4) {
    const b = parseIPv4(text);
    return b ? privateV4(b) : true;
  }
  if (kind === 6) {
    const b = parseIPv6(text);
    return b ? privateV6(b) : true;
  }
  return true;
}

/** True for 127/8, ::1 and their mapped forms, and the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const text = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = text.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  const v4 = isIP(lower) === 4 ? parseIPv4(lower) : null;
  if (v4) return v4[0] === 127;
  const v6 = isIP(lower.split('%')[0]!) === 6 ? parseIPv6(lower) : null;
  if (!v6) return false;
  if (allZero(v6, 0, 15) && v6[15] === 1) return true;
  if (allZero(v6, 0, 10) && v6[10] === 0xff && v6[11] === 0xff) return v6[12] === 127;
  return false;
}
