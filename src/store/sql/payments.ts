/**
 * Payments: the intent (a 'pending' row and its debit) is written before the wallet is called; the txid is
 * recorded after. Every state change is a conditional UPDATE, so a repeated call changes nothing, and the refund
 * of a failed payment is unique per payment in the database.
 */
import { randomBytes } from 'node:crypto';
import { InsufficientBalanceError, StoreError } from '../errors.js';
import type { NewPayment, PaymentRow, PaymentStatus } from '../types.js';
import { checkId, checkLimit, placeholders, toBig, toNum, toStr, toStrOrNull, type SqlExecutor, type SqlRow, type SqlValue } from './db.js';
import { balances, checkAmount, checkDistinctAddresses, insertRows } from './ledger.js';

const PAYMENT_STATUSES: readonly PaymentStatus[] = ['pending', 'sent', 'confirmed', 'failed'];
const PAYMENT_COLUMNS = 'id, pool, address, amount, status, batch_id, txid, attempts, error, created_at, updated_at';
const DEFAULT_LIST_LIMIT = 10_000;

function checkStatus(status: string): asserts status is PaymentStatus {
  if (!(PAYMENT_STATUSES as readonly string[]).includes(status)) throw new StoreError(`unknown payment status ${JSON.stringify(status)}`);
}

function checkIds(ids: readonly number[]): void {
  for (const id of ids) checkId('payment id', id);
}

function mapPayment(r: SqlRow): PaymentRow {
  const status = toStr(r.status);
  checkStatus(status);
  return {
    id: toNum(r.id),
    pool: toStr(r.pool),
    address: toStr(r.address),
    amount: toBig(r.amount),
    status,
    batchId: toStr(r.batch_id),
    txid: toStrOrNull(r.txid),
    attempts: toNum(r.attempts),
    error: toStrOrNull(r.error),
    createdAt: toNum(r.created_at),
    updatedAt: toNum(r.updated_at),
  };
}

export async function createPayments(
  q: SqlExecutor,
  pool: string,
  items: readonly NewPayment[],
  batchId: string | undefined,
  now: number,
  lockPool: (pool: string) => Promise<void>,
): Promise<PaymentRow[]> {
  if (items.length === 0) return [];
  checkDistinctAddresses(
    'payments',
    items.map((i) => i.address),
  );
  for (const item of items) checkAmount(`payment to ${item.address}`, item.amount);
  const batch = batchId ?? randomBytes(8).toString('hex');
  if (batch === '') throw new StoreError('batchId must not be empty');

  await lockPool(pool);
  const current = new Map((await balances(q, pool, { addresses: items.map((i) => i.address) })).map((b) => [b.address, b.confirmed]));
  for (const item of items) {
    const confirmed = current.get(item.address) ?? 0n;
    if (item.amount > confirmed) throw new InsufficientBalanceError(pool, item.address, confirmed, item.amount);
  }
  const rows: PaymentRow[] = [];
  for (const item of items) {
    const { rows: inserted } = await q.query(
      `INSERT INTO payments (pool, address, amount, status, batch_id, txid, attempts, error, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', $4, NULL, 0, NULL, $5, $5) RETURNING ${PAYMENT_COLUMNS}`,
      [pool, item.address, item.amount, batch, now],
    );
    if (inserted[0] === undefined) throw new StoreError('payment insert returned no row');
    rows.push(mapPayment(inserted[0]));
  }
  await insertRows(
    q,
    'ledger_entries',
    ['pool', 'address', 'amount', 'kind', 'block_id', 'payment_id', 'created_at'],
    rows.map((p): SqlValue[] => [pool, p.address, -p.amount, 'payment', null, p.id, now]),
  );
  return rows;
}

export async function markPaymentsSent(q: SqlExecutor, ids: readonly number[], txid: string, now: number): Promise<number> {
  if (ids.length === 0) return 0;
  checkIds(ids);
  if (typeof txid !== 'string' || txid === '') throw new StoreError('txid must be a non-empty string');
  const params: SqlValue[] = [txid, now];
  const inList = placeholders(params, ids);
  await q.query(`UPDATE payments SET status = 'sent', txid = $1, updated_at = $2 WHERE id IN (${inList}) AND status = 'pending'`, params);
  const countParams: SqlValue[] = [txid];
  const { rows } = await q.query(
    `SELECT COUNT(*) AS n FROM payments WHERE txid = $1 AND status IN ('sent', 'confirmed') AND id IN (${placeholders(countParams, ids)})`,
    countParams,
  );
  return toNum(rows[0]?.n);
}

export async function markPaymentsConfirmed(q: SqlExecutor, ids: readonly number[], now: number): Promise<number> {
  if (ids.length === 0) return 0;
  checkIds(ids);
  const params: SqlValue[] = [now];
  const res = await q.query(
    `UPDATE payments SET status = 'confirmed', updated_at = $1 WHERE id IN (${placeholders(params, ids)}) AND status = 'sent'`,
    params,
  );
  return res.rowCount;
}

export async function markPaymentsFailed(q: SqlExecutor, ids: readonly number[], reason: string, now: number): Promise<number> {
  if (ids.length === 0) return 0;
  checkIds(ids);
  const params: SqlValue[] = [reason, now];
  const { rows } = await q.query(
    `UPDATE payments SET status = 'failed', error = $1, updated_at = $2
      WHERE id IN (${placeholders(params, ids)}) AND status = 'pending' RETURNING id, pool, address, amount`,
    params,
  );
  await insertRows(
    q,
    'ledger_entries',
    ['pool', 'address', 'amount', 'kind', 'block_id', 'payment_id', 'created_at'],
    rows.map((r): SqlValue[] => [toStr(r.pool), toStr(r.address), toBig(r.amount), 'payment_refund', null, toNum(r.id), now]),
  );
  return rows.length;
}

export async function notePaymentAttempt(q: SqlExecutor, ids: readonly number[], error: string | null, now: number): Promise<void> {
  if (ids.length === 0) return;
  checkIds(ids);
  const params: SqlValue[] = [error, now];
  await q.query(
    `UPDATE payments SET attempts = attempts + 1, error = $1, updated_at = $2 WHERE id IN (${placeholders(params, ids)}) AND status = 'pending'`,
    params,
  );
}

export async function paymentsByStatus(
  q: SqlExecutor,
  pool: string | null,
  statuses: readonly PaymentStatus[],
  limit = DEFAULT_LIST_LIMIT,
): Promise<PaymentRow[]> {
  if (statuses.length === 0) return [];
  statuses.forEach(checkStatus);
  checkLimit(limit);
  const params: SqlValue[] = [];
  const inList = placeholders(params, statuses);
  const poolCond = pool === null ? '' : ` AND pool = $${params.push(pool)}`;
  const { rows } = await q.query(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE status IN (${inList})${poolCond} ORDER BY id LIMIT $${params.push(limit)}`,
    params,
  );
  return rows.map(mapPayment);
}

export async function paymentsPage(
  q: SqlExecutor,
  pool: string,
  options: { statuses?: readonly PaymentStatus[]; address?: string; beforeId?: number; limit: number },
): Promise<PaymentRow[]> {
  checkLimit(options.limit);
  const params: SqlValue[] = [pool];
  let where = 'pool = $1';
  if (options.statuses !== undefined) {
    if (options.statuses.length === 0) return [];
    options.statuses.forEach(checkStatus);
    where += ` AND status IN (${placeholders(params, options.statuses)})`;
  }
  if (options.address !== undefined) where += ` AND address = $${params.push(options.address)}`;
  if (options.beforeId !== undefined) {
    checkId('beforeId', options.beforeId);
    where += ` AND id < $${params.push(options.beforeId)}`;
  }
  const { rows } = await q.query(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE ${where} ORDER BY id DESC LIMIT $${params.push(options.limit)}`,
    params,
  );
  return rows.map(mapPayment);
}

export async function paymentsByAddress(q: SqlExecutor, pool: string | null, address: string, limit: number): Promise<PaymentRow[]> {
  checkLimit(limit);
  const { rows } =
    pool === null
      ? await q.query(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE address = $1 ORDER BY id DESC LIMIT $2`, [address, limit])
      : await q.query(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE pool = $1 AND address = $2 ORDER BY id DESC LIMIT $3`, [pool, address, limit]);
  return rows.map(mapPayment);
}

export async function paymentsByBatch(q: SqlExecutor, batchId: string): Promise<PaymentRow[]> {
  const { rows } = await q.query(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE batch_id = $1 ORDER BY id`, [batchId]);
  return rows.map(mapPayment);
}
