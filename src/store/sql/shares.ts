/** Share statistics and the share windows payout schemes read. */
import { StoreError } from '../errors.js';
import type { AddressShareTotal, MinerSummary, NewShare, PoolStats, ShareCreditRow } from '../types.js';
import { checkId, checkLimit, toNum, toStr, type SqlExecutor } from './db.js';

/** Rejects a share the database would store wrongly (or refuse) before a whole batch fails on it. */
export function validateShare(share: NewShare, index: number): void {
  const where = `share #${index}`;
  for (const field of ['pool', 'address', 'worker', 'jobId', 'hash'] as const) {
    if (typeof share[field] !== 'string') throw new StoreError(`${where}: ${field} must be a string`);
  }
  if (share.pool === '' || share.address === '') throw new StoreError(`${where}: pool and address must not be empty`);
  for (const field of ['difficulty', 'networkDifficulty', 'actualDifficulty'] as const) {
    const v = share[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new StoreError(`${where}: ${field} must be a finite number >= 0, got ${String(v)}`);
  }
  for (const field of ['instanceId', 'height', 'createdAt'] as const) {
    const v = share[field];
    if (!Number.isSafeInteger(v) || v < 0) throw new StoreError(`${where}: ${field} must be a non-negative integer, got ${String(v)}`);
  }
  if (typeof share.isBlock !== 'boolean') throw new StoreError(`${where}: isBlock must be a boolean`);
}

export async function poolStats(q: SqlExecutor, pool: string, since: number): Promise<PoolStats> {
  const { rows } = await q.query(
    `SELECT COALESCE(SUM(difficulty), 0) AS dsum, COUNT(*) AS n, COUNT(DISTINCT address) AS miners,
            COUNT(DISTINCT address || '.' || worker) AS workers
       FROM shares WHERE pool = $1 AND created_at >= $2`,
    [pool, since],
  );
  const r = rows[0] ?? {};
  return { shareDifficultySum: toNum(r.dsum), shareCount: toNum(r.n), miners: toNum(r.miners), workers: toNum(r.workers) };
}

export async function minerSummaries(q: SqlExecutor, pool: string, since: number, limit: number): Promise<MinerSummary[]> {
  checkLimit(limit);
  const { rows } = await q.query(
    `SELECT address, COUNT(DISTINCT worker) AS workers, SUM(difficulty) AS dsum, COUNT(*) AS n, MAX(created_at) AS last
       FROM shares WHERE pool = $1 AND created_at >= $2
      GROUP BY address ORDER BY dsum DESC, address LIMIT $3`,
    [pool, since, limit],
  );
  return rows.map((r) => ({
    address: toStr(r.address),
    workers: toNum(r.workers),
    shareDifficultySum: toNum(r.dsum),
    shareCount: toNum(r.n),
    lastShareAt: toNum(r.last),
  }));
}

export async function sharesBackFrom(q: SqlExecutor, pool: string, lastShareId: number, limit: number): Promise<ShareCreditRow[]> {
  checkId('lastShareId', lastShareId);
  checkLimit(limit);
  const { rows } = await q.query(
    `SELECT id, address, worker, difficulty, created_at FROM shares
      WHERE pool = $1 AND id <= $2 ORDER BY id DESC LIMIT $3`,
    [pool, lastShareId, limit],
  );
  return rows.map((r) => ({
    id: toNum(r.id),
    address: toStr(r.address),
    worker: toStr(r.worker),
    difficulty: toNum(r.difficulty),
    createdAt: toNum(r.created_at),
  }));
}

export async function shareTotalsBetween(q: SqlExecutor, pool: string, after: number, upTo: number): Promise<AddressShareTotal[]> {
  checkId('afterShareIdExclusive', after);
  checkId('upToShareIdInclusive', upTo);
  const { rows } = await q.query(
    `SELECT address, SUM(difficulty) AS dsum, COUNT(*) AS n FROM shares
      WHERE pool = $1 AND id > $2 AND id <= $3 GROUP BY address ORDER BY address`,
    [pool, after, upTo],
  );
  return rows.map((r) => ({ address: toStr(r.address), difficultySum: toNum(r.dsum), shareCount: toNum(r.n) }));
}
