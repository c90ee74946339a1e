import { LedgerInputError, mulDiv } from './weight.js';
import type { Allocation, MinerCredit, SchemeName, TallyResult } from './types.js';

/**
 * Money from weights, identical for every scheme:
 *   fee         = floor(reward × feeBps / 10000)           → the fee address (rounded down: the fraction stays
 *                                                            with the miners)
 *   miners      = reward − fee
 *   credit(a)   = floor(miners × weight(a) / Σ weight)
 *   remainder   = miners − Σ credit                         → the block's finder (always exists, always owed
 *                                                            something for the block; < number of addresses)
 * An empty round (no share weight) pays all of `miners` to the finder. Σ credits + fee == reward, exactly.
 */
export function allocateReward(opts: {
  scheme: SchemeName;
  reward: bigint;
  finder: string;
  feeBasisPoints: number;
  feeAddress: string | null;
  tally: TallyResult;
}): Allocation {
  const { reward, finder, feeBasisPoints, feeAddress, tally } = opts;
  if (typeof reward !== 'bigint' || reward < 0n) throw new LedgerInputError(`reward must be a bigint >= 0, got ${String(reward)}`);
  if (typeof finder !== 'string' || finder.length === 0) throw new LedgerInputError('block has no finder address');
  const fee = (reward * BigInt(feeBasisPoints)) / 10000n;
  const miners = reward - fee;
  const total = tally.weights.reduce((sum, w) => sum + w.weight, 0n);

  const credits: MinerCredit[] = tally.weights.map((w) => ({
    address: w.address,
    amount: total > 0n ? mulDiv(miners, w.weight, total) : 0n,
    weight: w.weight,
    shareCount: w.shareCount,
  }));
  const remainder = miners - credits.reduce((sum, c) => sum + c.amount, 0n);
  let finderCredit = credits.find((c) => c.address === finder);
  if (!finderCredit) {
    finderCredit = { address: finder, amount: 0n, weight: 0n, shareCount: 0 };
    credits.push(finderCredit);
    credits.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }
  finderCredit.amount += remainder;

  return {
    scheme: opts.scheme,
    reward,
    feeBasisPoints,
    fee,
    feeAddress: fee > 0n || feeBasisPoints > 0 ? feeAddress : null,
    // A zero-amount, zero-weight row says nothing; drop it (the finder with a zero remainder and no shares).
    credits: credits.filter((c) => c.amount > 0n || c.weight > 0n),
    remainder,
    remainderTo: finder,
    round: tally.round,
  };
}
