/** The soak's conclusions (bench/support/soak-analysis.ts): memory growth windows, stalls, and the share audit. */
import { describe, expect, it } from 'vitest';
import { auditShares, loopStalls, memoryGrowth, promValue } from '../../bench/support/soak-analysis.js';

describe('soak analysis', () => {
  it('compares the first minute after warm-up with the last minute of the load', () => {
    const samples = Array.from({ length: 300 }, (_, i) => ({ t: i * 2, rssBytes: (100 + (i * 2 >= 540 ? 10 : 0)) * 2 ** 20 }));
    const g = memoryGrowth(samples, 60, 600);
    expect(g).not.toBeNull();
    expect(g?.firstMiB).toBeCloseTo(100, 6);
    expect(g?.lastMiB).toBeCloseTo(110, 6);
    expect(g?.growthPercent).toBeCloseTo(10, 6);
    // Too short for two disjoint minutes after the warm-up.
    expect(memoryGrowth(samples, 60, 150)).toBeNull();
  });

  it('takes the timer tick off the largest delay', () => {
    const s = loopStalls(
      [
        { t: 5, maxSeconds: 0.012, p99Seconds: 0.011 },
        { t: 10, maxSeconds: 0.045, p99Seconds: 0.02 },
      ],
      10,
    );
    expect(s.maxStallMs).toBeCloseTo(35, 6);
    expect(s.worstP99Ms).toBeCloseTo(10, 6);
    expect(loopStalls([{ t: 1, maxSeconds: 0.009, p99Seconds: 0.009 }], 10).maxStallMs).toBe(0);
  });

  it('finds acknowledged shares missing from the store or stored twice', () => {
    const stored = new Map([
      ['a', 1],
      ['b', 2],
      ['x', 1],
    ]);
    const audit = auditShares(['a', 'b', 'c', 'a'], stored);
    expect(audit).toEqual({ acked: 4, lost: 1, doubled: 1, ackedTwice: 1, storedNotAcked: 1, examplesLost: ['c'] });
  });

  it('reads a series from Prometheus text by name and label', () => {
    const text = [
      '# HELP gxc_pool_shares_total Shares',
      'gxc_pool_shares_total{result="accepted",pool="general"} 1234',
      'gxc_pool_shares_total{result="stale",pool="general"} 5',
      'gxc_pool_process_nodejs_eventloop_lag_max_seconds{pool="general"} 0.0123',
    ].join('\n');
    expect(promValue(text, 'gxc_pool_shares_total', 'result="stale"')).toBe(5);
    expect(promValue(text, 'gxc_pool_shares_total', 'result="accepted"')).toBe(1234);
    expect(promValue(text, 'gxc_pool_process_nodejs_eventloop_lag_max_seconds')).toBe(0.0123);
    expect(promValue(text, 'gxc_pool_shares')).toBeNull();
  });
});
