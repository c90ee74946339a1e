/** Opens the store a URL names: `sqlite:PATH` (embedded) or `postgres://...` / `postgresql://...`. */
import { StoreError } from './errors.js';
import type { PostgresStoreOptions } from './postgres/index.js';
import { createSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

/** The file of a `sqlite:PATH` url (`sqlite:///abs` = `/abs`), or null for any other store url. */
export function sqliteFileOf(url: string): string | null {
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : null;
}

export async function createStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const file = sqliteFileOf(url);
  if (file !== null) {
    if (file === '') throw new StoreError(`store url ${JSON.stringify(url)} has no file path (sqlite:PATH)`);
    return createSqliteStore(file, options);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return createPostgresStore(url, options);
  throw new StoreError(
    `unsupported store url ${JSON.stringify(url.replace(/(\/\/[^/@:]*):.*@/, '$1:***@'))}: use sqlite:PATH or postgres://user@host/db`,
  );
}

export { createSqliteStore } from './sqlite/index.js';
export type { PostgresStoreOptions } from './postgres/index.js';
export { ShareWriter, type ShareWriterOptions, type ShareWriterStats } from './share-writer.js';
export { StoreError, InsufficientBalanceError } from './errors.js';
export type { StoreOptions } from './sql/backend.js';
export type * from './types.js';

/** Loaded only when used: the pg driver costs ~150 ms of start-up that the embedded SQLite default never needs. */
async function createPostgresStore(url: string, options: PostgresStoreOptions): Promise<Store> {
  const postgres = await import('./postgres/index.js');
  return postgres.createPostgresStore(url, options);
}
