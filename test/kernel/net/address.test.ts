import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isLoopbackHost, isPrivateAddress, parseIPv6 } from '../../../src/kernel/net/address.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1',
    '100.64.0.1', '100.127.255.255', '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255',
    '::', '::1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fc00::1', 'fdff:ffff::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::127.0.0.1',
    '64:ff9b::10.0.0.1', '2002:0a00:0001::1', '[::1]',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0',
    '169.253.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2606:4700::1111',
  ])('allows %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('treats text that is not an address as private', () => {
    for (const s of ['', 'localhost', 'example.com', '1.2.3', '::g', '1.2.3.4.5']) expect(isPrivateAddress(s)).toBe(true);
  });

  it('never throws on random strings', () => {
    fc.assert(fc.property(fc.string(), (s) => typeof isPrivateAddress(s) === 'boolean'));
  });

  it('classifies every IPv4-mapped address like its IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => isPrivateAddress(`::ffff:${v4}`) === isPrivateAddress(v4)),
    );
  });

  it('parses every generated IPv6 address to 16 bytes', () => {
    fc.assert(fc.property(fc.ipV6(), (v6) => parseIPv6(v6)?.length === 16));
  });

  it('agrees with a prefix table for random IPv4', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), ([a, b, c, d]) => {
        const expected =
          a === 0 || a === 10 || a === 127 || a >= 224 ||
          (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) ||
          (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) ||
          (a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19));
        return isPrivateAddress(`${a}.${b}.${c}.${d}`) === expected;
      }),
    );
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.8.0.1', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(true));
  it.each(['example.com', '10.0.0.1', '::2', 'localhost.example.com'])('%s is not loopback', (h) =>
    expect(isLoopbackHost(h)).toBe(false));
});
