import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlockLifecycle, type BlockLifecycle } from '../../src/ledger/confirmations.js';
import { createPayoutScheme, type PayoutScheme } from '../../src/ledger/schemes/index.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/types.js';
import { addPendingBlock, addShares, Clock, FakeChain, openStore, POOL, tempDir } from './helpers.js';

let dir: string;
let clock: Clock;
let store: Store;
let chain: FakeChain;

beforeEach(async () => {
  dir = tempDir();
  clock = new Clock();
  store = await openStore(dir, clock);
  chain = new FakeChain({ coinbaseMaturity: 6, batches: false, clock });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function lifecycle(scheme: PayoutScheme): BlockLifecycle {
  return createBlockLifecycle({ store, chain, scheme, pool: POOL, logger: silentLogger, now: clock.now });
}

const pplns = createPayoutScheme({ scheme: 'pplns', feePercent: 1, feeAddress: 'FEE' });

async function entryCount(): Promise<number> {
  return (await store.ledgerEntries({ pool: POOL, limit: 1000 })).length;
}

describe('block lifecycle', () => {
  it('credits a pending block on the main chain, matures it, and is idempotent', async () => {
    // Window 2 × 2 = 4: block share A 1, B 2, A 0.5, then C 1 cut to 0.5; B's oldest share is outside.
    const [, , , , blockShare] = await addShares(store, clock, [
      ['B', 5],
      ['C', 1],
      ['A', 0.5],
      ['B', 2],
      ['A', 1],
    ]);
    const id = await addPendingBlock(store, clock, {
      height: 10,
      hash: 'h10',
      finder: 'A',
      shareId: blockShare!,
      reward: 5_000_000_000n,
      networkDifficulty: 2,
    });
    chain.place(10, 'h10', 3);
    const life = lifecycle(pplns);

    const first = await life.run();
    expect(first.changes).toEqual([{ blockId: id, height: 10, hash: 'h10', from: 'pending', to: 'immature', confirmations: 3 }]);
    const block = await store.blockById(id);
    expect(block?.status).toBe('immature');
    expect(block?.confirmations).toBe(3);
    expect(block?.creditState).toBe('credited');
    const rewards = await store.blockRewards(id);
    expect(rewards.map((r) => [r.address, r.amount, r.shareDifficultySum, r.shareCount])).toEqual([
      ['B', 2_475_000_000n, 2, 1],
      ['A', 1_856_250_000n, 1.5, 2],
      ['C', 618_750_000n, 0.5, 1],
    ]);
    expect(await store.balanceOf(POOL, 'A')).toEqual({ address: 'A', immature: 1_856_250_000n, confirmed: 0n });
    expect(await store.balanceOf(POOL, 'FEE')).toEqual({ address: 'FEE', immature: 50_000_000n, confirmed: 0n });
    const entries = await entryCount();
    expect(entries).toBe(4);

    // Twice: nothing changes.
    const again = await life.run();
    expect(again.changes).toEqual([]);
    expect(await entryCount()).toBe(entries);

    // Maturity reached: confirmed, balances move from immature to confirmed.
    chain.place(10, 'h10', 6);
    const third = await life.run();
    expect(third.changes.map((c) => [c.from, c.to, c.confirmations])).toEqual([['immature', 'confirmed', 6]]);
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 2_475_000_000n });
    expect((await life.run()).changes).toEqual([]);
    expect(await entryCount()).toBe(entries);
  });

  it('goes straight to confirmed when first seen already mature', async () => {
    const [share] = await addShares(store, clock, [['A', 1]]);
    const id = await addPendingBlock(store, clock, { height: 5, hash: 'h5', finder: 'A', shareId: share!, reward: 1000n, networkDifficulty: 1 });
    chain.place(5, 'h5', 9);
    const report = await lifecycle(pplns).run();
    expect(report.changes[0]?.to).toBe('confirmed');
    expect((await store.blockById(id))?.status).toBe('confirmed');
    expect(await store.balanceOf(POOL, 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 990n });
  });

  it('never judges while the node is not synced, nor before its tip reaches the block', async () => {
    const [share] = await addShares(store, clock, [['A', 1]]);
    const id = await addPendingBlock(store, clock, { height: 50, hash: 'h50', finder: 'A', shareId: share!, reward: 1000n, networkDifficulty: 1 });
    chain.place(50, 'other', 3); // another block at that height
    chain.synced = false;
    const life = lifecycle(pplns);
    const report = await life.run();
    expect(report.skipped).toMatch(/not synced/);
    expect((await store.blockById(id))?.status).toBe('pending');

    chain.synced = true;
    chain.mainChain.clear();
    chain.tipHeight = 40; // a node that restarted behind
    expect((await life.run()).changes).toEqual([]);
    expect((await store.blockById(id))?.status).toBe('pending');
  });

  it('orphans a credited block and reverses its credits exactly once', async () => {
    const [s1, s2] = await addShares(store, clock, [
      ['A', 1],
      ['B', 1],
    ]);
    const id = await addPendingBlock(store, clock, { height: 20, hash: 'h20', finder: 'B', shareId: s2!, reward: 1001n, networkDifficulty: 1 });
    chain.place(20, 'h20', 2);
    const life = lifecycle(createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null }));
    await life.run();
    // PROP, no fee: A 500, B 500 + remainder 1
    expect(await store.balanceOf(POOL, 'B')).toEqual({ address: 'B', immature: 501n, confirmed: 0n });
    expect(s1).toBeLessThan(s2!);

    chain.place(20, 'h20-other', 2); // reorg: another block at height 20
    const report = await life.run();
    expect(report.changes).toEqual([{ blockId: id, height: 20, hash: 'h20', from: 'immature', to: 'orphaned', confirmations: 0 }]);
    const block = await store.blockById(id);
    expect(block?.status).toBe('orphaned');
    expect(block?.creditState).toBe('reversed');
    expect(block?.reason).toMatch(/not on the node's main chain at height 20/);
    expect(await store.balanceOf(POOL, 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 0n });
    const entries = await entryCount();
    expect(entries).toBe(4); // 2 credits + 2 reversals

    expect((await life.run()).changes).toEqual([]);
    expect(await entryCount()).toBe(entries);
  });

  it('orphans a pending block without credits', async () => {
    const id = await addPendingBlock(store, clock, { height: 7, hash: 'h7', finder: 'A', shareId: null, reward: 1000n, networkDifficulty: 1 });
    chain.place(7, 'x7', 1);
    await lifecycle(pplns).run();
    expect((await store.blockById(id))?.status).toBe('orphaned');
    expect(await entryCount()).toBe(0);
  });

  it('PROP rounds end at the previous block of the pool', async () => {
    const prop = createPayoutScheme({ scheme: 'prop', feePercent: 0, feeAddress: null });
    const [, first] = await addShares(store, clock, [
      ['A', 3],
      ['A', 1],
    ]);
    await addPendingBlock(store, clock, { height: 30, hash: 'h30', finder: 'A', shareId: first!, reward: 100n, networkDifficulty: 1 });
    const [, second] = await addShares(store, clock, [
      ['B', 1],
      ['C', 1],
    ]);
    const id2 = await addPendingBlock(store, clock, { height: 31, hash: 'h31', finder: 'C', shareId: second!, reward: 100n, networkDifficulty: 1 });
    chain.place(30, 'h30', 3);
    chain.place(31, 'h31', 2);
    await lifecycle(prop).run();
    expect((await store.blockRewards(id2)).map((r) => [r.address, r.amount])).toEqual([
      ['B', 50n],
      ['C', 50n],
    ]);
    expect(await store.balanceOf(POOL, 'A')).toEqual({ address: 'A', immature: 100n, confirmed: 0n });
  });

  it('streams a PPLNS window across share pages', async () => {
    // 30 shares of difficulty 1 from alternating miners; window 2 × 10 = 20 shares.
    const ids = await addShares(
      store,
      clock,
      Array.from({ length: 30 }, (_, i): [string, number] => [i % 2 === 0 ? 'A' : 'B', 1]),
    );
    const block = { id: 1, pool: POOL, shareId: ids[29]!, networkDifficulty: 10, reward: 2000n, address: 'B' };
    const { allocationForBlock } = await import('../../src/ledger/rounds.js');
    const free = createPayoutScheme({ scheme: 'pplns', feePercent: 0, feeAddress: null });
    const a = await allocationForBlock(store, free, block as Parameters<typeof allocationForBlock>[2], 7);
    expect(a.round.shareCount).toBe(20);
    expect(a.round.oldestShareId).toBe(ids[10]);
    expect(a.credits.map((c) => [c.address, c.amount])).toEqual([
      ['A', 1000n],
      ['B', 1000n],
    ]);
  });

  it('takes a candidate whose outcome was lost as accepted once it is on the main chain, and rejects stale ones', async () => {
    const [share] = await addShares(store, clock, [['A', 1]]);
    const base = {
      pool: POOL,
      chain: 'gxc',
      prevHash: '00',
      headerHex: '00',
      submission: '{}',
      address: 'A',
      worker: 'w',
      reward: 1000n,
      networkDifficulty: 1,
      shareId: share!,
      createdAt: clock.t,
    };
    const found = await store.insertBlock({ ...base, height: 60, hash: 'h60' });
    const lost = await store.insertBlock({ ...base, height: 61, hash: 'h61' });
    chain.place(60, 'h60', 1);
    chain.place(61, 'x61', 1);
    const life = lifecycle(pplns);
    await life.run();
    expect((await store.blockById(found))?.status).toBe('candidate'); // too recent: the pool may still be submitting
    clock.advance(200_000);
    chain.tipHeight = 61 + 6;
    await life.run();
    expect((await store.blockById(found))?.status).toBe('confirmed');
    expect((await store.blockById(lost))?.status).toBe('rejected');
  });
});
