import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShareWriter } from '../../src/store/share-writer.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { NewShare, Store } from '../../src/store/types.js';
import { share } from './support.js';

/** A real store whose next insertShares calls can be made to fail (a disk error, a lost connection). */
class FlakyStore {
  failNext = 0;
  calls: number[] = [];
  constructor(readonly inner: Store) {}
  async insertShares(shares: readonly NewShare[]): Promise<number[]> {
    this.calls.push(shares.length);
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('disk I/O error');
    }
    return this.inner.insertShares(shares);
  }
}

describe('ShareWriter', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-sharewriter-'));
    store = createSqliteStore(path.join(dir, 'pool.db'));
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits maxDelayMs for company, then writes one batch', async () => {
    const flaky = new FlakyStore(store);
    const writer = new ShareWriter(flaky, { maxDelayMs: 30 });
    const started = Date.now();
    const ids = await Promise.all([writer.add(share()), writer.add(share()), writer.add(share())]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(flaky.calls).toEqual([3]);
    expect(ids).toHaveLength(3);
    await writer.close();
  });

  it('writes a full batch at once and splits at maxBatch', async () => {
    const flaky = new FlakyStore(store);
    const writer = new ShareWriter(flaky, { maxDelayMs: 10_000, maxBatch: 4 });
    const ids = await Promise.all(Array.from({ length: 10 }, () => writer.add(share())));
    // 4 at once (full), without waiting for the 10 s delay; what queued meanwhile follows batch after batch.
    expect(flaky.calls).toEqual([4, 4, 2]);
    expect(writer.queued).toBe(0);
    expect(new Set(ids).size).toBe(10);
    await writer.close();
  }, 5_000);

  it('rejects every share of a failed batch, and later batches succeed', async () => {
    const flaky = new FlakyStore(store);
    const writer = new ShareWriter(flaky, { maxDelayMs: 1 });
    flaky.failNext = 1;
    const failed = await Promise.allSettled([writer.add(share({ worker: 'x1' })), writer.add(share({ worker: 'x2' }))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((failed[0] as PromiseRejectedResult).reason)).toMatch(/disk I\/O error/);
    const id = await writer.add(share({ worker: 'ok' }));
    if (id === null) throw new Error('without a spool every stored share has an id');
    expect((await store.sharesBackFrom('asic', id, 10)).map((s) => s.worker)).toEqual(['ok']);
    expect(writer.stats).toEqual({ batches: 1, shares: 1, failedBatches: 1, failedShares: 2, spooledShares: 0 });
    await writer.close();
  });

  it('refuses a malformed share alone without failing its neighbours', async () => {
    const writer = new ShareWriter(store, { maxDelayMs: 1 });
    const results = await Promise.allSettled([writer.add(share()), writer.add(share({ createdAt: -1 })), writer.add(share())]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/createdAt must be a non-negative integer/);
    await writer.close();
  });

  it('drains on close, then refuses new shares; a closed store fails the batch', async () => {
    const writer = new ShareWriter(store, { maxDelayMs: 10_000 });
    const pending = writer.add(share());
    await writer.close();
    await expect(pending).resolves.toBeGreaterThan(0);
    await expect(writer.add(share())).rejects.toThrow(/share writer is closed/);

    const other = createSqliteStore(path.join(dir, 'other.db'));
    await other.migrate();
    const late = new ShareWriter(other, { maxDelayMs: 1 });
    await other.close();
    await expect(late.add(share())).rejects.toThrow(/is closed/);
    await late.close();
  });

  it('validates its options', () => {
    expect(() => new ShareWriter(store, { maxBatch: 0 })).toThrow(/maxBatch must be an integer >= 1/);
    expect(() => new ShareWriter(store, { maxDelayMs: -1 })).toThrow(/maxDelayMs must be >= 0/);
  });
});
