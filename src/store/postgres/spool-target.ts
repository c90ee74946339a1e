/**
 * The spool replay into PostgreSQL: journal records in order, in one transaction, each at most once.
 * Shares: INSERT ... ON CONFLICT (pool, share_key) DO NOTHING, share_key being the share's hash (migration 5).
 * Blocks: skipped when a row with the same (pool, hash) exists (one replayer per journal, inside the transaction;
 * blocks are rare, so a lookup beats a unique index that old data might violate). A block whose share was spooled
 * too gets that share's id by its hash, which the same or an earlier transaction inserted.
 */
import { insertBlock } from '../sql/blocks.js';
import { toNum, type SqlDb, type SqlExecutor, type SqlValue } from '../sql/db.js';
import type { SpooledBlock, SpoolRecord } from '../spool/records.js';
import type { SpoolTarget } from '../spool/spool.js';
import type { NewShare } from '../types.js';
import { shareColumnParams, shareColumns } from './share-columns.js';
import { isPostgresUnavailable } from './unavailable.js';

export function postgresSpoolTarget(db: SqlDb): SpoolTarget {
  return {
    isUnavailable: isPostgresUnavailable,
    replay: (records) => db.tx((q) => replayRecords(q, records)),
  };
}

async function replayRecords(q: SqlExecutor, records: readonly SpoolRecord[]): Promise<void> {
  let shares: NewShare[] = [];
  for (const record of records) {
    if (record.kind === 'share') {
      shares.push(record.share);
      continue;
    }
    await insertSharesOnce(q, shares);
    shares = [];
    await insertBlockOnce(q, record);
  }
  await insertSharesOnce(q, shares);
}

async function insertSharesOnce(q: SqlExecutor, shares: readonly NewShare[]): Promise<void> {
  if (shares.length === 0) return;
  // WITH ORDINALITY + ORDER BY: ids follow the journal's order.
  await q.query(
    `INSERT INTO shares (pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
       actual_difficulty, hash, share_key, is_block, created_at)
     SELECT pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty, actual_difficulty,
            hash, hash, is_block, created_at
       FROM unnest(${shareColumnParams(1)})
            WITH ORDINALITY AS s(pool, instance_id, address, worker, job_id, height, difficulty, network_difficulty,
                                 actual_difficulty, hash, is_block, created_at, ord)
      ORDER BY ord
     ON CONFLICT (pool, share_key) DO NOTHING`,
    shareColumns(shares) as unknown as SqlValue[],
  );
}

async function insertBlockOnce(q: SqlExecutor, record: SpooledBlock): Promise<void> {
  const { block, shareHash } = record;
  const existing = await q.query('SELECT 1 FROM blocks WHERE pool = $1 AND hash = $2 LIMIT 1', [block.pool, block.hash]);
  if (existing.rows.length > 0) return;
  let shareId = block.shareId;
  if (shareHash !== null) {
    const { rows } = await q.query('SELECT id FROM shares WHERE pool = $1 AND share_key = $2', [block.pool, shareHash]);
    // No row: the block's share was refused by the pool (not credited); the block stands on its own, like a
    // block whose share row could not be stored on the direct path.
    shareId = rows[0] === undefined ? null : toNum(rows[0].id);
  }
  await insertBlock(q, { ...block, shareId });
}
