/**
 * Persistence contract. Two implementations: store/sqlite (embedded default) and store/postgres (production,
 * several pool instances sharing one ledger). Both pass the same test suite (test/store/suite.ts).
 * Amounts are bigint in the chain's smallest unit. Times are unix milliseconds.
 * `pool` is the pool's name ("asic", "gpu", "general", ...): every row belongs to exactly one pool.
 */
import type { SpoolTarget } from './spool/spool.js';

export interface NewShare {
  pool: string;
  /** Pool instance that accepted the share (several instances may share one database). */
  instanceId: number;
  address: string;
  worker: string;
  jobId: string;
  height: number;
  /** The difficulty the job was issued with: what the share is credited at. */
  difficulty: number;
  /** Network difficulty when the share was accepted (for PPLNS windows and stats). */
  networkDifficulty: number;
  /** Difficulty the share's hash actually reached (for "best share"). */
  actualDifficulty: number;
  /** sha256d of the header, display hex (duplicates are detected by it, in memory, before storage). */
  hash: string;
  isBlock: boolean;
  createdAt: number;
}

export type BlockStatus =
  | 'candidate' // written before submission; never counted as found on its own
  | 'rejected' // the node refused it (reason kept)
  | 'pending' // accepted by the node, waiting for confirmations
  | 'immature' // confirmed on chain but coinbase not yet spendable
  | 'confirmed' // mature: credits can be paid
  | 'orphaned'; // no longer on the node's main chain

export interface NewBlock {
  pool: string;
  chain: string;
  height: number;
  hash: string;
  prevHash: string;
  /** The 80-byte header the miner hashed, hex: anyone can re-verify the proof of work. */
  headerHex: string;
  /** What was submitted to the node (block hex, or GXC JSON), for re-submission and audit. */
  submission: string;
  address: string;
  worker: string;
  reward: bigint;
  networkDifficulty: number;
  /** Id of the share that found it (the PPLNS window ends here). */
  shareId: number | null;
  createdAt: number;
}

export interface BlockRow extends NewBlock {
  id: number;
  status: BlockStatus;
  /** The node's answer when rejected/orphaned, or null. */
  reason: string | null;
  confirmations: number;
  updatedAt: number;
}

export interface PoolStats {
  /** Sum of share difficulty over the window: hashrate = sum * 2^32 / windowSeconds. */
  shareDifficultySum: number;
  shareCount: number;
  miners: number;
  workers: number;
}

export interface MinerSummary {
  address: string;
  workers: number;
  shareDifficultySum: number;
  shareCount: number;
  lastShareAt: number;
}

/** Bucket size of a stored time series, in seconds: minutes (kept ~24 h) and hours (kept ~30 days). */
export type SeriesResolution = 60 | 3600;

/** One bucket of a time series: hashrate = difficultySum * 2^32 / resolution. */
export interface SeriesPoint {
  /** Bucket start, unix ms. */
  t: number;
  /** Sum of the accepted shares' credited difficulty in the bucket. */
  difficultySum: number;
  shares: number;
  miners: number;
  workers: number;
  /** Highest network difficulty seen in the bucket (null when unknown). */
  networkDifficulty: number | null;
}

/** One worker of an address, from the shares table (every instance's shares). */
export interface WorkerSummary {
  worker: string;
  /** Difficulty sum and count over the hashrate window. */
  shareDifficultySum: number;
  shareCount: number;
  /** Shares since the summary's `since`. */
  sharesSince: number;
  /** Highest difficulty a share's hash reached since `since`. */
  bestShareDifficulty: number;
  lastShareAt: number;
}

export interface Store extends LedgerStore {
  /** Backend name and location for the startup line ("sqlite:./data/pool.db", "postgres://host/db"). */
  readonly description: string;
  /** Creates or upgrades the schema (idempotent, safe when several instances start at once). */
  migrate(): Promise<void>;
  /** Closes the connection(s); pending operations finish first. */
  close(): Promise<void>;

  /**
   * Writes shares in one transaction and returns their ids in order. Resolves only after the data is durable,
   * so a share can be acknowledged to the miner afterwards.
   */
  insertShares(shares: readonly NewShare[]): Promise<number[]>;
  /**
   * Where a local spool journal can be replayed when this database was unreachable (PostgreSQL), or null when
   * the backend takes no spool (SQLite: a failed write is refused, error 20). Optional for test doubles.
   */
  spoolTarget?(): SpoolTarget | null;
  /** Records a found block (status 'candidate') before it is submitted. Returns its id. */
  insertBlock(block: NewBlock): Promise<number>;
  /**
   * Changes a block's status/reason/confirmations/hash (updatedAt = now). Throws StoreError if the block does
   * not exist, or when asked to orphan a credited block (use `orphanBlock`, which also reverses its credits).
   */
  updateBlock(id: number, patch: { status?: BlockStatus; reason?: string | null; confirmations?: number; hash?: string }): Promise<void>;
  /** The newest blocks of `pool`, newest first; with `beforeId` only blocks with a smaller id (pagination). */
  recentBlocks(pool: string, limit: number, beforeId?: number): Promise<LedgerBlockRow[]>;
  /** The newest block of `pool` with this hash, or null. */
  blockByHash(pool: string, hash: string): Promise<LedgerBlockRow | null>;
  /** Aggregates shares created at or after `since` (ms). */
  poolStats(pool: string, since: number): Promise<PoolStats>;
  /** Per-address aggregates of shares created at or after `since`, largest difficulty sum first. */
  minerSummaries(pool: string, since: number, limit: number): Promise<MinerSummary[]>;
  /** Per-worker figures of one address (see WorkerSummary), at most `limit` workers, by name. */
  workerSummaries(pool: string, address: string, options: { since: number; hashrateSince: number; limit: number }): Promise<WorkerSummary[]>;

  // --- time series (charts) ---

  /**
   * Recomputes the series buckets covering [fromMs, toMs) from the shares table (idempotent: instances sharing a
   * database may all do it). Buckets without shares get zeros and `fallbackNetworkDifficulty`. Returns the number
   * of pool buckets written.
   */
  rollupSeries(pool: string, resolution: SeriesResolution, fromMs: number, toMs: number, fallbackNetworkDifficulty: number | null): Promise<number>;
  /**
   * Recomputes the hour buckets covering [fromMs, toMs) from the stored minute buckets (cheap; exact while those
   * minutes are kept). Hours without minute buckets are left as they are. Returns the hour buckets written.
   */
  rollupHoursFromMinutes(pool: string, fromMs: number, toMs: number): Promise<number>;
  /** Pool buckets with fromMs <= t < toMs, oldest first (missing buckets are not invented). */
  poolSeries(pool: string, resolution: SeriesResolution, fromMs: number, toMs: number): Promise<SeriesPoint[]>;
  /** One miner's buckets (its workers summed, or only `worker`), oldest first; buckets without shares are absent. */
  minerSeries(pool: string, address: string, resolution: SeriesResolution, fromMs: number, toMs: number, worker?: string): Promise<SeriesPoint[]>;
  /** Start of the newest pool bucket stored at `resolution`, or null. */
  lastSeriesTime(pool: string, resolution: SeriesResolution): Promise<number | null>;
  /** Deletes buckets at `resolution` older than `beforeMs`; returns the rows deleted. */
  pruneSeries(pool: string, resolution: SeriesResolution, beforeMs: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------------
// Ledger persistence (instances, leadership, share windows, balances, payments).
// ---------------------------------------------------------------------------------------------------------------

/** Whether a block's rewards are in the balance ledger: credited once, reversed at most once (on orphan). */
export type BlockCreditState = 'none' | 'credited' | 'reversed';

/** One row of the `blocks` table with its ledger state. */
export interface LedgerBlockRow extends BlockRow {
  creditState: BlockCreditState;
}

/** A share as the payout schemes see it: credited at `difficulty` (the job's difficulty). */
export interface ShareCreditRow {
  id: number;
  address: string;
  worker: string;
  difficulty: number;
  createdAt: number;
}

/** Per-address aggregate of a share range (PROP rounds). */
export interface AddressShareTotal {
  address: string;
  /** Sum of `difficulty` of the address's shares in the range. */
  difficultySum: number;
  shareCount: number;
}

/** One miner's part of a block's reward, written by `creditBlock`. */
export interface BlockCredit {
  address: string;
  /** Smallest unit, > 0. */
  amount: bigint;
  /** Sum of share difficulty the address contributed to the block's window/round (shown by the API). */
  shareDifficultySum: number;
  shareCount: number;
}

/** A pool fee credited to an operator address (ledger kind 'fee'). */
export interface BlockFee {
  address: string;
  amount: bigint;
}

export interface CreditBlockInput {
  blockId: number;
  /** One entry per address (duplicates are an error). */
  credits: readonly BlockCredit[];
  /** Fees, one per address. Credits + fees must not exceed the block's reward. */
  fees?: readonly BlockFee[];
  /** Status to set in the same transaction (typically 'immature' or 'confirmed'); omitted = unchanged. */
  status?: BlockStatus;
}

export interface BlockRewardRow {
  blockId: number;
  address: string;
  amount: bigint;
  shareDifficultySum: number;
  shareCount: number;
}

export type LedgerEntryKind = 'credit' | 'fee' | 'reversal' | 'payment' | 'payment_refund';

/** One row of the append-only balance ledger. Credits/fees/refunds are positive, payments/reversals negative. */
export interface LedgerEntryRow {
  id: number;
  pool: string;
  address: string;
  amount: bigint;
  kind: LedgerEntryKind;
  blockId: number | null;
  paymentId: number | null;
  createdAt: number;
}

export interface AddressBalance {
  address: string;
  /** Entries tied to blocks that are not 'confirmed' yet (credits, fees, and their reversals: orphans net to 0). */
  immature: bigint;
  /** Entries of confirmed blocks plus payments (negative) and refunds: what may be paid out. */
  confirmed: bigint;
}

/**
 * pending   – intent recorded and debited; the wallet may or may not have been called (reconcile by batchId)
 * sent      – the wallet returned a txid
 * confirmed – the transaction is confirmed on chain (final)
 * failed    – certainly not paid; the debit was refunded (final)
 */
export type PaymentStatus = 'pending' | 'sent' | 'confirmed' | 'failed';

export interface NewPayment {
  address: string;
  /** Smallest unit, > 0. */
  amount: bigint;
}

export interface PaymentRow {
  id: number;
  pool: string;
  address: string;
  amount: bigint;
  status: PaymentStatus;
  /** Shared by the payments created together (one wallet call): put it in the wallet comment to reconcile. */
  batchId: string;
  txid: string | null;
  /** Times the processor reported trying (see `notePaymentAttempt`). */
  attempts: number;
  /** Last wallet error or the failure reason. */
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Who holds a leadership lease. */
export interface LeaseRow {
  role: string;
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

export interface LedgerStore {
  // --- instances: the id is the first byte of every extranonce1 an instance hands out ---

  /**
   * Claims the lowest instance id in 0..255 not held by a live instance (one whose lease has not expired) and
   * returns it. Safe under concurrency (conditional upsert, retried). The lease lasts `leaseMs` (default 60 s)
   * and must be renewed with `heartbeatInstance`. Throws StoreError when all 256 ids are live.
   */
  registerInstance(name: string, options?: { leaseMs?: number }): Promise<number>;
  /**
   * Renews the lease of an id this Store object registered. Returns false when the lease was lost (expired and
   * claimed by another instance): the caller must stop handing out extranonces with that id and re-register.
   */
  heartbeatInstance(id: number): Promise<boolean>;
  /** Frees an id this Store object registered (no-op if it was lost meanwhile). */
  releaseInstance(id: number): Promise<void>;

  // --- leadership: one holder per role (e.g. 'payments'); a lease row with a conditional upsert ---

  /**
   * Takes or renews the lease for `role`: succeeds when nobody holds it, its lease expired, or `holder` already
   * holds it (renewal). The lease then lasts `ttlMs` from now. Renew well before ttlMs (e.g. every ttlMs/3).
   */
  tryAcquireLease(role: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it (so another instance can take over at once). */
  releaseLease(role: string, holder: string): Promise<void>;
  /** The current lease for `role`, expired or not, or null. */
  leaseOf(role: string): Promise<LeaseRow | null>;

  // --- share windows ---

  /**
   * Shares of `pool` with id <= lastShareId, newest first, at most `limit` (PPLNS windows). Page backwards by
   * calling again with lastShareId = (smallest id returned) - 1.
   */
  sharesBackFrom(pool: string, lastShareId: number, limit: number): Promise<ShareCreditRow[]>;
  /** Per-address difficulty sum and count of shares of `pool` with afterExclusive < id <= upToInclusive. */
  shareTotalsBetween(pool: string, afterShareIdExclusive: number, upToShareIdInclusive: number): Promise<AddressShareTotal[]>;
  /**
   * The shareId of the latest block of `pool` with id < beforeBlockId that ended a round: shareId not null and
   * status not 'candidate'/'rejected' (orphaned blocks did end their round). Null when there is none (PROP: the
   * round starts at the pool's first share).
   */
  previousBlockShareId(pool: string, beforeBlockId: number): Promise<number | null>;

  // --- blocks ---

  /** Blocks in any of `statuses` (of `pool`, or of every pool when null), oldest first. */
  blocksByStatus(pool: string | null, statuses: readonly BlockStatus[]): Promise<LedgerBlockRow[]>;
  /** One block, or null. */
  blockById(id: number): Promise<LedgerBlockRow | null>;

  // --- balance ledger (append-only; a balance is a sum) ---

  /**
   * ATOMIC: inserts the 'credit' (and 'fee') entries and the block_rewards rows, and sets the status if given.
   * Returns false (writing nothing) if the block was already credited or reversed, so a retry is harmless.
   * Throws StoreError if the block is missing, 'rejected'/'orphaned', an amount is <= 0, an address repeats, or
   * credits + fees exceed the block's reward.
   */
  creditBlock(input: CreditBlockInput): Promise<boolean>;
  /**
   * ATOMIC: sets the block 'orphaned' (with reason) and, if it was credited, appends one 'reversal' entry per
   * address cancelling its credits and fees (credit state 'reversed'). Idempotent. Returns true if it reversed
   * credits now. (`updateBlock` refuses to orphan a credited block: use this.)
   */
  orphanBlock(blockId: number, reason: string | null): Promise<boolean>;
  /**
   * ATOMIC compare-and-set for an orphaned block that is back on the node's main chain. If its credits were
   * reversed: sets `creditedStatus` and credit state 'credited' and appends a fresh copy of its original credit
   * and fee entries (a new credit generation; no row is ever edited). If it was never credited: sets it 'pending'.
   * Returns false (writing nothing) when the block is not 'orphaned' any more, so each return credits once.
   * Throws StoreError if the block does not exist.
   */
  reinstateBlock(blockId: number, creditedStatus: 'immature' | 'confirmed'): Promise<boolean>;
  /** The per-address breakdown written by `creditBlock`, largest amount first. */
  blockRewards(blockId: number): Promise<BlockRewardRow[]>;
  /** Balances of every address of `pool` with a non-zero part; `minConfirmed` keeps those with confirmed >= it. */
  balances(pool: string, options?: { minConfirmed?: bigint }): Promise<AddressBalance[]>;
  /** The balance of one address (zeros when it has no entries). */
  balanceOf(pool: string, address: string): Promise<AddressBalance>;
  /** Ledger entries, newest first, filtered by the given fields (audit, API). */
  ledgerEntries(filter: { pool?: string; address?: string; blockId?: number; paymentId?: number; limit: number }): Promise<LedgerEntryRow[]>;

  // --- payments: record the intent before calling the wallet ---

  /**
   * ATOMIC: inserts one 'pending' payment per item (same batchId, generated when not given) and its 'payment'
   * debit entry. Under a per-pool lock it checks each amount against the address's confirmed balance: throws
   * InsufficientBalanceError (nothing written) if any would go negative. Addresses must be distinct (merge
   * first: sendmany refuses duplicates). Returns the rows in item order.
   */
  createPayments(pool: string, items: readonly NewPayment[], options?: { batchId?: string }): Promise<PaymentRow[]>;
  /** 'pending' -> 'sent' with the txid. Payments already sent with the same txid count as done. Returns how many are now sent with it. */
  markPaymentsSent(ids: readonly number[], txid: string): Promise<number>;
  /** 'sent' -> 'confirmed' (final). Returns how many changed. */
  markPaymentsConfirmed(ids: readonly number[]): Promise<number>;
  /**
   * ATOMIC: 'pending' -> 'failed' with reason, plus a 'payment_refund' entry per payment that changed
   * (a unique index makes a second refund impossible). Only call when the money certainly did not leave (the
   * wallet refused, or reconciliation proved it unsent). A 'sent' payment is never failed here: another leader may
   * just have recorded its txid, and refunding it would pay twice. Returns how many changed.
   */
  markPaymentsFailed(ids: readonly number[], reason: string): Promise<number>;
  /** Keeps 'pending' payments pending for a retry: attempts += 1 and error = the wallet's message. */
  notePaymentAttempt(ids: readonly number[], error: string | null): Promise<void>;
  /** Payments in any of `statuses` (of `pool`, or every pool when null), oldest first, at most `limit`. */
  paymentsByStatus(pool: string | null, statuses: readonly PaymentStatus[], limit?: number): Promise<PaymentRow[]>;
  /**
   * Payments to one address, newest first; pool null = of every pool (the pools of one process pay from one node
   * wallet, so reconciliation must see which wallet sends any pool already owns).
   */
  paymentsByAddress(pool: string | null, address: string, limit: number): Promise<PaymentRow[]>;
  /** A page of `pool`'s payments, newest first, optionally of some statuses / one address / with id < beforeId. */
  paymentsPage(
    pool: string,
    options: { statuses?: readonly PaymentStatus[]; address?: string; beforeId?: number; limit: number },
  ): Promise<PaymentRow[]>;
  /** Payments of one batch (one wallet call), in id order: for reconciliation after a crash. */
  paymentsByBatch(batchId: string): Promise<PaymentRow[]>;
}
