/**
 * Reads a block's round from the share ledger and runs the pool's scheme over it. Shares are streamed newest
 * first in pages straight into the scheme's tally, so a PPLNS window of millions of shares never sits in memory.
 */
import type { BlockRow, CreditBlockInput } from '../store/types.js';
import { WEIGHT_PER_DIFFICULTY, type Allocation, type PayoutScheme, type RoundContext } from './schemes/index.js';
import type { LifecycleStore } from './types.js';

export const SHARE_PAGE_SIZE = 5000;

export async function roundContextOf(store: LifecycleStore, scheme: PayoutScheme, block: BlockRow): Promise<RoundContext> {
  return {
    blockShareId: block.shareId,
    networkDifficulty: block.networkDifficulty,
    previousRoundShareId: scheme.name === 'prop' ? await store.previousBlockShareId(block.pool, block.id) : null,
  };
}

/** The scheme's split of `block`'s reward, recomputed from the share ledger (reproducible: same rows, same result). */
export async function allocationForBlock(
  store: LifecycleStore,
  scheme: PayoutScheme,
  block: BlockRow,
  pageSize: number = SHARE_PAGE_SIZE,
): Promise<Allocation> {
  const tally = scheme.startTally(await roundContextOf(store, scheme, block));
  let cursor = block.shareId;
  while (cursor !== null && cursor >= 0 && !tally.complete) {
    const page = await store.sharesBackFrom(block.pool, cursor, pageSize);
    for (const share of page) {
      if (!tally.add(share)) break;
    }
    const oldest = page[page.length - 1];
    if (page.length < pageSize || oldest === undefined) break; // reached the pool's first share
    cursor = oldest.id - 1;
  }
  return scheme.allocate(block.reward, block.address, tally.result());
}

/**
 * The Store's form of an allocation. Zero amounts are left out (the store only records money that moves); the
 * share difficulty sum shown by the API is the exact weight converted back (weight / 2^32).
 */
export function creditInputOf(blockId: number, allocation: Allocation, status: CreditBlockInput['status']): CreditBlockInput {
  const credits = allocation.credits
    .filter((c) => c.amount > 0n)
    .map((c) => ({
      address: c.address,
      amount: c.amount,
      shareDifficultySum: Number(c.weight) / Number(WEIGHT_PER_DIFFICULTY),
      shareCount: c.shareCount,
    }));
  const fees = allocation.fee > 0n && allocation.feeAddress !== null ? [{ address: allocation.feeAddress, amount: allocation.fee }] : [];
  return { blockId, credits, fees, status };
}
