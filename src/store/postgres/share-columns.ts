/**
 * A batch of shares as the column arrays PostgreSQL's `unnest()` inserts take (one parameter per column, so a batch
 * has no parameter limit). One list for the direct insert and the spool replay, so both always write the same columns
 * in the same order: pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
 * actual_difficulty, hash, is_block, created_at.
 */
import type { NewShare } from '../types.js';

export const SHARE_COLUMN_TYPES = 'text[], int[], text[], text[], text[], bigint[], float8[], float8[], float8[], text[], bool[], bigint[]';

export function shareColumns(shares: readonly NewShare[]): unknown[] {
  const column = <T>(pick: (s: NewShare) => T): T[] => shares.map(pick);
  return [
    column((s) => s.pool),
    column((s) => s.instanceId),
    column((s) => s.address),
    column((s) => s.worker),
    column((s) => s.jobId),
    column((s) => s.height),
    column((s) => s.difficulty),
    column((s) => s.networkDifficulty),
    column((s) => s.actualDifficulty),
    column((s) => s.hash),
    column((s) => s.isBlock),
    column((s) => s.createdAt),
  ];
}

/** `$first::text[], $first+1::int[], ...`: the placeholders of the share columns, numbered from `first`. */
export function shareColumnParams(first: number): string {
  return SHARE_COLUMN_TYPES.split(', ')
    .map((type, i) => `$${first + i}::${type}`)
    .join(', ');
}
