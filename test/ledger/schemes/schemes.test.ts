import { describe, expect, it } from 'vitest';
import {
  createPayoutScheme,
  difficultyToWeight,
  LedgerInputError,
  percentToBasisPoints,
  WEIGHT_PER_DIFFICULTY as U,
  type Allocation,
  type WeightedShare,
} from '../../../src/ledger/schemes/index.js';

const s = (id: number, address: string, difficulty: number): WeightedShare => ({ id, address, difficulty });
const amounts = (a: Allocation): Record<string, bigint> => Object.fromEntries(a.credits.map((c) => [c.address, c.amount]));
const total = (a: Allocation): bigint => a.fee + a.credits.reduce((sum, c) => sum + c.amount, 0n);

describe('weights and fee conversion', () => {
  it('turns difficulties into exact 2^-32 units', () => {
    expect(difficultyToWeight(1)).toBe(4294967296n);
    expect(difficultyToWeight(0.5)).toBe(2147483648n);
    expect(difficultyToWeight(0.001)).toBe(4294967n); // 4294967.296 rounds down
    expect(difficultyToWeight(3e12)).toBe(3000000000000n * 4294967296n);
    expect(() => difficultyToWeight(Number.NaN)).toThrow(LedgerInputError);
    expect(() => difficultyToWeight(-1)).toThrow(/finite number >= 0/);
    expect(() => difficultyToWeight(Infinity)).toThrow(LedgerInputError);
  });
  it('turns percent into basis points and refuses finer resolution', () => {
    expect(percentToBasisPoints(1)).toBe(100);
    expect(percentToBasisPoints(1.5)).toBe(150);
    expect(percentToBasisPoints(0.1)).toBe(10);
    expect(percentToBasisPoints(0)).toBe(0);
    expect(() => percentToBasisPoints(1.234)).toThrow(/resolution of 0.01/);
    expect(() => percentToBasisPoints(101)).toThrow(/between 0 and 100/);
  });
  it('validates scheme options', () => {
    expect(() => createPayoutScheme({ scheme: 'pplns', feePercent: 1, feeAddress: null })).toThrow(/needs a fee address/);
    expect(() => createPayoutScheme({ scheme: 'x' as 'pplns', feePercent: 0, feeAddress: null })).toThrow(/unknown payout scheme/);
    expect(() => createPayoutScheme({ scheme: 'pplns', feePercent: 0, feeAddress: null, pplnsWindowFactor: 0 })).toThrow(/window factor/);
  });
});

describe('PPLNS', () => {
  const pplns = createPayoutScheme({ scheme: 'pplns', feePercent: 1, feeAddress: 'FEE' });

  it('cuts the window in the middle of a share and pays the fee', () => {
    // Window = 2 × network difficulty 2 = 4 difficulty. Newest first: A 1, B 2, A 0.5 (3.5 so far), C 1 → only 0.5
    // of C fits, B's older share is outside.
    const a = pplns.split({
      reward: 5_000_000_000n,
      finder: 'A',
      round: { blockShareId: 10, networkDifficulty: 2, previousRoundShareId: null },
      shares: [s(10, 'A', 1), s(9, 'B', 2), s(8, 'A', 0.5), s(7, 'C', 1), s(6, 'B', 5)],
    });
    expect(a.fee).toBe(50_000_000n); // 1 % of 50 coins
    expect(a.feeAddress).toBe('FEE');
    // miners' part 4 950 000 000 split 1.5 : 2 : 0.5 of 4
    expect(amounts(a)).toEqual({ A: 1_856_250_000n, B: 2_475_000_000n, C: 618_750_000n });
    expect(a.credits.map((c) => c.weight)).toEqual([U + U / 2n, 2n * U, U / 2n]);
    expect(a.credits.map((c) => c.shareCount)).toEqual([2, 1, 1]);
    expect(a.remainder).toBe(0n);
    expect(a.round).toEqual({
      windowWeight: 4n * U,
      countedWeight: 4n * U,
      shareCount: 4,
      newestShareId: 10,
      oldestShareId: 7,
      partialShare: { id: 7, address: 'C', weight: U, countedWeight: U / 2n },
    });
    expect(total(a)).toBe(5_000_000_000n);
  });

  it('stops without a partial share when a share fills the window exactly', () => {
    const a = pplns.split({
      reward: 1000n,
      finder: 'A',
      round: { blockShareId: 3, networkDifficulty: 1, previousRoundShareId: null },
      shares: [s(3, 'A', 1), s(2, 'B', 1), s(1, 'C', 1)],
    });
    // fee floor(1000 × 100 / 10000) = 10; 990 split 1:1
    expect(a.fee).toBe(10n);
    expect(amounts(a)).toEqual({ A: 495n, B: 495n });
    expect(a.round.partialShare).toBeNull();
    expect(a.round.oldestShareId).toBe(2);
  });

  it('counts what exists when the ledger is shorter than the window', () => {
    const a = pplns.split({
      reward: 300n,
      finder: 'B',
      round: { blockShareId: 2, networkDifficulty: 100, previousRoundShareId: null },
      shares: [s(2, 'B', 1), s(1, 'A', 2)],
    });
    // fee floor(3) = 3, 297 split 1:2 → B 99, A 198
    expect(amounts(a)).toEqual({ A: 198n, B: 99n });
    expect(a.round.windowWeight).toBe(200n * U);
    expect(a.round.countedWeight).toBe(3n * U);
  });

  it('honours a configured window factor', () => {
    const half = createPayoutScheme({ scheme: 'pplns', feePercent: 0, feeAddress: null, pplnsWindowFactor: 0.5 });
    const a = half.split({
      reward: 100n,
      finder: 'A',
      round: { blockShareId: 5, networkDifficulty: 4, previousRoundShareId: null },
      shares: [s(5, 'A', 1), s(4, 'B', 3), s(3, 'C', 1)],
    });
    // window 0.5 × 4 = 2: A 1, B 1 of 3
    expect(amounts(a)).toEqual({ A: 50n, B: 50n });
    expect(a.fee).toBe(0n);
    expect(a.feeAddress).toBeNull();
    expect(a.round.partialShare).toEqual({ id: 4, address: 'B', weight: 3n * U, countedWeight: U });
  });

  it('handles fractional difficulties and gives the remainder to the finder', () => {
    const free = createPayoutScheme({ scheme: 'pplns', feePercent: 0, feeAddress: null });
    const a = free.split({
      reward: 999n,
      finder: 'A',
      round: { blockShareId: 2, networkDifficulty: 10, previousRoundShareId: null },
      shares: [s(2, 'A', 0.25), s(1, 'B', 0.75)],
    });
    // A floor(999/4) = 249, B floor(2997/4) = 749, remainder 1 → A
    expect(amounts(a)).toEqual({ A: 250n, B: 749n });
    expect(a.remainder).toBe(1n);
    expect(a.remainderTo).toBe('A');
  });

  it('refuses shares out of order or newer than the block', () => {
    const round = { blockShareId: 5, networkDifficulty: 10, previousRoundShareId: null };
    expect(() => pplns.split({ reward: 1n, finder: 'A', round, shares: [s(5, 'A', 1), s(5, 'B', 1)] })).toThrow(/newest first/);
    expect(() => pplns.split({ reward: 1n, finder: 'A', round, shares: [s(6, 'A', 1)] })).toThrow(/newer than the block/);
    expect(() => pplns.split({ reward: 1n, finder: 'A', round, shares: [s(5, 'A', Number.NaN)] })).toThrow(LedgerInputError);
    expect(() => pplns.split({ reward: -1n, finder: 'A', round, shares: [] })).toThrow(/reward/);
    expect(() => pplns.split({ reward: 1n, finder: 'A', round: { ...round, networkDifficulty: 0 }, shares: [] })).toThrow(/network difficulty/);
  });
});

describe('PROP', () => {
  const prop = createPayoutScheme({ scheme: 'prop', feePercent: 2.5, feeAddress: 'FEE' });

  it('pays the shares since the previous block only', () => {
    const a = prop.split({
      reward: 10_000n,
      finder: 'C',
      round: { blockShareId: 8, networkDifficulty: 1, previousRoundShareId: 5 },
      shares: [s(8, 'C', 1), s(7, 'A', 2), s(6, 'C', 1), s(5, 'A', 100), s(4, 'B', 100)],
    });
    // fee 250; 9750 split A 2 : C 2 → 4875 each
    expect(a.fee).toBe(250n);
    expect(amounts(a)).toEqual({ A: 4875n, C: 4875n });
    expect(a.round.oldestShareId).toBe(6);
    expect(a.round.windowWeight).toBeNull();
    expect(total(a)).toBe(10_000n);
  });

  it('gives a single miner everything but the fee, and splits the remainder', () => {
    const one = prop.split({
      reward: 1001n,
      finder: 'A',
      round: { blockShareId: 1, networkDifficulty: 1, previousRoundShareId: null },
      shares: [s(1, 'A', 0.001)],
    });
    // fee floor(1001 × 250 / 10000) = floor(25.025) = 25
    expect(one.fee).toBe(25n);
    expect(one.credits).toEqual([{ address: 'A', amount: 976n, weight: 4294967n, shareCount: 1 }]);

    const free = createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null });
    const three = free.split({
      reward: 100n,
      finder: 'B',
      round: { blockShareId: 3, networkDifficulty: 1, previousRoundShareId: null },
      shares: [s(3, 'B', 1), s(2, 'A', 1), s(1, 'C', 1)],
    });
    expect(amounts(three)).toEqual({ A: 33n, B: 34n, C: 33n });
    expect(three.remainder).toBe(1n);
  });

  it('pays the finder when the round holds no shares', () => {
    const a = prop.split({
      reward: 1000n,
      finder: 'F',
      round: { blockShareId: null, networkDifficulty: 1, previousRoundShareId: 4 },
      shares: [],
    });
    expect(a.fee).toBe(25n);
    expect(a.credits).toEqual([{ address: 'F', amount: 975n, weight: 0n, shareCount: 0 }]);
    expect(a.round.shareCount).toBe(0);
  });
});

describe('SOLO', () => {
  it('gives the finder the reward minus the fee, with its share weight', () => {
    const solo = createPayoutScheme({ scheme: 'solo', feePercent: 2, feeAddress: 'FEE' });
    const a = solo.split({
      reward: 5_000_000_000n,
      finder: 'A',
      round: { blockShareId: 9, networkDifficulty: 1, previousRoundShareId: null },
      shares: [s(9, 'A', 16), s(8, 'B', 1)],
    });
    expect(a.fee).toBe(100_000_000n);
    expect(a.credits).toEqual([{ address: 'A', amount: 4_900_000_000n, weight: 16n * U, shareCount: 1 }]);
  });
});

describe('invariants over random rounds', () => {
  it('always pays exactly the reward, within one unit per address of the exact share', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const name of ['pplns', 'prop', 'solo'] as const) {
      const scheme = createPayoutScheme({ scheme: name, feePercent: 1.25, feeAddress: 'FEE' });
      for (let round = 0; round < 50; round++) {
        const shares: WeightedShare[] = [];
        for (let i = 0; i < 40; i++) shares.push(s(1000 - i, `M${Math.floor(rand() * 7)}`, rand() * 3 + 0.0001));
        const reward = BigInt(Math.floor(rand() * 1e12));
        const a = scheme.split({
          reward,
          finder: shares[0]!.address,
          round: { blockShareId: 1000, networkDifficulty: rand() * 30 + 0.5, previousRoundShareId: 970 },
          shares,
        });
        expect(total(a)).toBe(reward);
        expect(a.fee).toBe((reward * 125n) / 10000n);
        expect(a.remainder >= 0n && a.remainder < BigInt(a.credits.length)).toBe(true);
        const weightSum = a.credits.reduce((sum, c) => sum + c.weight, 0n);
        expect(weightSum).toBe(a.round.countedWeight);
        if (a.round.windowWeight !== null) expect(a.round.countedWeight <= a.round.windowWeight).toBe(true);
      }
    }
  });
});
