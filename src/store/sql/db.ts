/**
 * The narrow SQL surface both backends provide, so the ledger logic is written once and tested on both.
 * SQL text uses PostgreSQL placeholders ($1, $2, ...); the SQLite executor rewrites them.
 */
import { StoreError } from '../errors.js';

export type SqlValue = string | number | bigint | boolean | null;
export type SqlRow = Record<string, unknown>;

export interface SqlResult {
  rows: SqlRow[];
  /** Rows inserted/updated/deleted (or returned). */
  rowCount: number;
}

export interface SqlExecutor {
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlResult>;
}

export interface SqlDb extends SqlExecutor {
  /** Runs fn in one transaction (committed when fn resolves, rolled back when it throws). */
  tx<T>(fn: (q: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Integers come back as bigint (SQLite safe integers), string (PG int8/numeric) or number (PG int4). */
export function toNum(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  if (value === null || value === undefined) return 0;
  throw new StoreError(`expected a number from the database, got ${typeof value}`);
}

export function toNumOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNum(value);
}

/** Money: exact. PG SUM(bigint) is NUMERIC (a string without fraction); SQLite gives bigint. */
export function toBig(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (value === null || value === undefined) return 0n;
  throw new StoreError(`expected an integer amount from the database, got ${String(value)}`);
}

export function toStr(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new StoreError(`expected a string from the database, got ${typeof value}`);
}

export function toStrOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toStr(value);
}

/** "$k, $k+1, ..." for an IN list whose values are appended to params starting at position k. */
export function placeholders(params: SqlValue[], values: readonly SqlValue[]): string {
  if (values.length === 0) throw new StoreError('empty IN list');
  return values.map((v) => `$${params.push(v)}`).join(', ');
}

/** Rejects values a BIGINT column cannot hold, with the field named. */
export function checkInt64(field: string, value: bigint): void {
  if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new StoreError(`${field} ${value} does not fit in 64 bits`);
}

/** Ids and counts passed in from callers: positive safe integers. */
export function checkId(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new StoreError(`${field} must be a non-negative integer, got ${value}`);
}

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new StoreError(`limit must be a non-negative integer, got ${limit}`);
}
