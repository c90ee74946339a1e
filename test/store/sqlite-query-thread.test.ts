/**
 * The SQLite query thread (heavy reads and chart rollups off the event loop) against a real database file: the
 * buckets it writes equal what the main thread's store writes for the same shares, the wrapped store answers the
 * threaded reads exactly as the store itself does (bigints included) and every other call on its own connection,
 * share inserts commit during a rollup, a refused call rejects with the store's message, and a closed thread refuses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { SqliteQueryThread } from '../../src/store/sqlite/query-thread.js';
import type { Store } from '../../src/store/types.js';
import { share } from './support.js';

const T0 = 1_700_000_040_000; // a minute boundary
const MIN = 60_000;
/** Starting a thread through tsx takes seconds on a loaded machine. */
const SPAWNS = 90_000;

let dir: string;
let store: Store;
let thread: SqliteQueryThread;

function shares(count: number, from: number): ReturnType<typeof share>[] {
  return Array.from({ length: count }, (_, i) =>
    share({ createdAt: from + (i % 180) * 1000, difficulty: 1 + (i % 7), address: `A${i % 5}`, worker: `w${i % 3}` }),
  );
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-series-thread-'));
  store = createSqliteStore(path.join(dir, 'pool.db'));
  await store.migrate();
  thread = new SqliteQueryThread(path.join(dir, 'pool.db'));
});

afterEach(async () => {
  await thread.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SqliteQueryThread', () => {
  it(
    'writes the same minute and hour buckets as the store on the main thread, and prunes',
    async () => {
      await store.insertShares(shares(600, T0));
      expect(await thread.call('rollupSeries', ['asic', 60, T0, T0 + 4 * MIN, 123])).toBe(4);
      const fromThread = await store.poolSeries('asic', 60, T0, T0 + 4 * MIN);
      const minerFromThread = await store.minerSeries('asic', 'A1', 60, T0, T0 + 4 * MIN);
      // 600 shares over 180 one-second slots: the first 60 slots get 4, the others 3.
      expect(fromThread.map((p) => p.shares)).toEqual([240, 180, 180, 0]);
      expect(fromThread[3]?.networkDifficulty).toBe(123);

      // The same rollup on the main thread's connection overwrites the rows with identical figures.
      await store.rollupSeries('asic', 60, T0, T0 + 4 * MIN, 123);
      expect(await store.poolSeries('asic', 60, T0, T0 + 4 * MIN)).toEqual(fromThread);
      expect(await store.minerSeries('asic', 'A1', 60, T0, T0 + 4 * MIN)).toEqual(minerFromThread);

      const hour = Math.floor(T0 / 3_600_000) * 3_600_000;
      expect(await thread.call('rollupHoursFromMinutes', ['asic', hour, T0 + 4 * MIN])).toBe(1);
      const [hourPoint] = await store.poolSeries('asic', 3600, hour, hour + 3_600_000);
      expect(hourPoint).toMatchObject({ t: hour, shares: 600, miners: 5, workers: 15 });

      expect(await thread.call('pruneSeries', ['asic', 60, T0 + 2 * MIN])).toBeGreaterThan(0);
      expect((await store.poolSeries('asic', 60, T0, T0 + 4 * MIN)).map((p) => p.t)).toEqual([T0 + 2 * MIN, T0 + 3 * MIN]);
    },
    SPAWNS,
  );

  it(
    'answers the threaded reads of a wrapped store as the store itself does, and the rest on the store',
    async () => {
      await store.insertShares(shares(600, T0));
      const wrapped = thread.wrap(store);
      expect(await wrapped.poolStats('asic', T0)).toEqual(await store.poolStats('asic', T0));
      expect(await wrapped.minerSummaries('asic', T0, 10)).toEqual(await store.minerSummaries('asic', T0, 10));
      const options = { since: T0, hashrateSince: T0 + MIN, limit: 10 };
      expect(await wrapped.workerSummaries('asic', 'A2', options)).toEqual(await store.workerSummaries('asic', 'A2', options));
      const page = await wrapped.sharesBackFrom('asic', 10_000, 50);
      expect(page).toHaveLength(50);
      expect(page).toEqual(await store.sharesBackFrom('asic', 10_000, 50));
      // Not threaded: inserted on the store's own connection, read back at once through the wrapper.
      const [id] = await wrapped.insertShares([share({ createdAt: T0 + 5 * MIN })]);
      expect((await wrapped.sharesBackFrom('asic', id as number, 1))[0]?.id).toBe(id);
    },
    SPAWNS,
  );

  it(
    'lets share inserts commit during a rollup, which counts every share stored before it',
    async () => {
      await store.insertShares(shares(20_000, T0));
      // Started together: the main connection's insert and the thread's aggregation overlap.
      const rollup = thread.call('rollupSeries', ['asic', 60, T0, T0 + 4 * MIN, null]);
      const ids = await store.insertShares(shares(10, T0 + 10 * MIN));
      expect(ids).toHaveLength(10);
      expect(await rollup).toBe(4);
      const points = await store.poolSeries('asic', 60, T0, T0 + 4 * MIN);
      expect(points.reduce((n, p) => n + p.shares, 0)).toBe(20_000);
    },
    SPAWNS,
  );

  it(
    "rejects a bad call with the store's message, keeps working after, and refuses once closed",
    async () => {
      await store.insertShares(shares(30, T0));
      await expect(thread.call('rollupSeries', ['asic', 60, T0 + 5, T0, null])).rejects.toThrow(/series range/);
      expect(await thread.call('rollupSeries', ['asic', 60, T0, T0 + MIN, null])).toBe(1);
      await thread.close();
      await expect(thread.call('rollupSeries', ['asic', 60, T0, T0 + MIN, null])).rejects.toThrow(/closed/);
    },
    SPAWNS,
  );
});
