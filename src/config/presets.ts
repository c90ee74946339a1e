/**
 * The three pools GXC's operators run (the seed's deployment): ports, algorithms and difficulty settings.
 * They share one process and one store when run together; every stored row names its pool.
 */
import type { DifficultySettings, PoolName, PoolSettings } from './schema.js';

const asicDifficulty: DifficultySettings = {
  // A Bitaxe (~0.5 TH/s) at 1024 submits about every 9 s; larger ASICs climb by vardiff.
  initial: 1024,
  // Floor high enough that a firmware asking for 0.001 cannot flood the pool.
  floor: 16,
  ceiling: 2 ** 40,
  targetShareSeconds: 10,
  retargetSeconds: 30,
};

const generalDifficulty: DifficultySettings = {
  // The general port welcomes CPU miners: start low, vardiff raises it for faster hardware.
  initial: 1,
  floor: 0.0001,
  ceiling: 2 ** 40,
  targetShareSeconds: 10,
  retargetSeconds: 30,
};

const gpuDifficulty: DifficultySettings = {
  // Ethash difficulty 1 = 2^32 hashes: a 30 MH/s card submits about every 2 min at first, vardiff brings it to 10 s.
  initial: 1,
  floor: 0.001,
  ceiling: 2 ** 40,
  targetShareSeconds: 10,
  retargetSeconds: 30,
};

export const POOL_PRESETS: Record<PoolName, PoolSettings> = {
  asic: { name: 'asic', algorithms: ['sha256d'], stratumPort: 3335, webPort: 6002, difficulty: asicDifficulty },
  gpu: { name: 'gpu', algorithms: ['ethash'], stratumPort: 3334, webPort: 6001, difficulty: gpuDifficulty },
  general: {
    name: 'general',
    algorithms: ['sha256d', 'ethash'],
    stratumPort: 3333,
    webPort: 6000,
    difficulty: generalDifficulty,
    ethashDifficulty: gpuDifficulty,
  },
};

/**
 * On the embedded devnet a CPU must see shares within seconds: every pool starts at a CPU-sized difficulty.
 * (The pool also never sets a share difficulty above the network's, so no block-meeting hash is withheld.)
 */
export const DEVNET_DIFFICULTY: DifficultySettings = {
  // The built-in JS miner does ~0.3-1 MH/s per core: a share every few seconds; vardiff adjusts from there.
  initial: 0.0001,
  floor: 0.00001,
  ceiling: 2 ** 40,
  targetShareSeconds: 5,
  retargetSeconds: 15,
};

/**
 * Ethash on the devnet (the gpu pool and the general port's Ethash side): the built-in Ethash miner in light mode
 * does a few hundred hashes per second, so a share of ~860 hashes (2e-7 × 2^32) comes every few seconds; the floor
 * lets vardiff go down to ~4 hashes per share. A GPU climbs by vardiff.
 */
export const ETHASH_DEVNET_DIFFICULTY: DifficultySettings = {
  initial: 2e-7,
  floor: 1e-9,
  ceiling: 2 ** 40,
  targetShareSeconds: 5,
  retargetSeconds: 15,
};
