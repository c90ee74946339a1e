/** Shared suite, part 3: block credits, orphan reversals, balances, payments (and their races). */
import { describe, expect, it } from 'vitest';
import { InsufficientBalanceError } from '../../src/store/errors.js';
import type { Store } from '../../src/store/types.js';
import { block, useFreshDatabases, type StoreHarness } from './support.js';

const REWARD = 5_000_000_000n;

async function pendingBlock(store: Store, reward = REWARD, pool = 'asic'): Promise<number> {
  const id = await store.insertBlock(block({ reward, pool }));
  await store.updateBlock(id, { status: 'pending' });
  return id;
}

export function ledgerSuite(harness: StoreHarness): void {
  const fresh = useFreshDatabases(harness);

  describe('block credits', () => {
    it('credits once, splits immature/confirmed by block status, and keeps the per-address breakdown', async () => {
      const { store } = await fresh();
      const id = await pendingBlock(store);
      const credited = await store.creditBlock({
        blockId: id,
        status: 'immature',
        credits: [
          { address: 'A', amount: 2_970_000_000n, shareDifficultySum: 60, shareCount: 6 },
          { address: 'B', amount: 1_980_000_000n, shareDifficultySum: 40.5, shareCount: 4 },
        ],
        fees: [{ address: 'OP', amount: 50_000_000n }],
      });
      expect(credited).toBe(true);
      expect(await store.blockById(id)).toMatchObject({ status: 'immature', creditState: 'credited' });
      expect(await store.balances('asic')).toEqual([
        { address: 'A', immature: 2_970_000_000n, confirmed: 0n },
        { address: 'B', immature: 1_980_000_000n, confirmed: 0n },
        { address: 'OP', immature: 50_000_000n, confirmed: 0n },
      ]);
      expect(await store.blockRewards(id)).toEqual([
        { blockId: id, address: 'A', amount: 2_970_000_000n, shareDifficultySum: 60, shareCount: 6 },
        { blockId: id, address: 'B', amount: 1_980_000_000n, shareDifficultySum: 40.5, shareCount: 4 },
      ]);
      // A retry (crash after commit, before the caller noticed) writes nothing.
      expect(await store.creditBlock({ blockId: id, credits: [{ address: 'A', amount: 1n, shareDifficultySum: 1, shareCount: 1 }] })).toBe(false);
      expect(await store.ledgerEntries({ blockId: id, limit: 10 })).toHaveLength(3);

      await store.updateBlock(id, { status: 'confirmed', confirmations: 100 });
      expect(await store.balanceOf('asic', 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 2_970_000_000n });
      expect(await store.balances('asic', { minConfirmed: 1_000_000_000n })).toHaveLength(2);
      expect(await store.balanceOf('asic', 'nobody')).toEqual({ address: 'nobody', immature: 0n, confirmed: 0n });
      expect(await store.balanceOf('gpu', 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 0n });
    });

    it('refuses bad credits with precise errors and writes nothing', async () => {
      const { store } = await fresh();
      const id = await pendingBlock(store, 100n);
      const c = (address: string, amount: bigint) => ({ address, amount, shareDifficultySum: 1, shareCount: 1 });
      await expect(store.creditBlock({ blockId: id, credits: [c('A', 60n), c('B', 30n)], fees: [{ address: 'OP', amount: 11n }] })).rejects.toThrow(
        /credits \+ fees 101 exceed its reward 100/,
      );
      await expect(store.creditBlock({ blockId: id, credits: [c('A', 1n), c('A', 2n)] })).rejects.toThrow(/address A appears twice/);
      await expect(store.creditBlock({ blockId: id, credits: [c('A', 0n)] })).rejects.toThrow(/must be > 0/);
      await expect(store.creditBlock({ blockId: id, credits: [c('A', 2n ** 63n)] })).rejects.toThrow(/does not fit in 64 bits/);
      await expect(store.creditBlock({ blockId: 424_242, credits: [c('A', 1n)] })).rejects.toThrow(/block 424242 not found/);
      const candidate = await store.insertBlock(block());
      await expect(store.creditBlock({ blockId: candidate, credits: [c('A', 1n)] })).rejects.toThrow(/credited while 'candidate'/);
      const rejected = await store.insertBlock(block());
      await store.updateBlock(rejected, { status: 'rejected', reason: 'high-hash' });
      await expect(store.creditBlock({ blockId: rejected, credits: [c('A', 1n)] })).rejects.toThrow(/is rejected: it cannot be credited/);
      expect(await store.ledgerEntries({ pool: 'asic', limit: 10 })).toEqual([]);
      expect(await store.blockById(id)).toMatchObject({ creditState: 'none', status: 'pending' });
      expect(await store.blockById(candidate)).toMatchObject({ creditState: 'none', status: 'candidate' });
      // Exactly the reward is fine.
      expect(await store.creditBlock({ blockId: id, credits: [c('A', 60n), c('B', 30n)], fees: [{ address: 'OP', amount: 10n }] })).toBe(true);
    });

    it('reverses the credits of an orphaned block atomically and only once', async () => {
      const { store } = await fresh();
      const keep = await pendingBlock(store, 1_000n);
      const lost = await pendingBlock(store, 1_000n);
      const credit = (blockId: number, a: bigint, b: bigint) =>
        store.creditBlock({
          blockId,
          credits: [
            { address: 'A', amount: a, shareDifficultySum: 1, shareCount: 1 },
            { address: 'B', amount: b, shareDifficultySum: 1, shareCount: 1 },
          ],
          fees: [{ address: 'A', amount: 5n }],
        });
      await credit(keep, 600n, 300n);
      await credit(lost, 500n, 400n);
      await expect(store.updateBlock(lost, { status: 'orphaned' })).rejects.toThrow(/use orphanBlock/);
      expect(await store.orphanBlock(lost, 'not in main chain')).toBe(true);
      expect(await store.orphanBlock(lost, 'not in main chain')).toBe(false);
      expect(await store.blockById(lost)).toMatchObject({ status: 'orphaned', creditState: 'reversed', reason: 'not in main chain' });
      const reversals = (await store.ledgerEntries({ blockId: lost, limit: 20 })).filter((e) => e.kind === 'reversal');
      expect(reversals.map((e) => [e.address, e.amount]).sort()).toEqual([
        ['A', -505n],
        ['B', -400n],
      ]);
      expect(await store.balances('asic')).toEqual([
        { address: 'A', immature: 605n, confirmed: 0n },
        { address: 'B', immature: 300n, confirmed: 0n },
      ]);
      // A reversed block is never credited again; an uncredited block is simply orphaned.
      expect(await credit(lost, 1n, 1n)).toBe(false);
      const uncredited = await pendingBlock(store);
      expect(await store.orphanBlock(uncredited, null)).toBe(false);
      expect(await store.blockById(uncredited)).toMatchObject({ status: 'orphaned', creditState: 'none' });
      await expect(store.orphanBlock(777_777, null)).rejects.toThrow(/block 777777 not found/);
    });

    it('re-credits an orphaned block back on the main chain once per return, appending entries', async () => {
      const { store } = await fresh();
      const id = await pendingBlock(store, 1_000n);
      await store.creditBlock({
        blockId: id,
        status: 'immature',
        credits: [
          { address: 'A', amount: 600n, shareDifficultySum: 6, shareCount: 2 },
          { address: 'B', amount: 390n, shareDifficultySum: 4, shareCount: 1 },
        ],
        fees: [{ address: 'OP', amount: 10n }],
      });
      expect(await store.orphanBlock(id, 'reorg')).toBe(true);
      const before = (await store.ledgerEntries({ blockId: id, limit: 50 })).reverse();

      await expect(store.reinstateBlock(id, 'pending' as 'immature')).rejects.toThrow(/'immature' or 'confirmed', not "pending"/);
      expect(await store.reinstateBlock(id, 'immature')).toBe(true);
      expect(await store.reinstateBlock(id, 'immature')).toBe(false);
      expect(await store.blockById(id)).toMatchObject({ status: 'immature', creditState: 'credited', reason: null });
      const after = (await store.ledgerEntries({ blockId: id, limit: 50 })).reverse();
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.slice(before.length).map((e) => [e.kind, e.address, e.amount])).toEqual([
        ['credit', 'A', 600n],
        ['credit', 'B', 390n],
        ['fee', 'OP', 10n],
      ]);
      expect(await store.balances('asic')).toEqual([
        { address: 'A', immature: 600n, confirmed: 0n },
        { address: 'B', immature: 390n, confirmed: 0n },
        { address: 'OP', immature: 10n, confirmed: 0n },
      ]);
      // Simultaneous returns (two instances judging the same reorg) credit once.
      expect(await store.orphanBlock(id, 'reorg again')).toBe(true);
      expect((await store.balanceOf('asic', 'A')).immature).toBe(0n);
      const raced = await Promise.all([store.reinstateBlock(id, 'confirmed'), store.reinstateBlock(id, 'confirmed')]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await store.balanceOf('asic', 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 600n });
      expect(await store.ledgerEntries({ blockId: id, limit: 50 })).toHaveLength(15); // 3 credits, 3 reversals, twice, + 3 credits

      // Orphaned before any credit: back to pending, credited by the normal path.
      const uncredited = await pendingBlock(store, 100n);
      await store.orphanBlock(uncredited, null);
      expect(await store.reinstateBlock(uncredited, 'immature')).toBe(true);
      expect(await store.blockById(uncredited)).toMatchObject({ status: 'pending', creditState: 'none' });
      expect(await store.ledgerEntries({ blockId: uncredited, limit: 5 })).toEqual([]);
      expect(await store.reinstateBlock(uncredited, 'immature')).toBe(false);
      await expect(store.reinstateBlock(777_777, 'immature')).rejects.toThrow(/block 777777 not found/);
    });

    it('keeps large amounts exact (beyond 2^53)', async () => {
      const { store } = await fresh();
      const big = 2n ** 62n;
      const a = await pendingBlock(store, big);
      const b = await pendingBlock(store, big);
      await store.creditBlock({ blockId: a, credits: [{ address: 'W', amount: big - 1n, shareDifficultySum: 1, shareCount: 1 }] });
      await store.creditBlock({ blockId: b, credits: [{ address: 'W', amount: big - 3n, shareDifficultySum: 1, shareCount: 1 }] });
      await store.updateBlock(a, { status: 'confirmed' });
      expect(await store.balanceOf('asic', 'W')).toEqual({ address: 'W', immature: big - 3n, confirmed: big - 1n });
      await store.updateBlock(b, { status: 'confirmed' });
      expect((await store.balanceOf('asic', 'W')).confirmed).toBe(2n * big - 4n);
    });
  });

  describe('payments', () => {
    async function funded(store: Store, amounts: Record<string, bigint>, pool = 'asic'): Promise<number> {
      const total = Object.values(amounts).reduce((s, v) => s + v, 0n);
      const id = await pendingBlock(store, total, pool);
      await store.creditBlock({
        blockId: id,
        status: 'confirmed',
        credits: Object.entries(amounts).map(([address, amount]) => ({ address, amount, shareDifficultySum: 1, shareCount: 1 })),
      });
      return id;
    }

    it('records intents with debits, then sent, confirmed; balances follow', async () => {
      const { store } = await fresh();
      await funded(store, { A: 1_000n, B: 500n });
      const payments = await store.createPayments(
        'asic',
        [
          { address: 'A', amount: 700n },
          { address: 'B', amount: 500n },
        ],
        { batchId: 'batch-1' },
      );
      expect(payments.map((p) => [p.address, p.amount, p.status, p.batchId, p.txid, p.attempts])).toEqual([
        ['A', 700n, 'pending', 'batch-1', null, 0],
        ['B', 500n, 'pending', 'batch-1', null, 0],
      ]);
      expect(await store.balances('asic')).toEqual([{ address: 'A', immature: 0n, confirmed: 300n }]);
      const ids = payments.map((p) => p.id);
      await store.notePaymentAttempt(ids, 'wallet timeout');
      expect((await store.paymentsByBatch('batch-1')).map((p) => [p.attempts, p.error])).toEqual([
        [1, 'wallet timeout'],
        [1, 'wallet timeout'],
      ]);
      expect(await store.markPaymentsSent(ids, 'f00d')).toBe(2);
      expect(await store.markPaymentsSent(ids, 'f00d')).toBe(2); // idempotent
      expect(await store.markPaymentsSent(ids, 'beef')).toBe(0); // never re-pointed to another tx
      expect(await store.markPaymentsConfirmed(ids)).toBe(2);
      expect(await store.markPaymentsConfirmed(ids)).toBe(0);
      expect(await store.markPaymentsFailed(ids, 'too late')).toBe(0); // a confirmed payment is final
      expect((await store.paymentsByStatus('asic', ['confirmed'])).map((p) => p.txid)).toEqual(['f00d', 'f00d']);
      expect(await store.balanceOf('asic', 'B')).toEqual({ address: 'B', immature: 0n, confirmed: 0n });
      const ofA = await store.paymentsByAddress('asic', 'A', 10);
      expect(ofA.map((p) => [p.amount, p.status])).toEqual([[700n, 'confirmed']]);
      // pool null: every pool's payments to the address (pools share one node wallet; reconciliation needs them all).
      expect(await store.paymentsByAddress('gpu', 'A', 10)).toEqual([]);
      expect((await store.paymentsByAddress(null, 'A', 10)).map((p) => [p.pool, p.amount])).toEqual([['asic', 700n]]);
      const kinds = (await store.ledgerEntries({ address: 'A', limit: 10 })).map((e) => [e.kind, e.amount, e.paymentId]);
      expect(kinds).toEqual([
        ['payment', -700n, payments[0]?.id],
        ['credit', 1_000n, null],
      ]);
    });

    it('refuses payments beyond the confirmed balance, immature credits included, writing nothing', async () => {
      const { store } = await fresh();
      await funded(store, { A: 1_000n });
      const immature = await pendingBlock(store, 10_000n);
      await store.creditBlock({ blockId: immature, credits: [{ address: 'A', amount: 10_000n, shareDifficultySum: 1, shareCount: 1 }] });
      const err = await store.createPayments('asic', [{ address: 'A', amount: 1_001n }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InsufficientBalanceError);
      expect(err).toMatchObject({ address: 'A', confirmed: 1_000n, requested: 1_001n });
      await expect(
        store.createPayments('asic', [
          { address: 'A', amount: 1n },
          { address: 'A', amount: 1n },
        ]),
      ).rejects.toThrow(/appears twice/);
      await expect(store.createPayments('asic', [{ address: 'Q', amount: 1n }])).rejects.toThrow(/exceeds its confirmed balance 0/);
      await expect(store.createPayments('gpu', [{ address: 'A', amount: 1n }])).rejects.toBeInstanceOf(InsufficientBalanceError);
      expect(await store.paymentsByStatus(null, ['pending', 'sent', 'confirmed', 'failed'])).toEqual([]);
      expect(await store.balanceOf('asic', 'A')).toEqual({ address: 'A', immature: 10_000n, confirmed: 1_000n });
      expect(await store.createPayments('asic', [])).toEqual([]);
    });

    it('refunds a failed payment exactly once, so the retry pays once', async () => {
      const { store } = await fresh();
      await funded(store, { A: 1_000n });
      const [p] = await store.createPayments('asic', [{ address: 'A', amount: 1_000n }]);
      const id = p?.id as number;
      expect(await store.markPaymentsFailed([id], 'insufficient funds in wallet')).toBe(1);
      expect(await store.markPaymentsFailed([id], 'again')).toBe(0);
      expect(await store.markPaymentsSent([id], 'cafe')).toBe(0); // failed is final
      expect(await store.balanceOf('asic', 'A')).toEqual({ address: 'A', immature: 0n, confirmed: 1_000n });
      const failed = await store.paymentsByStatus('asic', ['failed']);
      expect(failed.map((f) => [f.id, f.error])).toEqual([[id, 'insufficient funds in wallet']]);
      const entries = await store.ledgerEntries({ paymentId: id, limit: 10 });
      expect(entries.map((e) => [e.kind, e.amount]).sort()).toEqual([
        ['payment', -1_000n],
        ['payment_refund', 1_000n],
      ]);
      // The retry is a new intent against the refunded balance; a second one finds nothing left.
      const [retry] = await store.createPayments('asic', [{ address: 'A', amount: 1_000n }]);
      expect(retry?.status).toBe('pending');
      await expect(store.createPayments('asic', [{ address: 'A', amount: 1n }])).rejects.toBeInstanceOf(InsufficientBalanceError);
      // A sent payment is never failed (and refunded): its money may have left, e.g. a leader that lost its
      // lease reconciling from a stale wallet history while the new leader recorded the txid.
      expect(await store.markPaymentsSent([retry?.id as number], 'dead')).toBe(1);
      expect(await store.markPaymentsFailed([retry?.id as number], 'abandoned')).toBe(0);
      expect((await store.balanceOf('asic', 'A')).confirmed).toBe(0n);
      expect((await store.paymentsByStatus('asic', ['sent'])).map((p) => p.id)).toEqual([retry?.id]);
    });

    it('never lets simultaneous payout runs spend the same balance twice', async () => {
      const { store, peer } = await fresh();
      await funded(store, { A: 1_000n, B: 1_000n });
      const stores = harness.concurrentPeers ? [store, await peer(), await peer(), await peer()] : [store];
      const runs = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (stores[i % stores.length] ?? store).createPayments('asic', [
            { address: 'A', amount: 600n },
            { address: 'B', amount: 600n },
          ]),
        ),
      );
      const ok = runs.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const r of runs) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(InsufficientBalanceError);
      expect(await store.balances('asic')).toEqual([
        { address: 'A', immature: 0n, confirmed: 400n },
        { address: 'B', immature: 0n, confirmed: 400n },
      ]);
    });

    it('credits a block once even when several instances race to credit it', async () => {
      const { store, peer } = await fresh();
      const id = await pendingBlock(store, 1_000n);
      const stores = harness.concurrentPeers ? [store, await peer(), await peer()] : [store];
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (stores[i % stores.length] ?? store).creditBlock({
            blockId: id,
            credits: [{ address: 'A', amount: 900n, shareDifficultySum: 9, shareCount: 9 }],
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.balanceOf('asic', 'A')).toEqual({ address: 'A', immature: 900n, confirmed: 0n });
      expect(await store.blockRewards(id)).toHaveLength(1);
    });
  });
}
