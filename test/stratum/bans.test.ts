import { describe, expect, it } from 'vitest';
import { BanRegistry, type DEFAULT_BAN_POLICY } from '../../src/stratum/bans.js';

function registry(policy: Partial<typeof DEFAULT_BAN_POLICY> = {}) {
  let t = 1_000_000;
  const bans = new BanRegistry(policy, undefined, () => t);
  const banned: string[] = [];
  bans.onBan((key) => banned.push(key));
  return { bans, banned, advance: (ms: number) => (t += ms), now: () => t };
}

describe('BanRegistry', () => {
  it('bans an address at the junk threshold within the window, and only then', () => {
    const { bans, banned } = registry({ junkLines: 3, windowMs: 1000 });
    bans.record('198.51.100.1', 'junk');
    bans.record('198.51.100.1', 'junk');
    expect(bans.refuses('198.51.100.1')).toBe(false);
    bans.record('198.51.100.1', 'junk');
    expect(banned).toEqual(['198.51.100.1']);
    expect(bans.refuses('198.51.100.1')).toBe(true);
    expect(bans.refuses('::ffff:198.51.100.1')).toBe(true);
    expect(bans.refuses('198.51.100.2')).toBe(false);
    expect(bans.list()[0]).toMatchObject({ key: '198.51.100.1', reason: '3 junk lines within 1 s' });
  });

  it('forgets counts older than the window', () => {
    const { bans, banned, advance } = registry({ badAuthorizations: 2, windowMs: 1000 });
    bans.record('198.51.100.1', 'badAuthorization');
    advance(1000);
    bans.record('198.51.100.1', 'badAuthorization');
    expect(banned).toEqual([]);
    bans.record('198.51.100.1', 'badAuthorization');
    expect(banned).toEqual(['198.51.100.1']);
  });

  it('bans a whole IPv6 /64 and lets the ban expire', () => {
    const { bans, advance } = registry({ floods: 1, durationMs: 5000 });
    bans.record('2001:db8:1:2::10', 'flood');
    expect(bans.refuses('2001:db8:1:2::99')).toBe(true);
    expect(bans.refuses('2001:db8:1:3::10')).toBe(false);
    advance(4999);
    expect(bans.refuses('2001:db8:1:2::99')).toBe(true);
    advance(1);
    expect(bans.refuses('2001:db8:1:2::99')).toBe(false);
    expect(bans.list()).toEqual([]);
  });

  it('judges the invalid-share ratio per connection over the minimum sample', () => {
    const { bans, banned } = registry({ minShares: 10, invalidSharePercent: 50 });
    const healthy = bans.shareJudge('192.0.2.1');
    for (let i = 0; i < 100; i++) healthy.share(i % 3 !== 0); // 33 % invalid
    expect(banned).toEqual([]);
    const broken = bans.shareJudge('192.0.2.2');
    for (let i = 0; i < 9; i++) broken.share(false);
    expect(banned).toEqual([]); // under the sample size nothing is judged
    broken.share(false);
    expect(banned).toEqual(['192.0.2.2']);
    expect(bans.list()[0]!.reason).toBe('invalid shares: 100% of the last 10');
  });

  it('does nothing automatically when disabled, but operator bans still apply', () => {
    const { bans } = registry({ enabled: false, junkLines: 1 });
    bans.record('192.0.2.1', 'junk');
    const judge = bans.shareJudge('192.0.2.1');
    for (let i = 0; i < 100; i++) judge.share(false);
    expect(bans.list()).toEqual([]);
    bans.ban('192.0.2.1', 60_000, 'operator');
    expect(bans.refuses('192.0.2.1')).toBe(true);
  });

  it('lists, extends and lifts bans by key or address; refuses bad input precisely', () => {
    const { bans, now } = registry();
    const entry = bans.ban('2001:db8::5', 60_000, 'operator');
    expect(entry).toEqual({ key: '2001:db8::/64', reason: 'operator', since: now(), until: now() + 60_000 });
    expect(bans.ban('2001:db8::6', 120_000, 'again').until).toBe(now() + 120_000);
    expect(bans.list()).toHaveLength(1);
    expect(bans.lift('2001:db8::/64')).toBe(true);
    expect(bans.lift('2001:db8::/64')).toBe(false);
    bans.ban('192.0.2.9', 1000, 'x');
    expect(bans.lift('::ffff:192.0.2.9')).toBe(true);
    expect(() => bans.ban('not-an-ip', 1000, 'x')).toThrow('cannot ban "not-an-ip": not an IPv4 or IPv6 address');
    expect(() => bans.ban('192.0.2.1', 0, 'x')).toThrow('ban duration must be a positive number of ms, got 0');
    expect(bans.lift('nonsense')).toBe(false);
  });

  it('applies a new policy on reconfigure and refuses an invalid one', () => {
    const { bans, banned } = registry({ junkLines: 100 });
    bans.reconfigure({ junkLines: 1 });
    bans.record('192.0.2.1', 'junk');
    expect(banned).toEqual(['192.0.2.1']);
    expect(() => bans.reconfigure({ windowMs: -1 })).toThrow('ban policy windowMs must be a positive number, got -1');
    expect(bans.current.junkLines).toBe(1);
  });
});
