/** What a backend adds to the shared SQL logic: its connection, schema and the few statements that differ. */
import type { SpoolTarget } from '../spool/spool.js';
import type { NewShare } from '../types.js';
import type { SqlDb, SqlExecutor } from './db.js';

export interface SqlBackend {
  readonly db: SqlDb;
  readonly description: string;
  /** Applies the numbered migrations not yet applied (each in a transaction; concurrent starts are safe). */
  migrate(): Promise<void>;
  /** Inserts validated shares inside the open transaction `q`; returns their ids in input order. */
  insertShares(q: SqlExecutor, shares: readonly NewShare[]): Promise<number[]>;
  /**
   * Serializes balance-reducing writes of one pool until the transaction ends (PostgreSQL: transaction-scoped
   * advisory lock; SQLite: the database write lock already does it).
   */
  lockPoolLedger(q: SqlExecutor, pool: string): Promise<void>;
  /** Where a spool journal is replayed (PostgreSQL only: SQLite is local, it has nothing to spool to). */
  spoolTarget?(): SpoolTarget;
}

export interface StoreOptions {
  /** Clock for lease/heartbeat/ledger timestamps (unix ms); tests inject one. Default Date.now. */
  now?: () => number;
}
