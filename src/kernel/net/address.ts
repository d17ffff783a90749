// Which IP addresses a request to a URL from an untrusted source (a DID document, a
// payload, a registry's token realm) must never reach. Checked on the resolved address.
// Only globally reachable unicast is allowed: ipaddr.js classifies the IANA special-purpose
// ranges (IPv4 and IPv6 registries); an address that embeds an IPv4 address and is routed
// to it (IPv4-mapped, NAT64 well-known prefix, 6to4, Teredo) is judged by what it embeds.

import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * IPv4 ranges of ipaddr.js that are globally reachable: ordinary unicast, and the
 * AS112 and AMT anycast blocks (IANA: "Globally Reachable: True"). Every other range
 * (private, loopback, link-local, CGNAT, reserved, documentation, benchmarking,
 * multicast, broadcast, "this network") is refused.
 */
const GLOBAL_V4 = new Set(['unicast', 'as112', 'amt']);

/**
 * IPv6 ranges that are globally reachable. ORCHIDv2 and drone IDs (IANA "true") are
 * identifiers, not hosts, and refused with the rest.
 */
const GLOBAL_V6 = new Set(['unicast', 'as112v6', 'amt']);

function globalV4(a: ipaddr.IPv4): boolean {
  return GLOBAL_V4.has(a.range());
}

function v4At(bytes: number[], at: number, invert = false): ipaddr.IPv4 {
  const b = bytes.slice(at, at + 4).map((x) => (invert ? ~x & 0xff : x));
  return new ipaddr.IPv4(b);
}

function globalV6(a: ipaddr.IPv6): boolean {
  const b = a.toByteArray();
  switch (a.range()) {
    case 'ipv4Mapped':
      return globalV4(v4At(b, 12));
    case 'rfc6052':
      // 64:ff9b::/96 translates to the embedded address; 64:ff9b:1::/48 is local-use (RFC 8215).
      return b[4] === 0 && b[5] === 0 && globalV4(v4At(b, 12));
    case '6to4':
      return globalV4(v4At(b, 2));
    case 'teredo':
      // Server address in bits 32–63, client address (inverted) in the last 32 bits.
      return globalV4(v4At(b, 4)) && globalV4(v4At(b, 12, true));
    case 'unicast':
      // Only 2000::/3 is allocated as global unicast; the rest of the space is unassigned.
      return (b[0]! & 0xe0) === 0x20;
    default:
      return GLOBAL_V6.has(a.range());
  }
}

/**
 * An IPv6 address as ipaddr.js reads it faithfully: it takes `::a.b.c.d` for
 * `::ffff:a.b.c.d`, so a trailing dotted quad is written as two hex groups first.
 */
function parseV6(text: string): ipaddr.IPv6 {
  const m = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  const hex = m ? `${m[1]}${((+m[2]! << 8) | +m[3]!).toString(16)}:${((+m[4]! << 8) | +m[5]!).toString(16)}` : text;
  return ipaddr.IPv6.parse(hex);
}

/**
 * True when `ip` is not a globally reachable unicast address: loopback, private, CGNAT,
 * link-local, unique-local, unspecified, multicast, documentation, reserved, or an
 * IPv6 form embedding one of those. Text that is not an IP address counts as private:
 * the caller must never connect to what it cannot classify.
 */
export function isPrivateAddress(ip: string): boolean {
  const text = (ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip).split('%')[0]!;
  // node:net is strict (dotted quads only); ipaddr.js would also read `127.1` or `0x7f.1`.
  const kind = isIP(text);
  try {
    if (kind === 4) return !globalV4(ipaddr.IPv4.parse(text));
    if (kind === 6) return !globalV6(parseV6(text));
  } catch {
    // unreachable for text node:net accepts; fall through to "private"
  }
  return true;
}

/** True for 127/8, ::1 and their mapped forms, and the name `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const text = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = text.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  const bare = lower.split('%')[0]!;
  const kind = isIP(bare);
  if (kind === 0) return false;
  if (kind === 4) return ipaddr.IPv4.parse(bare).range() === 'loopback';
  const v6 = parseV6(bare);
  if (v6.range() === 'loopback') return true;
  return v6.isIPv4MappedAddress() && v6.toByteArray()[10] === 0xff && v6.toIPv4Address().range() === 'loopback';
}
