/**
 * Exact integers for the money path. Share difficulties are doubles (vardiff may hand out 0.001), money is bigint:
 * every difficulty is turned into an integer WEIGHT before any arithmetic touches an amount.
 *
 * Weight unit: 2^-32 difficulty, i.e. weight = round(difficulty × 2^32) = the number of hashes the share is
 * expected to have cost. Multiplying a double by a power of two is exact in IEEE-754, so the only rounding is the
 * final one to an integer, which drops nothing above 2^-32 difficulty (far below any real share) and is the
 * published definition: anyone recomputing a split from the share ledger gets the same integers.
 */

export const WEIGHT_PER_DIFFICULTY = 4294967296n; // 2^32
const TWO_POW_32 = 4294967296;

/** Thrown for values that cannot take part in a split (the caller keeps the block pending and logs this). */
export class LedgerInputError extends Error {
  override readonly name = 'LedgerInputError';
}

/** Integer weight of a share credited at `difficulty`. Rejects NaN, infinities and negatives. */
export function difficultyToWeight(difficulty: number): bigint {
  if (typeof difficulty !== 'number' || !Number.isFinite(difficulty) || difficulty < 0) {
    throw new LedgerInputError(`share difficulty must be a finite number >= 0, got ${String(difficulty)}`);
  }
  // Exact product (power-of-two scale); values >= 2^53 are already integers, Math.round leaves them unchanged.
  return BigInt(Math.round(difficulty * TWO_POW_32));
}

/**
 * A pool fee in percent (0..100, at most two decimals: 1.25 %) as basis points (125). The 0.01 % resolution keeps
 * the fee an exact integer ratio; finer inputs are refused rather than silently rounded.
 */
export function percentToBasisPoints(percent: number): number {
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new LedgerInputError(`fee percent must be between 0 and 100, got ${String(percent)}`);
  }
  const scaled = percent * 100;
  const bps = Math.round(scaled);
  if (Math.abs(scaled - bps) > 1e-6) {
    throw new LedgerInputError(`fee percent has a resolution of 0.01, got ${String(percent)}`);
  }
  return bps;
}

/** floor(amount × numerator / denominator) for non-negative bigints. */
export function mulDiv(amount: bigint, numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new LedgerInputError('division by a non-positive weight');
  return (amount * numerator) / denominator;
}
