/**
 * A reorg undone: an orphaned pool block that returns to the node's main chain is credited again, exactly once
 * per return, with new ledger entries (nothing edited), and payouts never pay the reversed amount twice.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlockLifecycle, type BlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPaymentProcessor } from '../../src/ledger/payments.js';
import { createPayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import type { LedgerEntryRow, Store } from '../../src/store/types.js';
import { addPendingBlock, addShares, Clock, FakeChain, openStore, POOL, tempDir } from './helpers.js';

let dir: string;
let clock: Clock;
let store: Store;
let chain: FakeChain;

beforeEach(async () => {
  dir = tempDir();
  clock = new Clock();
  store = await openStore(dir, clock);
  chain = new FakeChain({ kind: 'bitcoin', coinbaseMaturity: 6, batches: true, clock });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const prop = createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null });

function lifecycle(): BlockLifecycle {
  return createBlockLifecycle({ store, chain, scheme: prop, pool: POOL, logger: silentLogger, now: clock.now });
}

async function entries(blockId: number): Promise<LedgerEntryRow[]> {
  return (await store.ledgerEntries({ blockId, limit: 100 })).reverse();
}

/** A pending block at height 20 whose PROP round is A:1, B:3 of a reward of 4000. */
async function roundBlock(): Promise<number> {
  const ids = await addShares(store, clock, [
    ['A', 1],
    ['B', 3],
  ]);
  return addPendingBlock(store, clock, { height: 20, hash: 'h20', finder: 'B', shareId: ids[1]!, reward: 4000n, networkDifficulty: 1 });
}

describe('orphaned block back on the main chain', () => {
  it('is re-credited once per return with appended entries, and orphaned again reversed once more', async () => {
    const id = await roundBlock();
    const life = lifecycle();
    chain.place(20, 'h20', 2);
    await life.run();
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 3000n, confirmed: 0n });

    chain.place(20, 'other20', 3);
    expect((await life.run()).changes).toMatchObject([{ blockId: id, from: 'immature', to: 'orphaned' }]);
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 0n });
    const afterOrphan = await entries(id);
    expect(afterOrphan.map((e) => e.kind)).toEqual(['credit', 'credit', 'reversal', 'reversal']);

    // reconsiderblock: h20 is the main chain again, 3 confirmations.
    chain.place(20, 'h20', 3);
    const back = await life.run();
    expect(back.changes).toEqual([{ blockId: id, height: 20, hash: 'h20', from: 'orphaned', to: 'immature', confirmations: 3 }]);
    expect(await store.blockById(id)).toMatchObject({ status: 'immature', creditState: 'credited', reason: null, confirmations: 3 });
    expect(await store.balanceOf(POOL, 'A')).toEqual({ address: 'A', immature: 1000n, confirmed: 0n });
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 3000n, confirmed: 0n });
    const afterReturn = await entries(id);
    // Append-only: the first four rows are untouched, two new credits follow.
    expect(afterReturn.slice(0, 4)).toEqual(afterOrphan);
    expect(afterReturn.slice(4).map((e) => [e.kind, e.address, e.amount])).toEqual([
      ['credit', 'A', 1000n],
      ['credit', 'B', 3000n],
    ]);
    // Seen again by later runs (and by a second caller of the store): nothing more is credited.
    expect((await life.run()).changes.filter((c) => c.from === 'orphaned')).toEqual([]);
    expect(await store.reinstateBlock(id, 'immature')).toBe(false);
    expect(await entries(id)).toHaveLength(6);

    // Orphaned a second time: only the second credit is reversed; then back once more and matured.
    chain.place(20, 'again20', 4);
    await life.run();
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 0n });
    expect((await entries(id)).slice(6).map((e) => [e.kind, e.address, e.amount])).toEqual([
      ['reversal', 'A', -1000n],
      ['reversal', 'B', -3000n],
    ]);
    chain.place(20, 'h20', 8);
    expect((await life.run()).changes).toMatchObject([{ blockId: id, from: 'orphaned', to: 'confirmed', confirmations: 8 }]);
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 3000n });
    expect(await entries(id)).toHaveLength(10);
  });

  it('a block orphaned before its credit goes back to pending and is credited by the normal path', async () => {
    const id = await roundBlock();
    const life = lifecycle();
    chain.place(20, 'other20', 1);
    await life.run();
    expect(await store.blockById(id)).toMatchObject({ status: 'orphaned', creditState: 'none' });
    chain.place(20, 'h20', 2);
    expect((await life.run()).changes).toMatchObject([{ blockId: id, from: 'orphaned', to: 'pending' }]);
    await life.run();
    expect(await store.blockById(id)).toMatchObject({ status: 'immature', creditState: 'credited' });
    expect((await entries(id)).map((e) => e.kind)).toEqual(['credit', 'credit']);
  });

  it('stops watching an orphaned block once the tip is recheckConfirmations past it', async () => {
    const id = await roundBlock();
    const life = createBlockLifecycle({ store, chain, scheme: prop, pool: POOL, logger: silentLogger, now: clock.now, recheckConfirmations: 10 });
    chain.place(20, 'other20', 1);
    await life.run();
    chain.place(20, 'h20', 11); // tip 30 = 20 + 10: too deep to be undone
    expect((await life.run()).checked).toBe(0);
    expect((await store.blockById(id))?.status).toBe('orphaned');
  });

  it('a payout made before the orphan is never paid again after the return', async () => {
    const id = await roundBlock();
    const life = lifecycle();
    chain.place(20, 'h20', 6);
    await life.run();
    const payer = createPaymentProcessor({ store, chain, pool: POOL, logger: silentLogger, now: clock.now, minPayout: 500n, graceMs: 600_000 });
    await payer.run();
    expect(chain.wallet.calls).toHaveLength(1);
    expect(chain.wallet.calls[0]?.payments).toEqual([
      { address: 'A', amount: 1000n },
      { address: 'B', amount: 3000n },
    ]);

    chain.place(20, 'other20', 7);
    await life.run();
    // Paid, then reversed: the balance is negative (owed back), nothing is paid.
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: -3000n });
    await payer.run({ force: true });
    expect(chain.wallet.calls).toHaveLength(1);

    chain.place(20, 'h20', 8);
    await life.run();
    expect((await store.blockById(id))?.status).toBe('confirmed');
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 0n });
    await payer.run({ force: true });
    expect(chain.wallet.calls).toHaveLength(1);
    expect(chain.wallet.paidTo('B')).toEqual([3000n]);
  });
});
