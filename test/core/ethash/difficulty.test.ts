import { describe, expect, it } from 'vitest';
import {
  boundaryFromDifficulty,
  boundaryFromRawDifficulty,
  boundaryToBytes,
  difficultyFromHash,
  MAX_BOUNDARY,
  rawDifficultyFromHash,
} from '../../../src/core/ethash/index.js';
import { ethashVectors, hex } from './vectors.js';

/** Exact decimal text of raw / 2^32 (= raw · 5^32 / 10^32): the pool difficulty of a raw Ethash difficulty. */
function poolDifficultyText(raw: bigint): string {
  const scaled = (raw * 5n ** 32n).toString().padStart(33, '0');
  return `${scaled.slice(0, -32)}.${scaled.slice(-32)}`;
}

describe('ethash difficulty and boundary', () => {
  it('raw difficulty → boundary = floor(2^256 / difficulty), as recorded', () => {
    for (const row of ethashVectors.difficulty_to_boundary) {
      expect(boundaryFromRawDifficulty(BigInt(row.difficulty)).toString(16).padStart(64, '0')).toBe(row.boundary);
    }
    expect(boundaryFromRawDifficulty(1n)).toBe(MAX_BOUNDARY);
    expect(() => boundaryFromRawDifficulty(0n)).toThrow(/> 0/);
  });

  it('pool difficulty D → boundary = floor(2^256 / (D · 2^32)), the same boundaries in the pool unit', () => {
    for (const row of ethashVectors.difficulty_to_boundary) {
      expect(boundaryToBytes(boundaryFromDifficulty(poolDifficultyText(BigInt(row.difficulty)))).toString('hex')).toBe(row.boundary);
    }
    expect(boundaryFromDifficulty(1)).toBe(1n << 224n);
    expect(boundaryFromDifficulty(2)).toBe(1n << 223n);
    // Below 2^-32 every hash would pass: capped at 2^256 − 1.
    expect(boundaryFromDifficulty('1e-10')).toBe(MAX_BOUNDARY);
    expect(() => boundaryFromDifficulty(0)).toThrow(/> 0/);
    expect(() => boundaryFromDifficulty('abc')).toThrow(/not a decimal/);
  });

  it('the difficulty a final hash reaches, in both units, matches max_difficulty of every vector', () => {
    for (const v of ethashVectors.hash_vectors) {
      const finalHash = hex(v.final_hash);
      expect(rawDifficultyFromHash(finalHash).toString()).toBe(v.max_difficulty);
      const pool = difficultyFromHash(finalHash);
      expect(pool).toBeCloseTo(Number(BigInt(v.max_difficulty)) / 2 ** 32, 6);
      // Consistent with the boundary: the hash meets its own difficulty (and not much more).
      expect(BigInt(`0x${v.final_hash}`) <= boundaryFromDifficulty(pool * (1 - 1e-12))).toBe(true);
      expect(BigInt(`0x${v.final_hash}`) <= boundaryFromDifficulty(pool * (1 + 1e-9))).toBe(false);
    }
    expect(difficultyFromHash(Buffer.alloc(32))).toBe(Number.POSITIVE_INFINITY);
    expect(difficultyFromHash(boundaryToBytes(1n << 224n))).toBe(1);
    expect(() => difficultyFromHash(Buffer.alloc(31))).toThrow(/32-byte/);
  });

  it('boundaryToBytes writes 32 big-endian bytes', () => {
    expect(boundaryToBytes(1n).toString('hex')).toBe('00'.repeat(31) + '01');
    expect(() => boundaryToBytes(MAX_BOUNDARY + 1n)).toThrow(/range/);
  });
});
