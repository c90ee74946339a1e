/** The dashboard's pure pieces: hash routes (pool in the URL), stratum URLs shown to miners, chart series trimming. */
import { describe, expect, it } from 'vitest';
import type { PoolInfo } from '../../src/web/app/api.js';
import { parseRoute, routeHref, stratumUrl } from '../../src/web/app/context.js';
import { trimLeadingEmpty } from '../../src/web/app/series.js';

const POOL: PoolInfo = {
  name: 'general',
  algorithms: ['sha256d', 'ethash'],
  chain: 'gxc',
  coin: 'GXC',
  stratum_port: 3333,
  stratum_url: 'stratum+tcp://0.0.0.0:3333',
  web_port: 6000,
  fee_percent: 1,
  scheme: 'pplns',
  pplns_window: 2,
  min_payout: '0.01',
  maturity: 6,
  payout_interval_seconds: 3600,
  starting_difficulty: 1,
  own: true,
};

describe('routes', () => {
  it('reads pool, page and argument from the hash; unknown pages are the overview', () => {
    expect(parseRoute('#/asic/miner/tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf')).toEqual({
      pool: 'asic',
      page: 'miner',
      arg: 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf',
    });
    expect(parseRoute('#/gpu/blocks')).toEqual({ pool: 'gpu', page: 'blocks', arg: undefined });
    expect(parseRoute('')).toEqual({ pool: null, page: 'overview', arg: undefined });
    expect(parseRoute('#/asic/nonsense')).toEqual({ pool: 'asic', page: 'overview', arg: undefined });
  });

  it('round-trips an argument that needs escaping', () => {
    const odd = 'bcrt1q/with?odd#chars';
    const href = routeHref('general', 'miner', odd);
    expect(href).toBe('#/general/miner/bcrt1q%2Fwith%3Fodd%23chars');
    expect(parseRoute(href).arg).toBe(odd);
  });
});

describe('stratum URL shown to miners', () => {
  it("uses the page's host name when the pool binds every interface", () => {
    expect(stratumUrl(POOL, 'pool.example.org')).toBe('stratum+tcp://pool.example.org:3333');
    expect(stratumUrl(POOL, '::1')).toBe('stratum+tcp://[::1]:3333');
  });

  it("keeps the API's host when it names one", () => {
    expect(stratumUrl({ ...POOL, stratum_url: 'stratum+tcp://127.0.0.1:3333' }, 'localhost')).toBe('stratum+tcp://127.0.0.1:3333');
  });
});

describe('chart series', () => {
  const minutes = (values: number[]) => values.map((hashrate, i) => ({ t: 60 * i, hashrate }));

  it('starts ten points before the first hashrate, keeping at least an hour', () => {
    const day = minutes([...Array(1380).fill(0), ...Array(60).fill(5)]);
    const trimmed = trimLeadingEmpty(day);
    // Ten minutes of zeros lead into the hour of hashrate.
    expect(trimmed).toHaveLength(70);
    expect(trimmed[0]!.t).toBe(60 * 1370);
    const busy = minutes([...Array(100).fill(0), ...Array(1340).fill(5)]);
    expect(trimLeadingEmpty(busy)[0]!.t).toBe(60 * 90);
  });

  it('shows the last hour of an idle series, and a short series whole', () => {
    expect(trimLeadingEmpty(minutes(Array(1440).fill(0)))).toHaveLength(60);
    expect(trimLeadingEmpty(minutes([0, 0, 3]))).toHaveLength(3);
  });
});
