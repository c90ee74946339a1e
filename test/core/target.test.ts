import { describe, expect, it } from 'vitest';
import { loadVector } from '../helpers/vectors.js';
import {
  DIFF1_TARGET,
  bitsToTarget,
  decimalToFraction,
  decodeBits,
  difficultyToTarget,
  hashValueDifficulty,
  targetToBits,
  targetToDifficulty,
} from '../../src/core/target.js';

interface Vectors {
  diff1_target: string;
  bits_examples: Array<{ bits: string; target: string; difficulty_exact_decimal: string; difficulty_float: number; recompact: string }>;
  compact_encoding: Array<{ bits: string; negative: boolean; overflow: boolean; target?: string; recompact?: string; pool_should: string }>;
  share_targets: Array<{ pool_difficulty: string; share_target: string }>;
  hash_difficulty: Array<{
    hash: string;
    share_difficulty_float: number;
    meets_pool_difficulty_1: boolean;
    meets_pool_difficulty_65536: boolean;
  }>;
}
const v = loadVector<Vectors>('bitcoin-mainnet-headers.json');
const big = (hex: string): bigint => BigInt('0x' + hex);

/** GetCompact(fNegative): the canonical encoding with the sign bit restored when the mantissa is non-zero. */
function recompact(target: bigint, negative: boolean): string {
  let compact = parseInt(targetToBits(target), 16);
  if (negative && (compact & 0x007fffff) !== 0) compact = (compact | 0x00800000) >>> 0;
  return compact.toString(16).padStart(8, '0');
}

describe('compact bits', () => {
  it('diff1 constant matches the vectors', () => expect(DIFF1_TARGET).toBe(big(v.diff1_target)));

  for (const ex of v.bits_examples) {
    it(`decodes ${ex.bits} to its target and recompacts it`, () => {
      expect(bitsToTarget(ex.bits)).toBe(big(ex.target));
      expect(bitsToTarget(parseInt(ex.bits, 16))).toBe(big(ex.target));
      expect(targetToBits(big(ex.target))).toBe(ex.recompact);
    });
  }

  it('has the recorded edge cases', () => expect(v.compact_encoding.length).toBeGreaterThanOrEqual(20));
  for (const c of v.compact_encoding) {
    it(`${c.bits}: negative=${c.negative} overflow=${c.overflow}, pool should ${c.pool_should.split(' ')[0]}`, () => {
      const d = decodeBits(c.bits);
      expect(d.negative).toBe(c.negative);
      expect(d.overflow).toBe(c.overflow);
      if (c.target !== undefined) expect(d.target).toBe(big(c.target));
      if (c.recompact !== undefined) expect(recompact(d.target, d.negative)).toBe(c.recompact);
      if (c.pool_should === 'accept') expect(bitsToTarget(c.bits)).toBe(d.target);
      else expect(() => bitsToTarget(c.bits)).toThrow(/invalid compact target bits/);
    });
  }
});

describe('difficulty <-> target', () => {
  for (const ex of v.bits_examples) {
    it(`difficulty of ${ex.bits} is ${ex.difficulty_float}`, () => {
      expect(targetToDifficulty(big(ex.target))).toBe(ex.difficulty_float);
      // The recorded exact decimal is rounded to ~25 digits, so its share target matches to that precision.
      const back = difficultyToTarget(ex.difficulty_exact_decimal);
      const err = back > big(ex.target) ? back - big(ex.target) : big(ex.target) - back;
      expect(err * 10n ** 20n <= big(ex.target)).toBe(true);
    });
  }

  for (const s of v.share_targets) {
    it(`share target for D=${s.pool_difficulty} is floor(diff1 / D)`, () => {
      expect(difficultyToTarget(s.pool_difficulty)).toBe(big(s.share_target));
      expect(difficultyToTarget(Number(s.pool_difficulty))).toBe(big(s.share_target));
    });
  }

  it('rejects zero, negative and malformed difficulties', () => {
    expect(() => difficultyToTarget(0)).toThrow(/> 0/);
    expect(() => difficultyToTarget(-1)).toThrow();
    expect(() => difficultyToTarget('abc')).toThrow(/not a decimal/);
    expect(() => difficultyToTarget(Number.NaN)).toThrow();
  });

  it('reads decimals exactly, including exponent form', () => {
    expect(decimalToFraction('0.001')).toEqual({ num: 1n, den: 1000n });
    expect(decimalToFraction('1e-7')).toEqual({ num: 1n, den: 10_000_000n });
    expect(decimalToFraction('2.5E3')).toEqual({ num: 25000n, den: 10n });
  });

  for (const h of v.hash_difficulty) {
    it(`hash ${h.hash.slice(0, 20)}… reaches difficulty ${h.share_difficulty_float}`, () => {
      const value = big(h.hash);
      expect(hashValueDifficulty(value)).toBe(h.share_difficulty_float);
      expect(value <= difficultyToTarget(1)).toBe(h.meets_pool_difficulty_1);
      expect(value <= difficultyToTarget(65536)).toBe(h.meets_pool_difficulty_65536);
    });
  }
});

describe('hashValueDifficultyApprox', () => {
  it('stays within 1e-12 of the exact difficulty across the range of hash values', async () => {
    const { hashValueDifficulty, hashValueDifficultyApprox } = await import('../../src/core/target.js');
    for (const v of [
      1n,
      0xffffn,
      1n << 100n,
      (1n << 224n) - 12345n,
      0x00000000ffff0000000000000000000000000000000000000000000000000000n,
      (1n << 256n) - 1n,
    ]) {
      const exact = hashValueDifficulty(v);
      expect(Math.abs(hashValueDifficultyApprox(v) - exact) / exact).toBeLessThan(1e-12);
    }
    expect(hashValueDifficultyApprox(0n)).toBe(hashValueDifficultyApprox(1n));
  });
});
