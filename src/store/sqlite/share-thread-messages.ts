/** Everything that crosses between the main thread and the SQLite share writer thread (structured clone). */
import type { NewShare } from '../types.js';

export interface ShareThreadData {
  /** The SQLite file (already migrated by the main thread's store). */
  file: string;
  /**
   * Tests only: while element 0 is non-zero the thread holds each batch after its rows are inserted and before
   * COMMIT, so a test can observe that nothing is acknowledged before the commit returned.
   */
  holdCommit: Int32Array | null;
}

/** Main → thread. */
export type ToShareThread =
  /** Open the connection now and answer `opened` (or `failed` with seq 0): start-up errors show at start. */
  | { t: 'open' }
  /** Insert these shares in one transaction; answer `durable` after COMMIT returned, or `failed`. */
  | { t: 'insert'; seq: number; shares: ShareColumns }
  /** Close the connection and end the thread. */
  | { t: 'close' };

/** Thread → main. */
export type FromShareThread =
  | { t: 'opened' }
  | { t: 'durable'; seq: number; ids: number[] }
  /** Nothing of batch `seq` was committed. `code` is SQLite's (SQLITE_FULL, SQLITE_BUSY, ...) when it gave one. */
  | { t: 'failed'; seq: number; message: string; code: string | null };

/**
 * A batch of shares as columns: structured clone copies a few arrays of strings and typed arrays about twice as
 * fast as one object per share, and the clone runs on the main thread.
 */
export interface ShareColumns {
  pool: string[];
  address: string[];
  worker: string[];
  jobId: string[];
  hash: string[];
  /** instanceId, height, createdAt (safe integers, exact in a double). */
  integers: Float64Array;
  /** difficulty, networkDifficulty, actualDifficulty. */
  difficulties: Float64Array;
  isBlock: Uint8Array;
}

export function toShareColumns(shares: readonly NewShare[]): ShareColumns {
  const n = shares.length;
  const columns: ShareColumns = {
    pool: new Array<string>(n),
    address: new Array<string>(n),
    worker: new Array<string>(n),
    jobId: new Array<string>(n),
    hash: new Array<string>(n),
    integers: new Float64Array(n * 3),
    difficulties: new Float64Array(n * 3),
    isBlock: new Uint8Array(n),
  };
  shares.forEach((s, i) => {
    columns.pool[i] = s.pool;
    columns.address[i] = s.address;
    columns.worker[i] = s.worker;
    columns.jobId[i] = s.jobId;
    columns.hash[i] = s.hash;
    columns.integers[i * 3] = s.instanceId;
    columns.integers[i * 3 + 1] = s.height;
    columns.integers[i * 3 + 2] = s.createdAt;
    columns.difficulties[i * 3] = s.difficulty;
    columns.difficulties[i * 3 + 1] = s.networkDifficulty;
    columns.difficulties[i * 3 + 2] = s.actualDifficulty;
    columns.isBlock[i] = s.isBlock ? 1 : 0;
  });
  return columns;
}

export function fromShareColumns(c: ShareColumns): NewShare[] {
  return c.pool.map((pool, i) => ({
    pool,
    instanceId: c.integers[i * 3] as number,
    address: c.address[i] as string,
    worker: c.worker[i] as string,
    jobId: c.jobId[i] as string,
    height: c.integers[i * 3 + 1] as number,
    difficulty: c.difficulties[i * 3] as number,
    networkDifficulty: c.difficulties[i * 3 + 1] as number,
    actualDifficulty: c.difficulties[i * 3 + 2] as number,
    hash: c.hash[i] as string,
    isBlock: c.isBlock[i] === 1,
    createdAt: c.integers[i * 3 + 2] as number,
  }));
}
