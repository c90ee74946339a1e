/**
 * The append-only balance ledger: block credits, their reversal on orphan, and balances as sums. A balance entry
 * tied to a block counts as immature until that block is 'confirmed'; entries without a block (payments,
 * refunds) always count as confirmed. Unique indexes make a second credit/reversal of a block impossible.
 */
import { StoreError } from '../errors.js';
import type { AddressBalance, BlockRewardRow, CreditBlockInput, LedgerEntryKind, LedgerEntryRow } from '../types.js';
import { checkId, checkInt64, checkLimit, placeholders, toBig, toNum, toNumOrNull, toStr, type SqlExecutor, type SqlValue } from './db.js';
import { checkBlockStatus } from './blocks.js';

const ROWS_PER_INSERT = 400;
const LEDGER_KINDS: readonly LedgerEntryKind[] = ['credit', 'fee', 'reversal', 'payment', 'payment_refund'];

/** Multi-row INSERT in chunks that stay under both backends' parameter limits. */
export async function insertRows(q: SqlExecutor, table: string, columns: readonly string[], rows: readonly SqlValue[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const params: SqlValue[] = [];
    const values = rows
      .slice(start, start + ROWS_PER_INSERT)
      .map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`)
      .join(', ');
    await q.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, params);
  }
}

export function checkAmount(field: string, amount: bigint): void {
  if (typeof amount !== 'bigint') throw new StoreError(`${field} must be a bigint`);
  if (amount <= 0n) throw new StoreError(`${field} must be > 0, got ${amount}`);
  checkInt64(field, amount);
}

export function checkDistinctAddresses(what: string, addresses: readonly string[]): void {
  const seen = new Set<string>();
  for (const a of addresses) {
    if (typeof a !== 'string' || a === '') throw new StoreError(`${what}: address must be a non-empty string`);
    if (seen.has(a)) throw new StoreError(`${what}: address ${a} appears twice (merge amounts per address first)`);
    seen.add(a);
  }
}

function validateCredit(input: CreditBlockInput): void {
  checkId('blockId', input.blockId);
  if (input.status !== undefined) checkBlockStatus(input.status);
  const fees = input.fees ?? [];
  checkDistinctAddresses(
    `block ${input.blockId} credits`,
    input.credits.map((c) => c.address),
  );
  checkDistinctAddresses(
    `block ${input.blockId} fees`,
    fees.map((f) => f.address),
  );
  for (const c of input.credits) {
    checkAmount(`credit to ${c.address}`, c.amount);
    if (!Number.isFinite(c.shareDifficultySum) || c.shareDifficultySum < 0)
      throw new StoreError(`credit to ${c.address}: shareDifficultySum must be finite and >= 0`);
    checkId(`credit to ${c.address}: shareCount`, c.shareCount);
  }
  for (const f of fees) checkAmount(`fee to ${f.address}`, f.amount);
}

export async function creditBlock(q: SqlExecutor, input: CreditBlockInput, now: number): Promise<boolean> {
  validateCredit(input);
  const params: SqlValue[] = [now, input.blockId];
  const setStatus = input.status === undefined ? '' : `, status = $${params.push(input.status)}`;
  // The conditional update is the "credit once" gate (and takes the block's row lock on PostgreSQL).
  const { rows } = await q.query(
    `UPDATE blocks SET credit_state = 'credited', updated_at = $1${setStatus}
      WHERE id = $2 AND credit_state = 'none' AND status NOT IN ('rejected', 'orphaned')
      RETURNING pool, reward, status`,
    params,
  );
  const block = rows[0];
  if (block === undefined) {
    const { rows: found } = await q.query('SELECT status, credit_state FROM blocks WHERE id = $1', [input.blockId]);
    const existing = found[0];
    if (existing === undefined) throw new StoreError(`block ${input.blockId} not found`);
    if (existing.credit_state !== 'none') return false;
    throw new StoreError(`block ${input.blockId} is ${String(existing.status)}: it cannot be credited`);
  }
  const status = toStr(block.status);
  if (!['pending', 'immature', 'confirmed'].includes(status))
    throw new StoreError(`block ${input.blockId} would be credited while '${status}': set it pending, immature or confirmed`);
  const pool = toStr(block.pool);
  const reward = toBig(block.reward);
  const fees = input.fees ?? [];
  const total = [...input.credits, ...fees].reduce((sum, c) => sum + c.amount, 0n);
  if (total > reward) throw new StoreError(`block ${input.blockId}: credits + fees ${total} exceed its reward ${reward}`);

  const entryColumns = ['pool', 'address', 'amount', 'kind', 'block_id', 'payment_id', 'created_at'];
  await insertRows(q, 'ledger_entries', entryColumns, [
    ...input.credits.map((c): SqlValue[] => [pool, c.address, c.amount, 'credit', input.blockId, null, now]),
    ...fees.map((f): SqlValue[] => [pool, f.address, f.amount, 'fee', input.blockId, null, now]),
  ]);
  await insertRows(
    q,
    'block_rewards',
    ['block_id', 'address', 'amount', 'share_difficulty_sum', 'share_count'],
    input.credits.map((c) => [input.blockId, c.address, c.amount, c.shareDifficultySum, c.shareCount]),
  );
  return true;
}

export async function orphanBlock(
  q: SqlExecutor,
  blockId: number,
  reason: string | null,
  now: number,
  lockPool: (pool: string) => Promise<void>,
): Promise<boolean> {
  checkId('blockId', blockId);
  const reversed = await q.query(`UPDATE blocks SET credit_state = 'reversed' WHERE id = $1 AND credit_state = 'credited' RETURNING pool`, [blockId]);
  const updated = await q.query(`UPDATE blocks SET status = 'orphaned', reason = $1, updated_at = $2 WHERE id = $3`, [reason, now, blockId]);
  if (updated.rowCount === 0) throw new StoreError(`block ${blockId} not found`);
  const row = reversed.rows[0];
  if (row === undefined) return false;
  // Reversals lower balances: serialize with createPayments' balance checks.
  await lockPool(toStr(row.pool));
  // The reversal cancels the block's net amount per address (earlier generations already net to 0) and belongs to
  // the latest credit generation, so a block orphaned, re-credited and orphaned again is reversed once per credit.
  await q.query(
    `INSERT INTO ledger_entries (pool, address, amount, kind, block_id, payment_id, created_at, credit_generation)
     SELECT pool, address, -SUM(amount), 'reversal', block_id, NULL, $1,
            (SELECT MAX(credit_generation) FROM ledger_entries WHERE block_id = $2)
       FROM ledger_entries
      WHERE block_id = $2 AND kind IN ('credit', 'fee', 'reversal')
      GROUP BY pool, address, block_id HAVING SUM(amount) <> 0`,
    [now, blockId],
  );
  return true;
}

/**
 * An orphaned block back on the main chain. Credited before (state 'reversed'): ATOMIC compare-and-set from
 * orphaned/reversed to `creditedStatus`/credited, appending a fresh copy of the first credit's 'credit' and 'fee'
 * entries under the next credit generation (the reward split of a block never changes: same shares, same
 * reward). Never credited (state 'none'): back to 'pending', to be credited by the normal path. Returns false
 * (writing nothing) when the block is no longer orphaned, so a second caller or a retry changes nothing.
 */
export async function reinstateBlock(
  q: SqlExecutor,
  blockId: number,
  creditedStatus: 'immature' | 'confirmed',
  now: number,
  lockPool: (pool: string) => Promise<void>,
): Promise<boolean> {
  checkId('blockId', blockId);
  if (creditedStatus !== 'immature' && creditedStatus !== 'confirmed')
    throw new StoreError(`a re-credited block is 'immature' or 'confirmed', not ${JSON.stringify(creditedStatus)}`);
  const recredited = await q.query(
    `UPDATE blocks SET status = $1, credit_state = 'credited', reason = NULL, updated_at = $2
      WHERE id = $3 AND status = 'orphaned' AND credit_state = 'reversed' RETURNING pool`,
    [creditedStatus, now, blockId],
  );
  const row = recredited.rows[0];
  if (row === undefined) {
    const pending = await q.query(
      `UPDATE blocks SET status = 'pending', reason = NULL, updated_at = $1 WHERE id = $2 AND status = 'orphaned' AND credit_state = 'none'`,
      [now, blockId],
    );
    if (pending.rowCount > 0) return true;
    const { rows } = await q.query('SELECT 1 FROM blocks WHERE id = $1', [blockId]);
    if (rows[0] === undefined) throw new StoreError(`block ${blockId} not found`);
    return false;
  }
  await lockPool(toStr(row.pool));
  await q.query(
    `INSERT INTO ledger_entries (pool, address, amount, kind, block_id, payment_id, created_at, credit_generation)
     SELECT pool, address, amount, kind, block_id, NULL, $1,
            (SELECT MAX(credit_generation) + 1 FROM ledger_entries WHERE block_id = $2)
       FROM ledger_entries
      WHERE block_id = $2 AND kind IN ('credit', 'fee') AND credit_generation = 0`,
    [now, blockId],
  );
  return true;
}

export async function blockRewards(q: SqlExecutor, blockId: number): Promise<BlockRewardRow[]> {
  checkId('blockId', blockId);
  const { rows } = await q.query(
    'SELECT block_id, address, amount, share_difficulty_sum, share_count FROM block_rewards WHERE block_id = $1 ORDER BY amount DESC, address',
    [blockId],
  );
  return rows.map((r) => ({
    blockId: toNum(r.block_id),
    address: toStr(r.address),
    amount: toBig(r.amount),
    shareDifficultySum: toNum(r.share_difficulty_sum),
    shareCount: toNum(r.share_count),
  }));
}

const IMMATURE_SUM = `COALESCE(SUM(CASE WHEN b.id IS NOT NULL AND b.status <> 'confirmed' THEN e.amount ELSE 0 END), 0)`;
const CONFIRMED_SUM = `COALESCE(SUM(CASE WHEN b.id IS NULL OR b.status = 'confirmed' THEN e.amount ELSE 0 END), 0)`;

export async function balances(
  q: SqlExecutor,
  pool: string,
  options: { addresses?: readonly string[]; minConfirmed?: bigint },
): Promise<AddressBalance[]> {
  const params: SqlValue[] = [pool];
  const addressCond = options.addresses === undefined ? '' : ` AND e.address IN (${placeholders(params, options.addresses)})`;
  let outer = 'immature <> 0 OR confirmed <> 0';
  if (options.minConfirmed !== undefined) {
    checkInt64('minConfirmed', options.minConfirmed);
    outer = `(${outer}) AND confirmed >= $${params.push(options.minConfirmed)}`;
  }
  const { rows } = await q.query(
    `SELECT address, immature, confirmed FROM (
       SELECT e.address AS address, ${IMMATURE_SUM} AS immature, ${CONFIRMED_SUM} AS confirmed
         FROM ledger_entries e LEFT JOIN blocks b ON b.id = e.block_id
        WHERE e.pool = $1${addressCond} GROUP BY e.address) t
      WHERE ${outer} ORDER BY address`,
    params,
  );
  return rows.map((r) => ({ address: toStr(r.address), immature: toBig(r.immature), confirmed: toBig(r.confirmed) }));
}

export async function ledgerEntries(
  q: SqlExecutor,
  filter: { pool?: string; address?: string; blockId?: number; paymentId?: number; limit: number },
): Promise<LedgerEntryRow[]> {
  checkLimit(filter.limit);
  const params: SqlValue[] = [];
  const conds: string[] = [];
  if (filter.pool !== undefined) conds.push(`pool = $${params.push(filter.pool)}`);
  if (filter.address !== undefined) conds.push(`address = $${params.push(filter.address)}`);
  if (filter.blockId !== undefined) conds.push(`block_id = $${params.push(filter.blockId)}`);
  if (filter.paymentId !== undefined) conds.push(`payment_id = $${params.push(filter.paymentId)}`);
  const where = conds.length === 0 ? '' : `WHERE ${conds.join(' AND ')}`;
  const { rows } = await q.query(
    `SELECT id, pool, address, amount, kind, block_id, payment_id, created_at FROM ledger_entries ${where}
      ORDER BY id DESC LIMIT $${params.push(filter.limit)}`,
    params,
  );
  return rows.map((r) => {
    const kind = toStr(r.kind);
    if (!(LEDGER_KINDS as readonly string[]).includes(kind)) throw new StoreError(`unknown ledger entry kind ${kind}`);
    return {
      id: toNum(r.id),
      pool: toStr(r.pool),
      address: toStr(r.address),
      amount: toBig(r.amount),
      kind: kind as LedgerEntryKind,
      blockId: toNumOrNull(r.block_id),
      paymentId: toNumOrNull(r.payment_id),
      createdAt: toNum(r.created_at),
    };
  });
}
