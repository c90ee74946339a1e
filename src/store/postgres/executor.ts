/** node-postgres Pool behind the SqlDb surface. Transactions hold one pooled client from BEGIN to COMMIT. */
import type pg from 'pg';
import type { SqlDb, SqlExecutor, SqlResult, SqlValue } from '../sql/db.js';

/** serialization_failure and deadlock_detected: the transaction did nothing and may simply run again. */
const RETRYABLE_CODES = new Set(['40001', '40P01']);
const TX_ATTEMPTS = 3;

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
      const res = await client.query(sql, params as unknown[]);
      return { rows: res.rows as Record<string, unknown>[], rowCount: res.rowCount ?? res.rows.length };
    },
  };
}

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE_CODES.has(String((err as { code?: unknown }).code));
}

export class PgDb implements SqlDb {
  private readonly direct: SqlExecutor;

  constructor(readonly pool: pg.Pool) {
    this.direct = executor(pool);
  }

  query(sql: string, params?: readonly SqlValue[]): Promise<SqlResult> {
    return this.direct.query(sql, params);
  }

  async tx<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // The pool listens for errors only on idle clients: a server shutdown between two statements of this
      // transaction would emit 'error' with no listener and kill the process. Kept, it marks the client broken.
      const onError = (err: Error): void => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection is unusable: destroy it rather than hand it to the next caller.
          broken = rollbackErr as Error;
        }
        if (attempt >= TX_ATTEMPTS || !isRetryable(err)) throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
