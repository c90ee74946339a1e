import { describe, expect, it } from 'vitest';
import { loadConfig, selectPools } from '../../src/config/load.js';
import { DEVNET_DIFFICULTY, ETHASH_DEVNET_DIFFICULTY } from '../../src/config/presets.js';

describe('Ethash difficulty presets', () => {
  it('on the devnet the gpu pool and the general port Ethash side start CPU-Ethash-sized; SHA-256d keeps its own', () => {
    const pools = selectPools(loadConfig({ env: {} }), { devnet: true });
    const byName = Object.fromEntries(pools.map((p) => [p.name, p]));
    expect(byName.gpu?.difficulty).toEqual(ETHASH_DEVNET_DIFFICULTY);
    expect(byName.general?.difficulty).toEqual(DEVNET_DIFFICULTY);
    expect(byName.general?.ethashDifficulty).toEqual(ETHASH_DEVNET_DIFFICULTY);
    expect(byName.asic?.difficulty).toEqual(DEVNET_DIFFICULTY);
    // A few hundred light hashes per second must give a share within seconds: fewer than 2000 hashes per share.
    expect(ETHASH_DEVNET_DIFFICULTY.initial * 2 ** 32).toBeLessThan(2000);
  });

  it('off the devnet the general port gives Ethash sessions the gpu preset', () => {
    const pools = selectPools(loadConfig({ env: {} }), { devnet: false });
    const general = pools.find((p) => p.name === 'general');
    const gpu = pools.find((p) => p.name === 'gpu');
    expect(general?.ethashDifficulty).toEqual(gpu?.difficulty);
  });

  it('--difficulty accepts 1e-9 and sets both sides of the selected pools', () => {
    const cfg = loadConfig({ env: {}, flags: { difficulty: '1e-9' } });
    expect(cfg.difficulty).toBe(1e-9);
    for (const p of selectPools(cfg, { devnet: true })) {
      expect(p.difficulty.initial).toBe(1e-9);
      expect(p.difficulty.floor).toBeLessThanOrEqual(1e-9);
      if (p.ethashDifficulty) expect(p.ethashDifficulty.initial).toBe(1e-9);
    }
  });
});
