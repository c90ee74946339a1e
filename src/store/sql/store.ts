/** The Store both backends share: validation and SQL live in the sibling modules, the backend supplies the rest. */
import { StoreError } from '../errors.js';
import type {
  AddressBalance,
  AddressShareTotal,
  BlockRewardRow,
  BlockStatus,
  CreditBlockInput,
  LeaseRow,
  LedgerBlockRow,
  LedgerEntryRow,
  MinerSummary,
  NewBlock,
  NewPayment,
  NewShare,
  PaymentRow,
  PaymentStatus,
  PoolStats,
  SeriesPoint,
  SeriesResolution,
  ShareCreditRow,
  Store,
  WorkerSummary,
} from '../types.js';
import type { SpoolTarget } from '../spool/spool.js';
import type { SqlBackend, StoreOptions } from './backend.js';
import * as blocks from './blocks.js';
import * as coordination from './coordination.js';
import { checkId } from './db.js';
import * as ledger from './ledger.js';
import * as payments from './payments.js';
import * as series from './series.js';
import * as shares from './shares.js';

export class SqlStore implements Store {
  readonly description: string;
  private readonly now: () => number;
  /** Tokens of the instance ids this object registered: a heartbeat proves the id was not taken over. */
  private readonly instanceTokens = new Map<number, string>();
  private closed = false;

  constructor(
    private readonly backend: SqlBackend,
    options: StoreOptions = {},
  ) {
    this.description = backend.description;
    this.now = options.now ?? Date.now;
  }

  private get db() {
    if (this.closed) throw new StoreError(`store ${this.description} is closed`);
    return this.backend.db;
  }

  private readonly lockPool = (q: Parameters<SqlBackend['lockPoolLedger']>[0]) => (pool: string) => this.backend.lockPoolLedger(q, pool);

  async migrate(): Promise<void> {
    return this.backend.migrate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.db.close();
  }

  spoolTarget(): SpoolTarget | null {
    return this.backend.spoolTarget?.() ?? null;
  }

  async insertShares(list: readonly NewShare[]): Promise<number[]> {
    if (list.length === 0) return [];
    list.forEach(shares.validateShare);
    return this.db.tx((q) => this.backend.insertShares(q, list));
  }

  async insertBlock(block: NewBlock): Promise<number> {
    return blocks.insertBlock(this.db, block);
  }

  async updateBlock(id: number, patch: { status?: BlockStatus; reason?: string | null; confirmations?: number; hash?: string }): Promise<void> {
    checkId('block id', id);
    return this.db.tx((q) => blocks.updateBlock(q, id, patch, this.now()));
  }

  async recentBlocks(pool: string, limit: number, beforeId?: number): Promise<LedgerBlockRow[]> {
    return blocks.recentBlocks(this.db, pool, limit, beforeId);
  }

  async blockByHash(pool: string, hash: string): Promise<LedgerBlockRow | null> {
    return blocks.blockByHash(this.db, pool, hash);
  }

  async workerSummaries(pool: string, address: string, o: { since: number; hashrateSince: number; limit: number }): Promise<WorkerSummary[]> {
    return series.workerSummaries(this.db, pool, address, o.since, o.hashrateSince, o.limit);
  }

  async rollupSeries(
    pool: string,
    resolution: SeriesResolution,
    fromMs: number,
    toMs: number,
    fallbackNetworkDifficulty: number | null,
  ): Promise<number> {
    // The aggregation reads outside the write transaction: holding the write lock for it would stall share inserts.
    const rows = await series.computeRollup(this.db, pool, resolution, fromMs, toMs, fallbackNetworkDifficulty);
    return this.db.tx((q) => series.storeRollup(q, rows));
  }

  async rollupHoursFromMinutes(pool: string, fromMs: number, toMs: number): Promise<number> {
    const rows = await series.computeHourRollup(this.db, pool, fromMs, toMs);
    return this.db.tx((q) => series.storeRollup(q, rows));
  }

  async poolSeries(pool: string, resolution: SeriesResolution, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    return series.poolSeries(this.db, pool, resolution, fromMs, toMs);
  }

  async minerSeries(
    pool: string,
    address: string,
    resolution: SeriesResolution,
    fromMs: number,
    toMs: number,
    worker?: string,
  ): Promise<SeriesPoint[]> {
    return series.minerSeries(this.db, pool, address, resolution, fromMs, toMs, worker);
  }

  async lastSeriesTime(pool: string, resolution: SeriesResolution): Promise<number | null> {
    return series.lastSeriesTime(this.db, pool, resolution);
  }

  async pruneSeries(pool: string, resolution: SeriesResolution, beforeMs: number): Promise<number> {
    return this.db.tx((q) => series.pruneSeries(q, pool, resolution, beforeMs));
  }

  async poolStats(pool: string, since: number): Promise<PoolStats> {
    return shares.poolStats(this.db, pool, since);
  }

  async minerSummaries(pool: string, since: number, limit: number): Promise<MinerSummary[]> {
    return shares.minerSummaries(this.db, pool, since, limit);
  }

  async registerInstance(name: string, options: { leaseMs?: number } = {}): Promise<number> {
    const { id, token } = await coordination.registerInstance(this.db, name, options.leaseMs ?? coordination.DEFAULT_INSTANCE_LEASE_MS, this.now);
    this.instanceTokens.set(id, token);
    return id;
  }

  async heartbeatInstance(id: number): Promise<boolean> {
    return coordination.heartbeatInstance(this.db, id, this.tokenOf(id), this.now());
  }

  async releaseInstance(id: number): Promise<void> {
    await coordination.releaseInstance(this.db, id, this.tokenOf(id));
    this.instanceTokens.delete(id);
  }

  private tokenOf(id: number): string {
    const token = this.instanceTokens.get(id);
    if (token === undefined) throw new StoreError(`instance id ${id} was not registered by this store`);
    return token;
  }

  async tryAcquireLease(role: string, holder: string, ttlMs: number): Promise<boolean> {
    return coordination.tryAcquireLease(this.db, role, holder, ttlMs, this.now());
  }

  async releaseLease(role: string, holder: string): Promise<void> {
    return coordination.releaseLease(this.db, role, holder);
  }

  async leaseOf(role: string): Promise<LeaseRow | null> {
    return coordination.leaseOf(this.db, role);
  }

  async sharesBackFrom(pool: string, lastShareId: number, limit: number): Promise<ShareCreditRow[]> {
    return shares.sharesBackFrom(this.db, pool, lastShareId, limit);
  }

  async shareTotalsBetween(pool: string, afterShareIdExclusive: number, upToShareIdInclusive: number): Promise<AddressShareTotal[]> {
    return shares.shareTotalsBetween(this.db, pool, afterShareIdExclusive, upToShareIdInclusive);
  }

  async previousBlockShareId(pool: string, beforeBlockId: number): Promise<number | null> {
    return blocks.previousBlockShareId(this.db, pool, beforeBlockId);
  }

  async blocksByStatus(pool: string | null, statuses: readonly BlockStatus[]): Promise<LedgerBlockRow[]> {
    return blocks.blocksByStatus(this.db, pool, statuses);
  }

  async blockById(id: number): Promise<LedgerBlockRow | null> {
    return blocks.blockById(this.db, id);
  }

  async creditBlock(input: CreditBlockInput): Promise<boolean> {
    return this.db.tx((q) => ledger.creditBlock(q, input, this.now()));
  }

  async orphanBlock(blockId: number, reason: string | null): Promise<boolean> {
    return this.db.tx((q) => ledger.orphanBlock(q, blockId, reason, this.now(), this.lockPool(q)));
  }

  async reinstateBlock(blockId: number, creditedStatus: 'immature' | 'confirmed'): Promise<boolean> {
    return this.db.tx((q) => ledger.reinstateBlock(q, blockId, creditedStatus, this.now(), this.lockPool(q)));
  }

  async blockRewards(blockId: number): Promise<BlockRewardRow[]> {
    return ledger.blockRewards(this.db, blockId);
  }

  async balances(pool: string, options: { minConfirmed?: bigint } = {}): Promise<AddressBalance[]> {
    return ledger.balances(this.db, pool, options.minConfirmed === undefined ? {} : { minConfirmed: options.minConfirmed });
  }

  async balanceOf(pool: string, address: string): Promise<AddressBalance> {
    const [found] = await ledger.balances(this.db, pool, { addresses: [address] });
    return found ?? { address, immature: 0n, confirmed: 0n };
  }

  async ledgerEntries(filter: { pool?: string; address?: string; blockId?: number; paymentId?: number; limit: number }): Promise<LedgerEntryRow[]> {
    return ledger.ledgerEntries(this.db, filter);
  }

  async createPayments(pool: string, items: readonly NewPayment[], options: { batchId?: string } = {}): Promise<PaymentRow[]> {
    return this.db.tx((q) => payments.createPayments(q, pool, items, options.batchId, this.now(), this.lockPool(q)));
  }

  async markPaymentsSent(ids: readonly number[], txid: string): Promise<number> {
    return this.db.tx((q) => payments.markPaymentsSent(q, ids, txid, this.now()));
  }

  async markPaymentsConfirmed(ids: readonly number[]): Promise<number> {
    return payments.markPaymentsConfirmed(this.db, ids, this.now());
  }

  async markPaymentsFailed(ids: readonly number[], reason: string): Promise<number> {
    return this.db.tx((q) => payments.markPaymentsFailed(q, ids, reason, this.now()));
  }

  async notePaymentAttempt(ids: readonly number[], error: string | null): Promise<void> {
    return payments.notePaymentAttempt(this.db, ids, error, this.now());
  }

  async paymentsByStatus(pool: string | null, statuses: readonly PaymentStatus[], limit?: number): Promise<PaymentRow[]> {
    return payments.paymentsByStatus(this.db, pool, statuses, limit);
  }

  async paymentsByAddress(pool: string | null, address: string, limit: number): Promise<PaymentRow[]> {
    return payments.paymentsByAddress(this.db, pool, address, limit);
  }

  async paymentsPage(
    pool: string,
    options: { statuses?: readonly PaymentStatus[]; address?: string; beforeId?: number; limit: number },
  ): Promise<PaymentRow[]> {
    return payments.paymentsPage(this.db, pool, options);
  }

  async paymentsByBatch(batchId: string): Promise<PaymentRow[]> {
    return payments.paymentsByBatch(this.db, batchId);
  }
}
