/** The blocks table: candidates, their lifecycle, and the queries the confirmation loop needs. */
import { StoreError } from '../errors.js';
import type { BlockCreditState, BlockStatus, LedgerBlockRow, NewBlock } from '../types.js';
import {
  checkId,
  checkInt64,
  checkLimit,
  placeholders,
  toBig,
  toNum,
  toNumOrNull,
  toStr,
  toStrOrNull,
  type SqlExecutor,
  type SqlRow,
  type SqlValue,
} from './db.js';

export const BLOCK_STATUSES: readonly BlockStatus[] = ['candidate', 'rejected', 'pending', 'immature', 'confirmed', 'orphaned'];
const CREDIT_STATES: readonly BlockCreditState[] = ['none', 'credited', 'reversed'];

const BLOCK_COLUMNS = `id, pool, chain, height, hash, prev_hash, header_hex, submission, address, worker, reward,
  network_difficulty, share_id, status, reason, confirmations, credit_state, created_at, updated_at`;

export function checkBlockStatus(status: string): asserts status is BlockStatus {
  if (!(BLOCK_STATUSES as readonly string[]).includes(status)) throw new StoreError(`unknown block status ${JSON.stringify(status)}`);
}

function mapBlock(r: SqlRow): LedgerBlockRow {
  const status = toStr(r.status);
  const creditState = toStr(r.credit_state);
  checkBlockStatus(status);
  if (!(CREDIT_STATES as readonly string[]).includes(creditState)) throw new StoreError(`unknown credit state ${creditState}`);
  return {
    id: toNum(r.id),
    pool: toStr(r.pool),
    chain: toStr(r.chain),
    height: toNum(r.height),
    hash: toStr(r.hash),
    prevHash: toStr(r.prev_hash),
    headerHex: toStr(r.header_hex),
    submission: toStr(r.submission),
    address: toStr(r.address),
    worker: toStr(r.worker),
    reward: toBig(r.reward),
    networkDifficulty: toNum(r.network_difficulty),
    shareId: toNumOrNull(r.share_id),
    status,
    reason: toStrOrNull(r.reason),
    confirmations: toNum(r.confirmations),
    creditState: creditState as BlockCreditState,
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
  };
}

export async function insertBlock(q: SqlExecutor, b: NewBlock): Promise<number> {
  if (typeof b.reward !== 'bigint' || b.reward < 0n) throw new StoreError('block reward must be a bigint >= 0');
  checkInt64('block reward', b.reward);
  if (b.shareId !== null) checkId('shareId', b.shareId);
  checkId('height', b.height);
  checkId('createdAt', b.createdAt);
  const { rows } = await q.query(
    `INSERT INTO blocks (pool, chain, height, hash, prev_hash, header_hex, submission, address, worker, reward,
       network_difficulty, share_id, status, reason, confirmations, credit_state, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'candidate', NULL, 0, 'none', $13, $13)
     RETURNING id`,
    [
      b.pool,
      b.chain,
      b.height,
      b.hash,
      b.prevHash,
      b.headerHex,
      b.submission,
      b.address,
      b.worker,
      b.reward,
      b.networkDifficulty,
      b.shareId,
      b.createdAt,
    ],
  );
  return toNum(rows[0]?.id);
}

export async function updateBlock(
  q: SqlExecutor,
  id: number,
  patch: { status?: BlockStatus; reason?: string | null; confirmations?: number; hash?: string },
  now: number,
): Promise<void> {
  const sets: string[] = [];
  const params: SqlValue[] = [];
  if (patch.status !== undefined) {
    checkBlockStatus(patch.status);
    sets.push(`status = $${params.push(patch.status)}`);
  }
  if (patch.reason !== undefined) sets.push(`reason = $${params.push(patch.reason)}`);
  if (patch.confirmations !== undefined) {
    checkId('confirmations', patch.confirmations);
    sets.push(`confirmations = $${params.push(patch.confirmations)}`);
  }
  if (patch.hash !== undefined) sets.push(`hash = $${params.push(patch.hash)}`);
  sets.push(`updated_at = $${params.push(now)}`);
  // Orphaning a credited block here would leave its credits counted: orphanBlock reverses them atomically.
  const guard = patch.status === 'orphaned' ? ` AND credit_state <> 'credited'` : '';
  const res = await q.query(`UPDATE blocks SET ${sets.join(', ')} WHERE id = $${params.push(id)}${guard}`, params);
  if (res.rowCount === 0) {
    const existing = await blockById(q, id);
    if (existing === null) throw new StoreError(`block ${id} not found`);
    throw new StoreError(`block ${id} is credited: use orphanBlock to orphan it (it reverses the credits)`);
  }
}

export async function recentBlocks(q: SqlExecutor, pool: string, limit: number, beforeId?: number): Promise<LedgerBlockRow[]> {
  checkLimit(limit);
  if (beforeId !== undefined) checkId('beforeId', beforeId);
  const { rows } =
    beforeId === undefined
      ? await q.query(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE pool = $1 ORDER BY id DESC LIMIT $2`, [pool, limit])
      : await q.query(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE pool = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, [pool, beforeId, limit]);
  return rows.map(mapBlock);
}

/** Several rows may share a hash (a resubmitted candidate): the newest wins. */
export async function blockByHash(q: SqlExecutor, pool: string, hash: string): Promise<LedgerBlockRow | null> {
  const { rows } = await q.query(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE pool = $1 AND hash = $2 ORDER BY id DESC LIMIT 1`, [pool, hash]);
  return rows[0] ? mapBlock(rows[0]) : null;
}

export async function blocksByStatus(q: SqlExecutor, pool: string | null, statuses: readonly BlockStatus[]): Promise<LedgerBlockRow[]> {
  if (statuses.length === 0) return [];
  statuses.forEach(checkBlockStatus);
  const params: SqlValue[] = [];
  const inList = placeholders(params, statuses);
  const poolCond = pool === null ? '' : ` AND pool = $${params.push(pool)}`;
  const { rows } = await q.query(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE status IN (${inList})${poolCond} ORDER BY id`, params);
  return rows.map(mapBlock);
}

export async function blockById(q: SqlExecutor, id: number): Promise<LedgerBlockRow | null> {
  checkId('block id', id);
  const { rows } = await q.query(`SELECT ${BLOCK_COLUMNS} FROM blocks WHERE id = $1`, [id]);
  return rows[0] === undefined ? null : mapBlock(rows[0]);
}

export async function previousBlockShareId(q: SqlExecutor, pool: string, beforeBlockId: number): Promise<number | null> {
  checkId('beforeBlockId', beforeBlockId);
  const { rows } = await q.query(
    `SELECT share_id FROM blocks
      WHERE pool = $1 AND id < $2 AND share_id IS NOT NULL AND status NOT IN ('candidate', 'rejected')
      ORDER BY id DESC LIMIT 1`,
    [pool, beforeBlockId],
  );
  return rows[0] === undefined ? null : toNum(rows[0].share_id);
}
