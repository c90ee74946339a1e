/** The share row insert, shared by the in-loop store and the share writer thread so both write the same row. */
import type Database from 'better-sqlite3';
import type { NewShare } from '../types.js';

export const INSERT_SHARE_SQL = `INSERT INTO shares (pool, instance_id, address, worker, job_id, height, difficulty,
  network_difficulty, actual_difficulty, hash, is_block, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Inserts validated shares with the prepared INSERT_SHARE_SQL, inside a transaction the caller opened; returns
 * their ids in input order. One cached statement per row is the fastest way to insert into SQLite, and
 * lastInsertRowid gives each id exactly.
 */
export function insertShareRows(statement: Database.Statement, shares: readonly NewShare[]): number[] {
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
