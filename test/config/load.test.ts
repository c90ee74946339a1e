import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, selectPools, storeUrl } from '../../src/config/load.js';

describe('configuration', () => {
  it('has working defaults: all three pools on the seed ports, SQLite under ./data, devnet', () => {
    const cfg = loadConfig({ env: {} });
    expect(cfg.node.url).toBeUndefined();
    expect(storeUrl(cfg)).toBe('sqlite:data/pool.db');
    const pools = selectPools(cfg, { devnet: false });
    expect(pools.map((p) => [p.name, p.stratumPort, p.webPort, p.algorithms.join('+')])).toEqual([
      ['asic', 3335, 6002, 'sha256d'],
      ['gpu', 3334, 6001, 'ethash'],
      ['general', 3333, 6000, 'sha256d+ethash'],
    ]);
  });

  it('flags override env which overrides the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-cfg-'));
    const file = path.join(dir, 'pool.json');
    fs.writeFileSync(file, JSON.stringify({ poolAddress: 'FROMFILE', stratum: { port: 4000 }, payouts: { fee: 2 } }));
    const cfg = loadConfig({ configFile: file, env: { GXC_POOL_ADDRESS: 'FROMENV', GXC_POOL_STRATUM_PORT: '4001' }, flags: { stratumPort: '4002' } });
    expect(cfg.poolAddress).toBe('FROMENV');
    expect(cfg.stratum.port).toBe(4002);
    expect(cfg.payouts.fee).toBe(2);
    fs.rmSync(dir, { recursive: true });
  });

  it('names the bad setting and value precisely', () => {
    expect(() => loadConfig({ env: {}, flags: { stratumPort: '70000' } })).toThrowError(
      new ConfigError('stratum.port: expected 1..65535, got 70000'),
    );
    expect(() => loadConfig({ env: { GXC_POOL_DIFFICULTY: 'fast' } })).toThrow(/difficulty: expected a share difficulty, got "fast"/);
    expect(() => loadConfig({ env: {}, flags: { db: 'mysql://x' } })).toThrow(/db: expected sqlite:PATH or postgres/);
    expect(() => loadConfig({ env: {}, flags: { chain: 'dogecoin' } })).toThrowError(
      new ConfigError('node.chain: expected one of auto|bitcoin|gxc, got "dogecoin"'),
    );
  });

  it('refuses unknown keys in a config file instead of ignoring them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-cfg-'));
    const file = path.join(dir, 'typo.json');
    fs.writeFileSync(file, JSON.stringify({ stratumz: 1, stratum: { prot: 4000 } }));
    let message = '';
    try {
      loadConfig({ configFile: file, env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n').sort()).toEqual(['(config): Unrecognized key: "stratumz"', 'stratum: Unrecognized key: "prot"']);
    fs.rmSync(dir, { recursive: true });
  });

  it('reports unreadable and malformed config files', () => {
    expect(() => loadConfig({ configFile: '/nonexistent/x.json', env: {} })).toThrow(/cannot read it/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-cfg-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{ nope');
    expect(() => loadConfig({ configFile: file, env: {} })).toThrow(/not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });

  it('--difficulty below 1 sets the starting difficulty and widens the floor; --stratum-port picks the selected pool', () => {
    const cfg = loadConfig({ env: {}, flags: { difficulty: '0.0005', pool: 'asic', stratumPort: '4444' } });
    const [asic] = selectPools(cfg, { devnet: false });
    expect(asic?.name).toBe('asic');
    expect(asic?.stratumPort).toBe(4444);
    expect(asic?.difficulty.initial).toBe(0.0005);
    expect(asic?.difficulty.floor).toBeLessThanOrEqual(0.0005);
  });
});
