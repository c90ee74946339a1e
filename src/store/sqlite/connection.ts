/** One better-sqlite3 connection as every part of the embedded store opens it (main thread and share thread alike). */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const BUSY_TIMEOUT_MS = 5_000;

export function openSqliteConnection(file: string): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const raw = new Database(file);
  try {
    raw.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so a share acknowledged after commit survives a power loss.
    raw.pragma('synchronous = FULL');
    raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.pragma('foreign_keys = ON');
    raw.defaultSafeIntegers(true);
  } catch (err) {
    raw.close();
    throw err;
  }
  return raw;
}
