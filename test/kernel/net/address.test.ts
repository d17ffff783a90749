import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isLoopbackHost, isPrivateAddress } from '../../../src/kernel/net/address.js';

// One address inside each range of the IANA special-purpose registries that is not
// globally reachable, and of the other ranges no host of a PDS or registry can be in.
const REFUSED_V4: [string, string][] = [
  ['0.0.0.0/8 "this network"', '0.1.2.3'],
  ['10.0.0.0/8 private', '10.1.2.3'],
  ['100.64.0.0/10 shared address space (CGNAT)', '100.127.255.255'],
  ['127.0.0.0/8 loopback', '127.255.0.9'],
  ['169.254.0.0/16 link-local', '169.254.169.254'],
  ['172.16.0.0/12 private', '172.31.255.255'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.8'],
  ['192.0.2.0/24 documentation (TEST-NET-1)', '192.0.2.1'],
  ['192.88.99.0/24 deprecated 6to4 relay anycast', '192.88.99.1'],
  ['192.168.0.0/16 private', '192.168.1.1'],
  ['198.18.0.0/15 benchmarking', '198.19.0.1'],
  ['198.51.100.0/24 documentation (TEST-NET-2)', '198.51.100.7'],
  ['203.0.113.0/24 documentation (TEST-NET-3)', '203.0.113.9'],
  ['224.0.0.0/4 multicast', '239.1.1.1'],
  ['240.0.0.0/4 reserved', '250.1.2.3'],
  ['255.255.255.255/32 limited broadcast', '255.255.255.255'],
];

const REFUSED_V6: [string, string][] = [
  ['::/128 unspecified', '::'],
  ['::1/128 loopback', '::1'],
  ['::ffff:0:0/96 IPv4-mapped loopback', '::ffff:127.0.0.1'],
  ['::ffff:0:0/96 IPv4-mapped private (hex)', '::ffff:a00:1'],
  ['::/96 deprecated IPv4-compatible, even of a public address', '::8.8.8.8'],
  ['::ffff:0:0:0/96 IPv4-translated', '::ffff:0:808:808'],
  ['64:ff9b::/96 NAT64 well-known prefix, private IPv4', '64:ff9b::10.0.0.1'],
  ['64:ff9b::/96 NAT64 well-known prefix, loopback', '64:ff9b::7f00:1'],
  ['64:ff9b:1::/48 NAT64 local-use (RFC 8215)', '64:ff9b:1::7f00:1'],
  ['64:ff9b:1::/48 NAT64 local-use, even of a public IPv4', '64:ff9b:1::808:808'],
  ['100::/64 discard-only', '100::1'],
  ['2001::/32 Teredo embedding client 127.0.0.1', '2001:0:808:808:0:0:80ff:fffe'],
  ['2001::/32 Teredo embedding server 10.0.0.1', '2001:0:a00:1:0:0:f7f7:f7f7'],
  ['2001::/23 IETF protocol assignments', '2001:100::1'],
  ['2001:2::/48 benchmarking', '2001:2::1'],
  ['2001:10::/28 deprecated ORCHID', '2001:10::1'],
  ['2001:20::/28 ORCHIDv2 (identifiers, not hosts)', '2001:20::1'],
  ['2001:db8::/32 documentation', '2001:db8::1'],
  ['2002::/16 6to4 embedding 10.0.0.1', '2002:a00:1::1'],
  ['2002::/16 6to4 embedding 127.0.0.1', '2002:7f00:1::1'],
  ['3fff::/20 documentation (RFC 9637)', '3fff::1'],
  ['5f00::/16 segment routing SIDs', '5f00::1'],
  ['4000::/3 and other unassigned space', '4000::1'],
  ['fc00::/7 unique-local', 'fdff:ffff::1'],
  ['fe80::/10 link-local, with a zone', 'fe80::1%eth0'],
  ['fec0::/10 deprecated site-local', 'fec0::1'],
  ['ff00::/8 multicast', 'ff02::1'],
  ['a bracketed loopback', '[::1]'],
];

const ALLOWED: [string, string][] = [
  ['public IPv4', '8.8.8.8'],
  ['next to 172.16/12', '172.32.0.0'],
  ['next to 100.64/10', '100.128.0.0'],
  ['192.31.196.0/24 AS112 (globally reachable)', '192.31.196.1'],
  ['192.52.193.0/24 AMT (globally reachable)', '192.52.193.1'],
  ['public IPv6', '2001:4860:4860::8888'],
  ['public IPv6 (Cloudflare)', '2606:4700::1111'],
  ['IPv4-mapped public', '::ffff:8.8.8.8'],
  ['NAT64 well-known prefix of a public IPv4', '64:ff9b::8.8.8.8'],
  ['6to4 of a public IPv4', '2002:808:808::1'],
  ['Teredo with public server and client', '2001:0:808:808:0:0:f7f7:f7f7'],
  ['2001:4:112::/48 AS112-v6', '2001:4:112::1'],
];

describe('isPrivateAddress', () => {
  it.each(REFUSED_V4)('refuses IPv4 %s (%s)', (_range, ip) => expect(isPrivateAddress(ip)).toBe(true));
  it.each(REFUSED_V6)('refuses IPv6 %s (%s)', (_range, ip) => expect(isPrivateAddress(ip)).toBe(true));
  it.each(ALLOWED)('allows %s (%s)', (_range, ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('treats text that is not an address as private, including forms only lax parsers read', () => {
    for (const s of ['', 'localhost', 'example.com', '1.2.3', '::g', '1.2.3.4.5', '127.1', '0x7f.0.0.1', '8.8.8.08']) expect(isPrivateAddress(s)).toBe(true);
  });

  it('never throws on random strings', () => {
    fc.assert(fc.property(fc.string(), (s) => typeof isPrivateAddress(s) === 'boolean'));
  });

  it('classifies every IPv4 address embedded as mapped, NAT64 or 6to4 like the address itself', () => {
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => {
        const v4 = `${a}.${b}.${c}.${d}`;
        const want = isPrivateAddress(v4);
        return (
          isPrivateAddress(`::ffff:${v4}`) === want &&
          isPrivateAddress(`64:ff9b::${v4}`) === want &&
          isPrivateAddress(`2002:${hex(a, b)}:${hex(c, d)}::1`) === want
        );
      }),
    );
  });

  it('refuses every IPv6 address outside 2000::/3 except the embedding forms', () => {
    fc.assert(
      fc.property(fc.ipV6(), (v6) => {
        const first = parseInt(v6.split(':')[0] || '0', 16);
        if (first >= 0x2000 && first < 0x4000) return true;
        if (v6.startsWith('::') || v6.startsWith('64:ff9b:') || /^0*:/.test(v6)) return true;
        return isPrivateAddress(v6);
      }),
    );
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.8.0.1', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true));
  it.each(['example.com', '10.0.0.1', '::2', 'localhost.example.com', '::127.0.0.1'])('%s is not loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(false));
});
