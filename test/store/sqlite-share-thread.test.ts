/**
 * The SQLite share writer thread against a real database file: ids in order, rows as the main thread's store
 * reads them, no acknowledgement before COMMIT (the thread is held between its inserts and COMMIT), a batch SQLite
 * refuses rejects every share in it, and a thread that dies fails its batch and is replaced.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ShareWriter } from '../../src/store/share-writer.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { SqliteShareThread, SqliteWriteError } from '../../src/store/sqlite/share-thread.js';
import { fromShareColumns, toShareColumns } from '../../src/store/sqlite/share-thread-messages.js';
import type { Store } from '../../src/store/types.js';
import { openStore } from '../../src/store-setup.js';
import { memoryLogger } from '../helpers/memory-logger.js';
import { block, share } from './support.js';

let dir: string;
let file: string;
let store: Store;
const threads: SqliteShareThread[] = [];

async function freshDatabase(): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-share-thread-'));
  file = path.join(dir, 'pool.db');
  store = createSqliteStore(file);
  await store.migrate();
}
async function dropDatabase(): Promise<void> {
  for (const t of threads.splice(0)) await t.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
/** Starting a thread through tsx takes seconds on a loaded machine: tests that start several get more time. */
const SPAWNS = 90_000;

async function startThread(options: Parameters<typeof SqliteShareThread.start>[1] = {}): Promise<SqliteShareThread> {
  const thread = SqliteShareThread.start(file, options);
  threads.push(thread);
  await thread.ready;
  return thread;
}

/** Workers (named `prefix…`) of the rows another connection sees committed (WAL hides uncommitted rows). */
function committedWorkers(prefix = ''): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT worker FROM shares WHERE worker LIKE ? || '%' ORDER BY id").all(prefix) as { worker: string }[]).map((r) => r.worker);
  } finally {
    db.close();
  }
}

function settledWithin<T>(p: Promise<T>, ms: number): Promise<'settled' | 'pending'> {
  return Promise.race([
    p.then(
      () => 'settled' as const,
      () => 'settled' as const,
    ),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms)),
  ]);
}

describe('SqliteShareThread, one thread for these tests', () => {
  const hold = new Int32Array(new SharedArrayBuffer(4));
  let shared: SqliteShareThread;
  beforeAll(async () => {
    await freshDatabase();
    shared = await startThread({ holdCommit: hold });
  }, SPAWNS);
  afterAll(dropDatabase);

  it('sends a batch as columns that give back every field exactly', () => {
    const shares = [
      share({ isBlock: true, difficulty: 1e-9, networkDifficulty: 123_456.789, actualDifficulty: 0.1 + 0.2, createdAt: Date.now() }),
      share({ pool: 'gpu', instanceId: 255, address: 'tGXC…ünïcode', worker: '', jobId: 'ff', height: Number.MAX_SAFE_INTEGER }),
    ];
    expect(fromShareColumns(toShareColumns(shares))).toEqual(shares);
  });

  it('inserts each batch in one transaction and returns the ids in input order, as the store reads them', async () => {
    const thread = shared;
    expect(await thread.insertShares([])).toEqual([]);
    const first = await thread.insertShares([share({ worker: 'a0' }), share({ worker: 'a1', difficulty: 2.5, isBlock: true })]);
    const second = await thread.insertShares(Array.from({ length: 300 }, (_, i) => share({ worker: `b${i}` })));
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(300);
    const ids = [...first, ...second];
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe((ids[i - 1] as number) + 1);
    const rows = (await store.sharesBackFrom('asic', ids[ids.length - 1] as number, 1000)).filter((r) => r.id >= (ids[0] as number));
    expect(rows).toHaveLength(302);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(first[1] as number)).toMatchObject({ worker: 'a1', difficulty: 2.5 });
    expect(byId.get(second[299] as number)?.worker).toBe('b299');
  });

  it('refuses a malformed share with the store’s precise message, before anything reaches the thread', async () => {
    const thread = shared;
    await expect(thread.insertShares([share({ worker: 'bad0' }), share({ worker: 'bad1', difficulty: Number.NaN })])).rejects.toThrow(
      /share #1: difficulty must be a finite number/,
    );
    expect(thread.pending).toBe(0);
    expect(committedWorkers('bad')).toEqual([]);
  });

  it('does not acknowledge a batch before its COMMIT returned', async () => {
    const thread = shared;
    Atomics.store(hold, 0, 1);
    const ack = thread.insertShares([share({ worker: 'held1' }), share({ worker: 'held2' })]);
    // The rows are inserted inside the open transaction; the thread waits before COMMIT.
    expect(await settledWithin(ack, 400)).toBe('pending');
    expect(committedWorkers('held')).toEqual([]);
    expect(thread.pending).toBe(1);
    Atomics.store(hold, 0, 0);
    Atomics.notify(hold, 0);
    const ids = await ack;
    expect(ids).toHaveLength(2);
    expect(committedWorkers('held')).toEqual(['held1', 'held2']);
  });

  it('rejects every share of a batch SQLite refuses, stores none of it, and writes the next batch', async () => {
    const thread = shared;
    // A real failure in the middle of a batch: SQLite aborts the statement on the third row.
    const admin = new Database(file);
    admin.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON shares WHEN NEW.worker = 'poison'
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    admin.close();
    const writer = new ShareWriter(thread, { maxDelayMs: 20 });
    const batch = await Promise.allSettled([
      writer.add(share({ worker: 'ok1' })),
      writer.add(share({ worker: 'ok2' })),
      writer.add(share({ worker: 'poison' })),
    ]);
    expect(batch.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reason = (batch[0] as PromiseRejectedResult).reason as SqliteWriteError;
    expect(reason).toBeInstanceOf(SqliteWriteError);
    expect(reason.code).toBe('SQLITE_CONSTRAINT_TRIGGER');
    expect(reason.message).toMatch(/database or disk is full \(SQLITE_CONSTRAINT_TRIGGER\)/);
    expect(committedWorkers('f-')).toEqual([]);
    expect(committedWorkers('poison')).toEqual([]);
    expect(await writer.add(share({ worker: 'f-after' }))).toBeGreaterThan(0);
    expect(committedWorkers('f-')).toEqual(['f-after']);
    expect(writer.stats).toMatchObject({ batches: 1, shares: 1, failedBatches: 1, failedShares: 3 });
    await writer.close();
  });
});

describe('SqliteShareThread, a fresh database and thread per test', () => {
  beforeEach(freshDatabase);
  afterEach(dropDatabase);

  it(
    'fails the batch in flight when the thread dies, logs it, and a new thread writes the next batch',
    async () => {
      const hold = new Int32Array(new SharedArrayBuffer(4));
      const { logger, lines } = memoryLogger();
      const thread = await startThread({ holdCommit: hold, logger });
      Atomics.store(hold, 0, 1);
      const first = thread.worker;
      const inFlight = thread.insertShares([share({ worker: 'lost1' }), share({ worker: 'lost2' })]);
      expect(await settledWithin(inFlight, 300)).toBe('pending');
      await first?.terminate();
      await expect(inFlight).rejects.toThrow(/share writer thread exited with code 1 before answering: batch not acknowledged/);
      expect(thread.worker).not.toBeNull();
      expect(thread.worker).not.toBe(first);
      expect(thread.restarts).toBe(1);
      Atomics.store(hold, 0, 0);
      // The dead thread's transaction was rolled back: its rows are gone and the write lock is free again.
      expect(await thread.insertShares([share({ worker: 'next' })])).toHaveLength(1);
      expect(committedWorkers()).toEqual(['next']);
      const events = lines().map((l) => l.event);
      expect(events).toContain('share_thread_died');
      expect(events).toContain('share_thread_restarted');
      expect(lines().find((l) => l.event === 'share_thread_died')).toMatchObject({ batches: 1, shares: 2 });
    },
    SPAWNS,
  );

  it(
    'a thread that never answered is replaced by the next batch, not in a loop',
    async () => {
      const thread = await startThread();
      const first = thread.worker;
      if (first === null) throw new Error('no thread after start');
      let exited = once(first, 'exit');
      await first.terminate();
      await exited;
      // It had answered `opened`: replaced at once. Its replacement dies before answering anything: not replaced.
      const second = thread.worker;
      expect(second).not.toBeNull();
      expect(second).not.toBe(first);
      exited = once(second as NonNullable<typeof second>, 'exit');
      await second?.terminate();
      await exited;
      expect(thread.worker).toBeNull();
      expect(await thread.insertShares([share({ worker: 'w' })])).toHaveLength(1);
      expect(thread.restarts).toBe(2);
      expect(committedWorkers()).toEqual(['w']);
    },
    SPAWNS,
  );

  it(
    'answers the batches posted before close, then refuses new ones',
    async () => {
      const thread = await startThread();
      const acks = [thread.insertShares([share({ worker: 'c1' })]), thread.insertShares([share({ worker: 'c2' })])];
      await thread.close();
      expect((await Promise.all(acks)).flat()).toHaveLength(2);
      await expect(thread.insertShares([share()])).rejects.toThrow(/share writer thread is closed/);
      expect(committedWorkers()).toEqual(['c1', 'c2']);
    },
    SPAWNS,
  );

  it(
    'says why it cannot open the database, and fails every batch meanwhile',
    async () => {
      const notADir = path.join(dir, 'plain-file');
      fs.writeFileSync(notADir, 'x');
      const thread = SqliteShareThread.start(path.join(notADir, 'pool.db'));
      threads.push(thread);
      await expect(thread.ready).rejects.toThrow(/share writer thread cannot open .*plain-file/);
      // Every batch fails with the reason (error 20 to the miner); none is acknowledged.
      await expect(thread.insertShares([share()])).rejects.toBeInstanceOf(SqliteWriteError);
      expect(() => SqliteShareThread.start(':memory:')).toThrow(/needs a database file/);
    },
    SPAWNS,
  );
});

describe('openStore with sqlite', () => {
  beforeEach(freshDatabase);
  afterEach(dropDatabase);

  it(
    'writes shares through the thread by default and in the loop when asked',
    async () => {
      for (const sqliteWriterThread of [true, false]) {
        const { logger } = memoryLogger();
        const opened = await openStore(`sqlite:${file}`, `test-${sqliteWriterThread}`, logger, { sqliteWriterThread });
        try {
          expect(opened.sharesOnThread).toBe(sqliteWriterThread);
          const id = await opened.shareWriter.add(share({ worker: `via-${sqliteWriterThread}` }));
          // SQLite has no spool: every acknowledged share has its id at once.
          expect(id).not.toBeNull();
          expect((await opened.store.sharesBackFrom('asic', id ?? 0, 1))[0]?.worker).toBe(`via-${sqliteWriterThread}`);
          // A found block's row goes through the same writer (the thread takes only shares; the row, the store).
          const blockId = await opened.shareWriter.recordBlock(block({ shareId: id, hash: 'ab'.repeat(32) }), false);
          expect(blockId).toBeGreaterThan(0);
          expect((await opened.store.blockById(blockId ?? 0))?.shareId).toBe(id);
        } finally {
          await opened.close();
        }
      }
      expect(committedWorkers()).toEqual(['via-true', 'via-false']);
    },
    SPAWNS,
  );
});
