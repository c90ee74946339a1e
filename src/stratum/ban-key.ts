/**
 * What a ban is keyed by: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber usually holds a
 * whole /64 and can pick any address in it, so banning one address would ban nothing). IPv4-mapped IPv6
 * (`::ffff:a.b.c.d`, what a dual-stack listener reports for IPv4 peers) is the IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** The ban key of an address (`203.0.113.7`, `2001:db8:1:2::/64`), or null when it is not an IP address. */
export function banKey(address: string): string | null {
  const trimmed = address.trim();
  const mapped = MAPPED_IPV4.exec(trimmed);
  if (mapped !== null && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(trimmed)) return trimmed;
  // An operator may name the prefix itself ("2001:db8:1:2::/64") when lifting or adding a ban.
  const bare = trimmed.endsWith('/64') ? trimmed.slice(0, -3) : trimmed;
  // A zone index (fe80::1%eth0) names the interface, not the host.
  const withoutZone = bare.split('%')[0]!;
  if (!isIPv6(withoutZone)) return null;
  const groups = ipv6Groups(withoutZone);
  // A mapped address written in hex groups (::ffff:cb00:7107) is still an IPv4 peer.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return `${compressIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (embedded dotted IPv4 tails included). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head === '' || head === undefined ? [] : head.split(':');
  if (tail === undefined) return left.map((g) => parseInt(g, 16));
  const right = tail === '' ? [] : tail.split(':');
  const zeros: string[] = new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
