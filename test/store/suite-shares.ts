/** Shared suite, part 1: migrations, shares, statistics, share windows and blocks. */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { ShareWriter } from '../../src/store/share-writer.js';
import { block, share, useFreshDatabases, type StoreHarness } from './support.js';

export function sharesAndBlocksSuite(harness: StoreHarness): void {
  const fresh = useFreshDatabases(harness);

  describe('migrations', () => {
    it('are idempotent and safe when several Store objects migrate at once', async () => {
      const { store, peer } = await fresh();
      const [a, b] = await Promise.all([peer(), peer()]);
      await Promise.all([store.migrate(), a.migrate(), b.migrate()]);
      const [id] = await a.insertShares([share()]);
      expect(await b.sharesBackFrom('asic', id as number, 10)).toHaveLength(1);
    });
  });

  describe('shares', () => {
    it('inserts a batch and returns ascending ids in input order', async () => {
      const { store } = await fresh();
      expect(await store.insertShares([])).toEqual([]);
      const ids = await store.insertShares([share({ worker: 'w0' }), share({ worker: 'w1' }), share({ worker: 'w2' })]);
      expect(ids).toHaveLength(3);
      expect(ids[1]).toBeGreaterThan(ids[0] as number);
      expect(ids[2]).toBeGreaterThan(ids[1] as number);
      const back = await store.sharesBackFrom('asic', ids[2] as number, 10);
      expect(back.map((s) => [s.id, s.worker])).toEqual([
        [ids[2], 'w2'],
        [ids[1], 'w1'],
        [ids[0], 'w0'],
      ]);
    });

    it('refuses a malformed share with a precise error and writes nothing of its batch', async () => {
      const { store } = await fresh();
      await expect(store.insertShares([share(), share({ difficulty: Number.NaN })])).rejects.toThrow(/share #1: difficulty must be a finite number/);
      await expect(store.insertShares([share({ address: '' })])).rejects.toBeInstanceOf(StoreError);
      expect((await store.poolStats('asic', 0)).shareCount).toBe(0);
    });

    it('aggregates pool stats and miner summaries from a time, per pool', async () => {
      const { store } = await fresh();
      const t = 1_700_000_000_000;
      await store.insertShares([
        share({ address: 'A', worker: 'w1', difficulty: 2, createdAt: t }),
        share({ address: 'A', worker: 'w2', difficulty: 3, createdAt: t + 10 }),
        share({ address: 'B', worker: 'w1', difficulty: 0.5, createdAt: t + 20 }),
        share({ address: 'B', worker: 'w1', difficulty: 100, createdAt: t - 1 }), // before the window
        share({ pool: 'gpu', address: 'C', difficulty: 7, createdAt: t }),
      ]);
      expect(await store.poolStats('asic', t)).toEqual({ shareDifficultySum: 5.5, shareCount: 3, miners: 2, workers: 3 });
      expect(await store.poolStats('none', t)).toEqual({ shareDifficultySum: 0, shareCount: 0, miners: 0, workers: 0 });
      expect(await store.minerSummaries('asic', t, 10)).toEqual([
        { address: 'A', workers: 2, shareDifficultySum: 5, shareCount: 2, lastShareAt: t + 10 },
        { address: 'B', workers: 1, shareDifficultySum: 0.5, shareCount: 1, lastShareAt: t + 20 },
      ]);
      expect(await store.minerSummaries('asic', t, 1)).toHaveLength(1);
    });

    it('pages share windows backwards and totals a range per address (fractional difficulty kept)', async () => {
      const { store } = await fresh();
      const ids = await store.insertShares([
        share({ address: 'A', difficulty: 1 }),
        share({ address: 'B', difficulty: 0.25 }),
        share({ pool: 'gpu', address: 'Z', difficulty: 50 }),
        share({ address: 'A', difficulty: 4 }),
        share({ address: 'B', difficulty: 8 }),
      ]);
      const [a1, b1, , a2, b2] = ids as [number, number, number, number, number];
      const page1 = await store.sharesBackFrom('asic', b2, 2);
      expect(page1.map((s) => s.id)).toEqual([b2, a2]);
      const page2 = await store.sharesBackFrom('asic', (page1[1]?.id as number) - 1, 2);
      expect(page2.map((s) => [s.id, s.address, s.difficulty])).toEqual([
        [b1, 'B', 0.25],
        [a1, 'A', 1],
      ]);
      expect(await store.sharesBackFrom('asic', a1 - 1, 5)).toEqual([]);
      expect(await store.shareTotalsBetween('asic', a1, b2)).toEqual([
        { address: 'A', difficultySum: 4, shareCount: 1 },
        { address: 'B', difficultySum: 8.25, shareCount: 2 },
      ]);
      expect(await store.shareTotalsBetween('asic', 0, b1)).toEqual([
        { address: 'A', difficultySum: 1, shareCount: 1 },
        { address: 'B', difficultySum: 0.25, shareCount: 1 },
      ]);
      await expect(store.sharesBackFrom('asic', -1, 5)).rejects.toThrow(/lastShareId must be a non-negative integer/);
    });

    it('ShareWriter groups concurrent adds into few transactions and resolves each with its id', async () => {
      const { store } = await fresh();
      const writer = new ShareWriter(store, { maxDelayMs: 5, maxBatch: 25 });
      const adds = Array.from({ length: 60 }, (_, i) => writer.add(share({ worker: `w${i}` })));
      // Without a spool every stored share has an id (null would mean "journaled").
      const ids = (await Promise.all(adds)).filter((id): id is number => id !== null);
      await writer.close();
      expect(new Set(ids).size).toBe(60);
      expect(writer.stats.shares).toBe(60);
      expect(writer.stats.batches).toBeLessThanOrEqual(4);
      const rows = await store.sharesBackFrom('asic', Math.max(...ids), 100);
      const byId = new Map(rows.map((r) => [r.id, r.worker]));
      ids.forEach((id, i) => {
        expect(byId.get(id)).toBe(`w${i}`);
      });
      await expect(writer.add(share())).rejects.toThrow(/closed/);
    });
  });

  describe('blocks', () => {
    it('records candidates, updates them and lists them by status and recency', async () => {
      const { store } = await fresh();
      const id1 = await store.insertBlock(block({ height: 101, reward: 2n ** 62n + 3n }));
      const id2 = await store.insertBlock(block({ height: 102, hash: 'cc'.repeat(32) }));
      const id3 = await store.insertBlock(block({ pool: 'gpu', height: 5 }));
      const b1 = await store.blockById(id1);
      expect(b1).toMatchObject({
        id: id1,
        status: 'candidate',
        creditState: 'none',
        reward: 2n ** 62n + 3n,
        confirmations: 0,
        reason: null,
        shareId: null,
      });
      expect(b1?.updatedAt).toBe(b1?.createdAt);
      await store.updateBlock(id1, { status: 'pending', confirmations: 3 });
      await store.updateBlock(id2, { status: 'rejected', reason: 'high-hash' });
      expect(await store.blockById(id2)).toMatchObject({ status: 'rejected', reason: 'high-hash' });
      expect((await store.recentBlocks('asic', 10)).map((b) => b.id)).toEqual([id2, id1]);
      expect((await store.recentBlocks('asic', 1)).map((b) => b.id)).toEqual([id2]);
      expect((await store.blocksByStatus('asic', ['pending', 'candidate'])).map((b) => b.id)).toEqual([id1]);
      expect((await store.blocksByStatus(null, ['candidate', 'pending'])).map((b) => b.id)).toEqual([id1, id3]);
      expect(await store.blocksByStatus(null, [])).toEqual([]);
      expect(await store.blockById(999_999)).toBeNull();
      await expect(store.updateBlock(999_999, { status: 'pending' })).rejects.toThrow(/block 999999 not found/);
      await expect(store.updateBlock(id1, { status: 'bogus' as never })).rejects.toThrow(/unknown block status/);
      await expect(store.blocksByStatus(null, ['bogus' as never])).rejects.toThrow(/unknown block status/);
    });

    it('finds the previous round-ending block share id, skipping rejected and candidate blocks', async () => {
      const { store } = await fresh();
      const ids = (await store.insertShares(Array.from({ length: 6 }, () => share()))) as number[];
      const b1 = await store.insertBlock(block({ shareId: ids[1] as number }));
      await store.updateBlock(b1, { status: 'orphaned' });
      const b2 = await store.insertBlock(block({ shareId: ids[2] as number }));
      await store.updateBlock(b2, { status: 'rejected', reason: 'bad-txnmrklroot' });
      const b3 = await store.insertBlock(block({ shareId: ids[3] as number })); // still a candidate
      const b4 = await store.insertBlock(block({ shareId: ids[5] as number }));
      await store.insertBlock(block({ pool: 'gpu', shareId: ids[4] as number }));
      expect(await store.previousBlockShareId('asic', b1)).toBeNull();
      expect(await store.previousBlockShareId('asic', b4)).toBe(ids[1]);
      await store.updateBlock(b3, { status: 'pending' });
      expect(await store.previousBlockShareId('asic', b4)).toBe(ids[3]);
    });
  });
}
