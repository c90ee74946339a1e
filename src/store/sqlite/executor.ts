/**
 * better-sqlite3 behind the async SqlDb surface. The connection is synchronous but the shared logic awaits
 * between statements, so every query and transaction runs under one promise-chain mutex: nothing from another
 * caller can slip into an open transaction.
 */
import type Database from 'better-sqlite3';
import type { SqlDb, SqlExecutor, SqlResult, SqlValue } from '../sql/db.js';

interface Prepared {
  statement: Database.Statement;
  /** For each `?` in order, the index of the $N parameter it stands for. */
  order: number[];
}

type SqliteValue = string | number | bigint | null;

export class SqliteDb implements SqlDb {
  private readonly prepared = new Map<string, Prepared>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly inner: SqlExecutor = { query: async (sql, params) => this.run(sql, params ?? []) };

  constructor(readonly raw: Database.Database) {}

  /** Runs fn alone on the connection (queued behind every earlier call). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    return this.exclusive(() => this.run(sql, params));
  }

  tx<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout) instead of failing mid-way.
      this.raw.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inner);
        this.raw.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw err;
      }
    });
  }

  close(): Promise<void> {
    return this.exclusive(() => {
      if (this.raw.open) this.raw.close();
    });
  }

  /** A cached statement for SQL written with $N placeholders. */
  statement(sql: string): Prepared {
    let p = this.prepared.get(sql);
    if (p === undefined) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      p = { statement: this.raw.prepare(text), order };
      this.prepared.set(sql, p);
    }
    return p;
  }

  private run(sql: string, params: readonly SqlValue[]): SqlResult {
    const { statement, order } = this.statement(sql);
    const args = order.map((i): SqliteValue => {
      const v = params[i];
      if (v === undefined) throw new RangeError(`missing SQL parameter $${i + 1}`);
      return typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
    if (statement.reader) {
      const rows = statement.all(...args) as Record<string, unknown>[];
      return { rows, rowCount: rows.length };
    }
    const info = statement.run(...args);
    return { rows: [], rowCount: info.changes };
  }
}
