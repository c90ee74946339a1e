import { describe, expect, it } from 'vitest';
import { EPOCH_LENGTH, epochOf, epochOfSeed, fullDatasetSize, lightCacheSize, MAX_EPOCH, seedHash } from '../../../src/core/ethash/index.js';
import { ethashVectors, hex } from './vectors.js';

describe('ethash epochs, seeds and sizes', () => {
  it('uses the library constants', () => {
    expect(EPOCH_LENGTH).toBe(ethashVectors.library.epoch_length);
    expect(MAX_EPOCH).toBe(ethashVectors.library.max_epoch_number);
  });

  it('maps block numbers to epochs at the 30000-block boundaries', () => {
    for (const e of ethashVectors.epochs) {
      expect(epochOf(e.first_block)).toBe(e.epoch);
      expect(epochOf(e.last_block)).toBe(e.epoch);
      expect(epochOf(e.last_block + 1)).toBe(e.epoch + 1);
    }
    expect(() => epochOf(-1)).toThrow(/non-negative/);
    expect(() => epochOf(1.5)).toThrow(/non-negative/);
    expect(() => epochOf((MAX_EPOCH + 1) * EPOCH_LENGTH)).toThrow(/epoch must be/);
  });

  it('computes sizes (prime item counts) and seeds for every recorded epoch', () => {
    for (const s of ethashVectors.sizes) {
      expect(lightCacheSize(s.epoch)).toBe(s.light_cache_size);
      expect(lightCacheSize(s.epoch) / 64).toBe(s.light_cache_num_items);
      expect(fullDatasetSize(s.epoch)).toBe(s.full_dataset_size);
      expect(fullDatasetSize(s.epoch) / 128).toBe(s.full_dataset_num_items);
      expect(seedHash(s.epoch).toString('hex')).toBe(s.seed);
    }
    for (const e of ethashVectors.epochs) {
      expect(lightCacheSize(e.epoch)).toBe(e.light_cache_size);
      expect(fullDatasetSize(e.epoch)).toBe(e.full_dataset_size);
    }
  });

  it('finds the epoch of a seed, and null for an unknown seed', () => {
    for (const e of ethashVectors.epochs) expect(epochOfSeed(hex(e.seed))).toBe(e.find_epoch_number);
    expect(epochOfSeed(hex(ethashVectors.epochs.at(-1)!.seed), 10)).toBeNull();
    expect(epochOfSeed(Buffer.alloc(32, 0xff), 600)).toBeNull();
    expect(epochOfSeed(Buffer.alloc(31))).toBeNull();
  });

  it('returns a fresh seed buffer each time (callers may mutate it)', () => {
    const a = seedHash(3);
    a.fill(0);
    expect(seedHash(3).equals(a)).toBe(false);
  });
});
