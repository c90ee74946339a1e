/** Shared suite, part 4: chart time series, per-worker summaries and the API's pagination queries. */
import { describe, expect, it } from 'vitest';
import { block, share, useFreshDatabases, type StoreHarness } from './support.js';

const T0 = 1_700_000_040_000; // a minute boundary (1_700_000_040_000 / 60_000 is whole)
const MIN = 60_000;

export function seriesSuite(harness: StoreHarness): void {
  const fresh = useFreshDatabases(harness);

  describe('time series', () => {
    it('rolls shares up into minute buckets, zeros where none, and re-running changes nothing', async () => {
      const { store } = await fresh();
      await store.insertShares([
        share({ createdAt: T0 + 1_000, difficulty: 2, address: 'A', worker: 'w1', networkDifficulty: 900 }),
        share({ createdAt: T0 + 59_999, difficulty: 3, address: 'A', worker: 'w2', networkDifficulty: 1000 }),
        share({ createdAt: T0 + 2 * MIN, difficulty: 5, address: 'B', worker: 'w1' }),
        share({ createdAt: T0 + 2 * MIN, difficulty: 7, pool: 'gpu' }),
      ]);
      expect(await store.rollupSeries('asic', 60, T0, T0 + 3 * MIN, 777)).toBe(3);
      await store.rollupSeries('asic', 60, T0, T0 + 3 * MIN, 777);
      const points = await store.poolSeries('asic', 60, T0, T0 + 3 * MIN);
      expect(points).toEqual([
        { t: T0, difficultySum: 5, shares: 2, miners: 1, workers: 2, networkDifficulty: 1000 },
        { t: T0 + MIN, difficultySum: 0, shares: 0, miners: 0, workers: 0, networkDifficulty: 777 },
        { t: T0 + 2 * MIN, difficultySum: 5, shares: 1, miners: 1, workers: 1, networkDifficulty: 1000 },
      ]);
      expect(await store.lastSeriesTime('asic', 60)).toBe(T0 + 2 * MIN);
      expect(await store.lastSeriesTime('asic', 3600)).toBeNull();
      expect(await store.minerSeries('asic', 'A', 60, T0, T0 + 3 * MIN)).toEqual([
        { t: T0, difficultySum: 5, shares: 2, miners: 1, workers: 2, networkDifficulty: null },
      ]);
      expect((await store.minerSeries('asic', 'A', 60, T0, T0 + 3 * MIN, 'w2')).map((p) => p.difficultySum)).toEqual([3]);
    });

    it('is pool-wide and counted once when two store objects (instances) roll the same range up', async () => {
      const { store, peer } = await fresh();
      const other = await peer();
      await store.insertShares([share({ createdAt: T0 + 10, difficulty: 4, instanceId: 0 })]);
      await other.insertShares([share({ createdAt: T0 + 20, difficulty: 6, instanceId: 1, worker: 'rig2' })]);
      // SQLite peers in one process would block each other's write lock: they roll up one after the other.
      if (harness.concurrentPeers) {
        await Promise.all([store.rollupSeries('asic', 60, T0, T0 + MIN, null), other.rollupSeries('asic', 60, T0, T0 + MIN, null)]);
      } else {
        await store.rollupSeries('asic', 60, T0, T0 + MIN, null);
      }
      await other.rollupSeries('asic', 60, T0, T0 + MIN, null);
      const [point] = await store.poolSeries('asic', 60, T0, T0 + MIN);
      expect(point).toMatchObject({ difficultySum: 10, shares: 2, workers: 2 });
    });

    it('keeps hourly buckets and prunes by resolution', async () => {
      const { store } = await fresh();
      const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
      await store.insertShares([share({ createdAt: hour + 5, difficulty: 1 }), share({ createdAt: hour + 3_599_000, difficulty: 2 })]);
      await store.rollupSeries('asic', 3600, hour, hour + 3_600_000, null);
      await store.rollupSeries('asic', 60, hour, hour + 3_600_000, null);
      expect(await store.poolSeries('asic', 3600, hour, hour + 3_600_000)).toEqual([
        expect.objectContaining({ t: hour, difficultySum: 3, shares: 2 }),
      ]);
      expect(await store.poolSeries('asic', 60, hour, hour + 3_600_000)).toHaveLength(60);
      // 30 minute buckets of the pool plus the one worker bucket among them.
      expect(await store.pruneSeries('asic', 60, hour + 30 * MIN)).toBe(31);
      expect(await store.poolSeries('asic', 60, hour, hour + 3_600_000)).toHaveLength(30);
      expect(await store.poolSeries('asic', 3600, hour, hour + 3_600_000)).toHaveLength(1);
      await expect(store.rollupSeries('asic', 120 as 60, 0, 1, null)).rejects.toThrow(/resolution must be one of 60, 3600/);
    });
  });

  describe('API queries', () => {
    it('summarises one address per worker: window hashrate figures, best and last share', async () => {
      const { store } = await fresh();
      await store.insertShares([
        share({ address: 'A', worker: 'w1', createdAt: T0, difficulty: 2, actualDifficulty: 50 }),
        share({ address: 'A', worker: 'w1', createdAt: T0 + 10 * MIN, difficulty: 4, actualDifficulty: 9 }),
        share({ address: 'A', worker: 'w2', createdAt: T0 + 11 * MIN, difficulty: 1, actualDifficulty: 1.5 }),
        share({ address: 'B', worker: 'w1', createdAt: T0 + 11 * MIN, difficulty: 100, actualDifficulty: 1000 }),
      ]);
      expect(await store.workerSummaries('asic', 'A', { since: T0, hashrateSince: T0 + 5 * MIN, limit: 10 })).toEqual([
        { worker: 'w1', shareDifficultySum: 4, shareCount: 1, sharesSince: 2, bestShareDifficulty: 50, lastShareAt: T0 + 10 * MIN },
        { worker: 'w2', shareDifficultySum: 1, shareCount: 1, sharesSince: 1, bestShareDifficulty: 1.5, lastShareAt: T0 + 11 * MIN },
      ]);
      expect(await store.workerSummaries('asic', 'nobody', { since: 0, hashrateSince: 0, limit: 10 })).toEqual([]);
    });

    it('pages blocks and payments newest first and finds a block by hash', async () => {
      const { store } = await fresh();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push(await store.insertBlock(block({ height: 100 + i, hash: `${i}`.repeat(64) })));
      const first = await store.recentBlocks('asic', 2);
      expect(first.map((b) => b.height)).toEqual([104, 103]);
      const next = await store.recentBlocks('asic', 2, first[1]?.id);
      expect(next.map((b) => b.height)).toEqual([102, 101]);
      expect(await store.recentBlocks('asic', 2, ids[0])).toEqual([]);
      expect((await store.blockByHash('asic', '3'.repeat(64)))?.height).toBe(103);
      expect(await store.blockByHash('gpu', '3'.repeat(64))).toBeNull();

      await store.creditBlock({
        blockId: ids[0] as number,
        credits: [{ address: 'A', amount: 900n, shareDifficultySum: 1, shareCount: 1 }],
        status: 'confirmed',
      });
      const paid = await store.createPayments('asic', [{ address: 'A', amount: 100n }]);
      await store.createPayments('asic', [{ address: 'A', amount: 200n }]);
      await store.markPaymentsSent([paid[0]?.id as number], 'tx1');
      const page = await store.paymentsPage('asic', { limit: 1 });
      expect(page.map((p) => p.amount)).toEqual([200n]);
      expect((await store.paymentsPage('asic', { limit: 5, beforeId: page[0]?.id })).map((p) => p.amount)).toEqual([100n]);
      expect((await store.paymentsPage('asic', { limit: 5, statuses: ['sent'] })).map((p) => p.txid)).toEqual(['tx1']);
      expect(await store.paymentsPage('asic', { limit: 5, address: 'B' })).toEqual([]);
    });
  });
}
