import { allocateReward } from './allocate.js';
import { WindowTally, type TallyRules } from './tally.js';
import { difficultyToWeight, LedgerInputError, percentToBasisPoints } from './weight.js';
import type { Allocation, PayoutScheme, RoundContext, RoundTally, SchemeName, SplitInput, TallyResult } from './types.js';

export type * from './types.js';
export { LedgerInputError, WEIGHT_PER_DIFFICULTY, difficultyToWeight, percentToBasisPoints } from './weight.js';

export interface SchemeOptions {
  scheme: SchemeName;
  /** Pool fee in percent (0..100, 0.01 resolution). */
  feePercent: number;
  /** Receives the fee; required when feePercent > 0. */
  feeAddress: string | null;
  /** PPLNS: the window is N × network difficulty worth of shares. Default 2. */
  pplnsWindowFactor?: number;
}

export const DEFAULT_PPLNS_WINDOW_FACTOR = 2;

/**
 * The round each scheme pays:
 * - PPLNS: walking back from the block's share, exactly N × networkDifficulty of share weight; the oldest share is
 *   counted only partially when it crosses the window edge. Fewer shares in the ledger → the window is what exists.
 * - PROP: every share after the pool's previous block's share, up to and including this block's share. Every block
 *   the node accepted ends a round, orphaned ones included: an orphaned block's round pays nothing, and a round's
 *   boundary never moves after the fact (the split stays reproducible).
 * - SOLO: the block's own share; the finder takes the reward minus the fee.
 */
function tallyRules(name: SchemeName, round: RoundContext, windowFactor: number): TallyRules {
  const newestAllowedId = round.blockShareId;
  switch (name) {
    case 'pplns': {
      const difficulty = difficultyToWeight(round.networkDifficulty);
      if (difficulty === 0n) throw new LedgerInputError(`network difficulty must be > 0, got ${round.networkDifficulty}`);
      // N × D in weight units, exact: both are dyadic doubles scaled to integers by 2^32.
      const windowWeight = (difficulty * difficultyToWeight(windowFactor)) / 4294967296n;
      return { newestAllowedId, olderBoundaryId: null, windowWeight, maxShares: null };
    }
    case 'prop':
      return { newestAllowedId, olderBoundaryId: round.previousRoundShareId, windowWeight: null, maxShares: null };
    case 'solo':
      return { newestAllowedId, olderBoundaryId: null, windowWeight: null, maxShares: 1 };
  }
}

export function createPayoutScheme(options: SchemeOptions): PayoutScheme {
  const name = options.scheme;
  if (name !== 'pplns' && name !== 'prop' && name !== 'solo') {
    throw new LedgerInputError(`unknown payout scheme ${JSON.stringify(name)} (expected pplns, prop or solo)`);
  }
  const feeBasisPoints = percentToBasisPoints(options.feePercent);
  const feeAddress = options.feeAddress && options.feeAddress.length > 0 ? options.feeAddress : null;
  if (feeBasisPoints > 0 && feeAddress === null) {
    throw new LedgerInputError(`a pool fee of ${options.feePercent}% needs a fee address`);
  }
  const windowFactor = options.pplnsWindowFactor ?? DEFAULT_PPLNS_WINDOW_FACTOR;
  if (!Number.isFinite(windowFactor) || windowFactor <= 0) {
    throw new LedgerInputError(`PPLNS window factor must be > 0, got ${String(windowFactor)}`);
  }

  const startTally = (round: RoundContext): RoundTally => new WindowTally(tallyRules(name, round, windowFactor));
  const allocate = (reward: bigint, finder: string, tally: TallyResult): Allocation =>
    allocateReward({ scheme: name, reward, finder, feeBasisPoints, feeAddress, tally });

  return {
    name,
    feeBasisPoints,
    feeAddress,
    startTally,
    allocate,
    split(input: SplitInput): Allocation {
      const tally = startTally(input.round);
      for (const share of input.shares) {
        if (!tally.add(share)) break;
      }
      return allocate(input.reward, input.finder, tally.result());
    },
  };
}
