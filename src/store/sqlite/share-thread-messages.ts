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
  | { t: 'insert'; seq: number; shares: NewShare[] }
  /** Close the connection and end the thread. */
  | { t: 'close' };

/** Thread → main. */
export type FromShareThread =
  | { t: 'opened' }
  | { t: 'durable'; seq: number; ids: number[] }
  /** Nothing of batch `seq` was committed. `code` is SQLite's (SQLITE_FULL, SQLITE_BUSY, ...) when it gave one. */
  | { t: 'failed'; seq: number; message: string; code: string | null };
