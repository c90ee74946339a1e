import { describe, expect, it } from 'vitest';
import { banKey } from '../../src/stratum/ban-key.js';

describe('banKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(banKey('203.0.113.7')).toBe('203.0.113.7');
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address, in dotted or hex form', () => {
    expect(banKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(banKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(banKey('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('keys an IPv6 address by its /64, in RFC 5952 form', () => {
    expect(banKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(banKey('2001:0DB8:0001:0002:0000:0000:0000:0001')).toBe('2001:db8:1:2::/64');
    expect(banKey('2001:db8::1')).toBe('2001:db8::/64');
    expect(banKey('::1')).toBe('::/64');
    expect(banKey('fe80::1%eth0')).toBe('fe80::/64');
    expect(banKey('2001:db8:0:5::7')).toBe('2001:db8:0:5::/64');
  });

  it('gives two addresses of one /64 the same key, and of two /64s different keys', () => {
    expect(banKey('2001:db8:1:2::1')).toBe(banKey('2001:db8:1:2:ffff::9'));
    expect(banKey('2001:db8:1:2::1')).not.toBe(banKey('2001:db8:1:3::1'));
  });

  it('accepts a /64 key itself (operators lift bans by key)', () => {
    expect(banKey('2001:db8:1:2::/64')).toBe('2001:db8:1:2::/64');
  });

  it('refuses what is not an IP address', () => {
    for (const bad of ['', 'unknown', '203.0.113.256', 'example.com', '2001:db8::/48', '1.2.3.4/64', '::ffff:999.0.0.1']) {
      expect(banKey(bad), bad).toBeNull();
    }
  });
});
