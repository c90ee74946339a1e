/** The production store: PostgreSQL through a connection pool; several pool instances may share one database. */
import pg from 'pg';
import type { NewShare, Store } from '../types.js';
import type { SqlBackend, StoreOptions } from '../sql/backend.js';
import { toNum, type SqlExecutor, type SqlValue } from '../sql/db.js';
import { SqlStore } from '../sql/store.js';
import type { SpoolTarget } from '../spool/spool.js';
import { PgDb } from './executor.js';
import { postgresSpoolTarget } from './spool-target.js';
import { POSTGRES_MIGRATIONS, type Migration } from './migrations.js';
import { shareColumnParams, shareColumns } from './share-columns.js';

/** Advisory lock key spaces ('gxcp' and the next number): migrations, and per-pool balance checks. */
const MIGRATION_LOCK = [1735943025, 1] as const;
const POOL_LEDGER_LOCK_CLASS = 1735943024;

const CONNECT_TIMEOUT_MS = 10_000;

export interface PostgresStoreOptions extends StoreOptions {
  /** Connections in the pool (default 10). */
  maxConnections?: number;
}

/** postgres://user:secret@host/db -> postgres://user:***@host/db, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

class PostgresBackend implements SqlBackend {
  readonly db: PgDb;
  readonly description: string;

  constructor(
    url: string,
    options: PostgresStoreOptions,
    private readonly migrations: readonly Migration[],
  ) {
    // A bounded connect: an unreachable server fails the batch (and the spool takes it) instead of hanging it.
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An idle client's connection dropped (server restart): the pool discards it and the next query reconnects.
    // Without a listener the 'error' event would kill the process.
    pool.on('error', () => undefined);
    this.db = new PgDb(pool);
    this.description = redactUrl(url);
  }

  async migrate(): Promise<void> {
    const client = await this.db.pool.connect();
    // A checked-out client has no pool listener: without this, a server shutdown mid-migration kills the process.
    let broken: Error | undefined;
    const onError = (err: Error): void => {
      broken = err;
    };
    client.on('error', onError);
    try {
      // Session lock on this one client: instances starting together apply each migration exactly once.
      await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
      try {
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
        for (const m of this.migrations) {
          await client.query('BEGIN');
          try {
            const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
            if (done.rows.length === 0) {
              await client.query(m.sql);
              await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
            }
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK');
            throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
      }
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  async insertShares(q: SqlExecutor, shares: readonly NewShare[]): Promise<number[]> {
    // Ids are taken from the sequence first so each share's id is known exactly (RETURNING order of a
    // multi-row insert is not guaranteed); then one INSERT ... unnest() writes the batch (no parameter limit).
    const { rows } = await q.query(`SELECT nextval(pg_get_serial_sequence('shares', 'id')) AS id FROM generate_series(1, $1)`, [shares.length]);
    const ids = rows.map((r) => toNum(r.id)).sort((a, b) => a - b);
    await q.query(
      // share_key = hash (migration 6): a spool replay of this batch after a lost COMMIT answer adds nothing.
      `INSERT INTO shares (id, pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
         actual_difficulty, hash, share_key, is_block, created_at)
       SELECT id, pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
              actual_difficulty, hash, hash, is_block, created_at
         FROM unnest($1::bigint[], ${shareColumnParams(2)})
           AS s(id, pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
                actual_difficulty, hash, is_block, created_at)`,
      [ids, ...shareColumns(shares)] as unknown as SqlValue[],
    );
    return ids;
  }

  spoolTarget(): SpoolTarget {
    return postgresSpoolTarget(this.db);
  }

  async lockPoolLedger(q: SqlExecutor, pool: string): Promise<void> {
    // Transaction-scoped: released at COMMIT/ROLLBACK, so pooled connections never leak it.
    await q.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [POOL_LEDGER_LOCK_CLASS, pool]);
  }
}

/** Connects lazily to `url` (postgres://...). Call migrate() before use. */
export function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  return new SqlStore(new PostgresBackend(url, options, POSTGRES_MIGRATIONS), options);
}

export { POSTGRES_MIGRATIONS };
