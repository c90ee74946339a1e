/**
 * Time series for charts: per-minute and per-hour buckets aggregated from the shares table. Every instance may
 * roll up the same bucket (an idempotent upsert of the same totals computed from the shared shares table), so
 * with several instances on one PostgreSQL the series is pool-wide and nothing is counted twice.
 */
import { StoreError } from '../errors.js';
import type { SeriesPoint, SeriesResolution, WorkerSummary } from '../types.js';
import { checkLimit, toNum, toNumOrNull, toStr, type SqlExecutor, type SqlValue } from './db.js';

export const SERIES_RESOLUTIONS: readonly SeriesResolution[] = [60, 3600];
/** Rows per multi-row INSERT (well under SQLite's parameter limit). */
const UPSERT_CHUNK = 400;

export function checkResolution(resolution: number): asserts resolution is SeriesResolution {
  if (!(SERIES_RESOLUTIONS as readonly number[]).includes(resolution)) {
    throw new StoreError(`series resolution must be one of ${SERIES_RESOLUTIONS.join(', ')} seconds, got ${resolution}`);
  }
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs < 0 || toMs < fromMs) {
    throw new StoreError(`series range must be integers 0 <= from <= to, got ${fromMs}..${toMs}`);
  }
}

/** Bucket start (ms) of `t` at `resolution` seconds. */
export function bucketStart(t: number, resolution: SeriesResolution): number {
  const size = resolution * 1000;
  return Math.floor(t / size) * size;
}

async function upsertRows(
  q: SqlExecutor,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  rows: readonly SqlValue[][],
): Promise<void> {
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`);
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    const params: SqlValue[] = [];
    const values = rows
      .slice(i, i + UPSERT_CHUNK)
      .map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`)
      .join(', ');
    await q.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
      params,
    );
  }
}

/** The rows a rollup writes: computed by a read (no lock held), stored by a short upsert transaction. */
export interface RollupRows {
  poolRows: SqlValue[][];
  workerRows: SqlValue[][];
}

const POOL_SERIES_COLUMNS = ['pool', 'resolution', 't', 'difficulty_sum', 'shares', 'miners', 'workers', 'network_difficulty'];
const WORKER_SERIES_COLUMNS = ['pool', 'address', 'worker', 'resolution', 't', 'difficulty_sum', 'shares'];

/**
 * The buckets of `pool` covering [fromMs, toMs) at `resolution`, aggregated from the shares table: one pool row
 * per bucket (zeros where no share was accepted, so charts show the gap) and one row per worker with shares.
 * `fallbackNetworkDifficulty` fills the network difficulty of buckets without shares. Only reads: run it outside
 * a write transaction, so the (long) aggregation never holds the database's write lock that share inserts need.
 */
export async function computeRollup(
  q: SqlExecutor,
  pool: string,
  resolution: SeriesResolution,
  fromMs: number,
  toMs: number,
  fallbackNetworkDifficulty: number | null,
): Promise<RollupRows> {
  checkResolution(resolution);
  checkRange(fromMs, toMs);
  const size = resolution * 1000;
  const from = bucketStart(fromMs, resolution);
  const to = Math.ceil(toMs / size) * size;
  if (to <= from) return { poolRows: [], workerRows: [] };
  // The bucket size is a validated constant written into the SQL: integer division on both backends.
  const bucket = `(created_at / ${size}) * ${size}`;
  const pools = await q.query(
    `SELECT ${bucket} AS t, SUM(difficulty) AS dsum, COUNT(*) AS n, COUNT(DISTINCT address) AS miners,
            COUNT(DISTINCT address || '.' || worker) AS workers, MAX(network_difficulty) AS nd
       FROM shares WHERE pool = $1 AND created_at >= $2 AND created_at < $3 GROUP BY ${bucket}`,
    [pool, from, to],
  );
  const byBucket = new Map(pools.rows.map((r) => [toNum(r.t), r]));
  const poolRows: SqlValue[][] = [];
  for (let t = from; t < to; t += size) {
    const r = byBucket.get(t);
    poolRows.push([
      pool,
      resolution,
      t,
      r ? toNum(r.dsum) : 0,
      r ? toNum(r.n) : 0,
      r ? toNum(r.miners) : 0,
      r ? toNum(r.workers) : 0,
      r ? toNumOrNull(r.nd) : fallbackNetworkDifficulty,
    ]);
  }
  const workers = await q.query(
    `SELECT ${bucket} AS t, address, worker, SUM(difficulty) AS dsum, COUNT(*) AS n
       FROM shares WHERE pool = $1 AND created_at >= $2 AND created_at < $3 GROUP BY ${bucket}, address, worker`,
    [pool, from, to],
  );
  const workerRows = workers.rows.map((r) => [pool, toStr(r.address), toStr(r.worker), resolution, toNum(r.t), toNum(r.dsum), toNum(r.n)]);
  return { poolRows, workerRows };
}

/** Upserts computed rows (inside the caller's transaction); returns the number of pool buckets written. */
export async function storeRollup(q: SqlExecutor, rows: RollupRows): Promise<number> {
  if (rows.poolRows.length > 0) await upsertRows(q, 'pool_series', POOL_SERIES_COLUMNS, ['pool', 'resolution', 't'], rows.poolRows);
  if (rows.workerRows.length > 0) {
    await upsertRows(q, 'worker_series', WORKER_SERIES_COLUMNS, ['pool', 'address', 'worker', 'resolution', 't'], rows.workerRows);
  }
  return rows.poolRows.length;
}

/**
 * Hour buckets from the minute buckets already stored (the recorder's every-minute path: a few hundred rows
 * instead of an hour of shares). Exact: sums add up, and the distinct miners/workers of an hour are counted from
 * the per-worker minute rows. Only valid while the hour's minute buckets are kept (a day). Only reads, like
 * computeRollup; storeRollup writes the result.
 */
export async function computeHourRollup(q: SqlExecutor, pool: string, fromMs: number, toMs: number): Promise<RollupRows> {
  checkRange(fromMs, toMs);
  const from = bucketStart(fromMs, 3600);
  const to = Math.ceil(toMs / 3_600_000) * 3_600_000;
  if (to <= from) return { poolRows: [], workerRows: [] };
  const hour = '(t / 3600000) * 3600000';
  const sums = await q.query(
    `SELECT ${hour} AS h, SUM(difficulty_sum) AS dsum, SUM(shares) AS n, MAX(network_difficulty) AS nd FROM pool_series
      WHERE pool = $1 AND resolution = 60 AND t >= $2 AND t < $3 GROUP BY ${hour}`,
    [pool, from, to],
  );
  const distinct = await q.query(
    `SELECT ${hour} AS h, COUNT(DISTINCT address) AS miners, COUNT(DISTINCT address || '.' || worker) AS workers FROM worker_series
      WHERE pool = $1 AND resolution = 60 AND t >= $2 AND t < $3 GROUP BY ${hour}`,
    [pool, from, to],
  );
  const counts = new Map(distinct.rows.map((r) => [toNum(r.h), r]));
  const poolRows = sums.rows.map((r) => {
    const c = counts.get(toNum(r.h));
    return [pool, 3600, toNum(r.h), toNum(r.dsum), toNum(r.n), c ? toNum(c.miners) : 0, c ? toNum(c.workers) : 0, toNumOrNull(r.nd)];
  });
  const workers = await q.query(
    `SELECT ${hour} AS h, address, worker, SUM(difficulty_sum) AS dsum, SUM(shares) AS n FROM worker_series
      WHERE pool = $1 AND resolution = 60 AND t >= $2 AND t < $3 GROUP BY ${hour}, address, worker`,
    [pool, from, to],
  );
  const workerRows = workers.rows.map((r) => [pool, toStr(r.address), toStr(r.worker), 3600, toNum(r.h), toNum(r.dsum), toNum(r.n)]);
  return { poolRows, workerRows };
}

export async function poolSeries(q: SqlExecutor, pool: string, resolution: SeriesResolution, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
  checkResolution(resolution);
  checkRange(fromMs, toMs);
  const { rows } = await q.query(
    `SELECT t, difficulty_sum, shares, miners, workers, network_difficulty FROM pool_series
      WHERE pool = $1 AND resolution = $2 AND t >= $3 AND t < $4 ORDER BY t`,
    [pool, resolution, fromMs, toMs],
  );
  return rows.map((r) => ({
    t: toNum(r.t),
    difficultySum: toNum(r.difficulty_sum),
    shares: toNum(r.shares),
    miners: toNum(r.miners),
    workers: toNum(r.workers),
    networkDifficulty: toNumOrNull(r.network_difficulty),
  }));
}

/** One miner's buckets (all its workers summed, or one worker's); `miners` is 1 and `workers` counts active workers. */
export async function minerSeries(
  q: SqlExecutor,
  pool: string,
  address: string,
  resolution: SeriesResolution,
  fromMs: number,
  toMs: number,
  worker?: string,
): Promise<SeriesPoint[]> {
  checkResolution(resolution);
  checkRange(fromMs, toMs);
  const params: SqlValue[] = [pool, address, resolution, fromMs, toMs];
  const workerCond = worker === undefined ? '' : ` AND worker = $${params.push(worker)}`;
  const { rows } = await q.query(
    `SELECT t, SUM(difficulty_sum) AS dsum, SUM(shares) AS n, COUNT(*) AS workers FROM worker_series
      WHERE pool = $1 AND address = $2 AND resolution = $3 AND t >= $4 AND t < $5${workerCond} GROUP BY t ORDER BY t`,
    params,
  );
  return rows.map((r) => ({
    t: toNum(r.t),
    difficultySum: toNum(r.dsum),
    shares: toNum(r.n),
    miners: 1,
    workers: toNum(r.workers),
    networkDifficulty: null,
  }));
}

/** Start of the newest stored pool bucket at `resolution`, or null. */
export async function lastSeriesTime(q: SqlExecutor, pool: string, resolution: SeriesResolution): Promise<number | null> {
  checkResolution(resolution);
  const { rows } = await q.query('SELECT MAX(t) AS t FROM pool_series WHERE pool = $1 AND resolution = $2', [pool, resolution]);
  return toNumOrNull(rows[0]?.t);
}

/** Deletes buckets of `pool` at `resolution` that start before `beforeMs` (downsampling keeps the coarser ones). */
export async function pruneSeries(q: SqlExecutor, pool: string, resolution: SeriesResolution, beforeMs: number): Promise<number> {
  checkResolution(resolution);
  checkRange(0, beforeMs);
  const a = await q.query('DELETE FROM pool_series WHERE pool = $1 AND resolution = $2 AND t < $3', [pool, resolution, beforeMs]);
  const b = await q.query('DELETE FROM worker_series WHERE pool = $1 AND resolution = $2 AND t < $3', [pool, resolution, beforeMs]);
  return a.rowCount + b.rowCount;
}

/**
 * Per-worker figures of one address from the shares table: difficulty sum and count since `hashrateSince` (the
 * hashrate window), best share and last share since `since`. Pool-wide (every instance's shares).
 */
export async function workerSummaries(
  q: SqlExecutor,
  pool: string,
  address: string,
  since: number,
  hashrateSince: number,
  limit: number,
): Promise<WorkerSummary[]> {
  checkLimit(limit);
  checkRange(since, Math.max(since, hashrateSince));
  const { rows } = await q.query(
    `SELECT worker,
            SUM(CASE WHEN created_at >= $4 THEN difficulty ELSE 0 END) AS dsum,
            SUM(CASE WHEN created_at >= $4 THEN 1 ELSE 0 END) AS n,
            COUNT(*) AS total, MAX(actual_difficulty) AS best, MAX(created_at) AS last
       FROM shares WHERE pool = $1 AND address = $2 AND created_at >= $3
      GROUP BY worker ORDER BY worker LIMIT $5`,
    [pool, address, since, hashrateSince, limit],
  );
  return rows.map((r) => ({
    worker: toStr(r.worker),
    shareDifficultySum: toNum(r.dsum),
    shareCount: toNum(r.n),
    sharesSince: toNum(r.total),
    bestShareDifficulty: toNum(r.best),
    lastShareAt: toNum(r.last),
  }));
}
