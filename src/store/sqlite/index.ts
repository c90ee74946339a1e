/** The embedded store: one SQLite file in WAL mode, durable at commit (synchronous=FULL). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NewShare, Store } from '../types.js';
import type { SqlBackend, StoreOptions } from '../sql/backend.js';
import type { SqlExecutor } from '../sql/db.js';
import { SqlStore } from '../sql/store.js';
import { SqliteDb } from './executor.js';
import { SQLITE_MIGRATIONS, type Migration } from './migrations.js';

const BUSY_TIMEOUT_MS = 5_000;

class SqliteBackend implements SqlBackend {
  readonly db: SqliteDb;
  readonly description: string;

  constructor(
    file: string,
    private readonly migrations: readonly Migration[],
  ) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so a share acknowledged after commit survives a power loss.
    raw.pragma('synchronous = FULL');
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.pragma('foreign_keys = ON');
    raw.defaultSafeIntegers(true);
    this.db = new SqliteDb(raw);
    this.description = `sqlite:${file}`;
  }

  migrate(): Promise<void> {
    return this.db.exclusive(() => {
      const raw = this.db.raw;
      raw.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
      for (const m of this.migrations) {
        // Checked inside the write transaction: another process may have applied it meanwhile.
        raw.exec('BEGIN IMMEDIATE');
        try {
          const done = raw.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
          if (done === undefined) {
            raw.exec(m.sql);
            raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
          }
          raw.exec('COMMIT');
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
        }
      }
    });
  }

  async insertShares(_q: SqlExecutor, shares: readonly NewShare[]): Promise<number[]> {
    // Runs inside the transaction SqlStore opened (the connection is held): one cached statement per row is the
    // fastest way to insert into SQLite, and lastInsertRowid gives each id exactly.
    const { statement } = this.db.statement(
      `INSERT INTO shares (pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
         actual_difficulty, hash, is_block, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    );
    return shares.map((s) =>
      Number(
        statement.run(
          s.pool,
          s.instanceId,
          s.address,
          s.worker,
          s.jobId,
          s.height,
          s.difficulty,
          s.networkDifficulty,
          s.actualDifficulty,
          s.hash,
          s.isBlock ? 1 : 0,
          s.createdAt,
        ).lastInsertRowid,
      ),
    );
  }

  async lockPoolLedger(): Promise<void> {
    // BEGIN IMMEDIATE already holds the database's single write lock for the whole transaction.
  }
}

/** Opens (creating if needed) the SQLite store at `file` (or ':memory:'). Call migrate() before use. */
export function createSqliteStore(file: string, options: StoreOptions = {}): Store {
  return new SqlStore(new SqliteBackend(file, SQLITE_MIGRATIONS), options);
}

export { SQLITE_MIGRATIONS };
