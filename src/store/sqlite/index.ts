/** The embedded store: one SQLite file in WAL mode, durable at commit (synchronous=FULL). */
import type { NewShare, Store } from '../types.js';
import type { SqlBackend, StoreOptions } from '../sql/backend.js';
import type { SqlExecutor } from '../sql/db.js';
import { SqlStore } from '../sql/store.js';
import { openSqliteConnection } from './connection.js';
import { SqliteDb } from './executor.js';
import { SQLITE_MIGRATIONS, type Migration } from './migrations.js';
import { INSERT_SHARE_SQL, insertShareRows } from './share-insert.js';

class SqliteBackend implements SqlBackend {
  readonly db: SqliteDb;
  readonly description: string;

  constructor(
    file: string,
    private readonly migrations: readonly Migration[],
  ) {
    const raw = openSqliteConnection(file);
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
    // Runs inside the transaction SqlStore opened (the connection is held).
    return insertShareRows(this.db.statement(INSERT_SHARE_SQL).statement, shares);
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
