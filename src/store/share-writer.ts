/**
 * Group commit for shares: many shares share one transaction (one fsync), and each caller learns its share's id
 * only after that transaction committed, so a miner is told "accepted" only for a share that is on disk. A batch
 * that fails rejects every share in it.
 *
 * With a spool (PostgreSQL only, see spool/spool.ts): a batch that fails because the database is unreachable is
 * appended to the local journal and fsynced instead, and only then acknowledged (its callers get `null`: durable,
 * id assigned at replay). While the journal holds anything, new batches go there too, keeping the order. A batch
 * refused for its data (constraint, validation) is never spooled: it is rejected as before. Without a spool
 * (SQLite) behaviour is unchanged: a failed batch is rejected (the miner gets error 20, never a false accept).
 */
import type { Logger } from '../log/logger.js';
import { StoreError } from './errors.js';
import { validateShare } from './sql/shares.js';
import type { ShareSpool } from './spool/spool.js';
import type { NewBlock, NewShare, Store } from './types.js';

export interface ShareWriterOptions {
  /** How long the first queued share waits for company before its batch is written (ms). Default 5. */
  maxDelayMs?: number;
  /** Most shares in one transaction; a full queue is written at once. Default 500. */
  maxBatch?: number;
  logger?: Logger;
  /** Where batches go while the database is unreachable (PostgreSQL). None: failed batches are rejected. */
  spool?: ShareSpool;
}

/** What the writer needs of the store; insertBlock only for recordBlock(). */
export type ShareWriterStore = Pick<Store, 'insertShares'> & Partial<Pick<Store, 'insertBlock'>>;

export interface ShareWriterStats {
  batches: number;
  shares: number;
  failedBatches: number;
  failedShares: number;
  /** Shares acknowledged from the journal (the database was unreachable or the journal not yet empty). */
  spooledShares: number;
}

interface Queued {
  share: NewShare;
  resolve: (id: number | null) => void;
  reject: (err: Error) => void;
}

export class ShareWriter {
  private readonly maxDelayMs: number;
  private readonly maxBatch: number;
  private readonly logger: Logger | undefined;
  private readonly spool: ShareSpool | undefined;
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  readonly stats: ShareWriterStats = { batches: 0, shares: 0, failedBatches: 0, failedShares: 0, spooledShares: 0 };

  constructor(
    private readonly store: ShareWriterStore,
    options: ShareWriterOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 5;
    this.maxBatch = options.maxBatch ?? 500;
    this.logger = options.logger;
    this.spool = options.spool;
    if (!Number.isFinite(this.maxDelayMs) || this.maxDelayMs < 0) throw new StoreError(`maxDelayMs must be >= 0, got ${this.maxDelayMs}`);
    if (!Number.isSafeInteger(this.maxBatch) || this.maxBatch < 1) throw new StoreError(`maxBatch must be an integer >= 1, got ${this.maxBatch}`);
  }

  /** Shares waiting for a batch (not counting the batch being written). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Queues a share; resolves with its id once the transaction holding it committed, or with null once it is
   * durable in the spool journal (id assigned at replay); rejects if it was stored nowhere.
   */
  add(share: NewShare): Promise<number | null> {
    if (this.closed) return Promise.reject(new StoreError('share writer is closed'));
    try {
      // A malformed share is refused alone instead of failing the whole batch it would have joined.
      validateShare(share, 0);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<number | null>((resolve, reject) => {
      this.queue.push({ share, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.startDrain();
      else if (this.timer === null && this.draining === null) this.timer = setTimeout(() => this.startDrain(), this.maxDelayMs);
      // While a batch is being written, new shares simply accumulate: the drain loop takes them next.
    });
  }

  /** Writes everything queued so far; resolves when those batches settled (failures reach their add() callers). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.draining !== null) {
      this.startDrain();
      await this.draining;
    }
  }

  /**
   * Writes a found block's row (status candidate). With a spool, the row is journaled instead (resolves null)
   * when the block's share is in the journal (`shareJournaled`: its id exists only after the replay, which then
   * links the two by hash), when the journal is not empty, or when the database is unreachable. Throws when the
   * row was stored nowhere.
   */
  async recordBlock(block: NewBlock, shareJournaled: boolean): Promise<number | null> {
    const insertBlock = this.store.insertBlock?.bind(this.store);
    if (insertBlock === undefined) throw new StoreError('this share writer has no store to record blocks in');
    const spool = this.spool;
    if (spool === undefined) return insertBlock(block);
    const record = {
      kind: 'block' as const,
      block: { ...block, shareId: shareJournaled ? null : block.shareId },
      shareHash: shareJournaled ? block.hash : null,
    };
    if (shareJournaled || spool.active) {
      await spool.journal([record], 'journal not empty');
      return null;
    }
    try {
      return await insertBlock(block);
    } catch (err) {
      if (!spool.isUnavailable(err)) throw err;
      await spool.journal([record], errorText(err));
      return null;
    }
  }

  /** Refuses new shares and drains the queue (the spool, if any, is closed by its owner). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private startDrain(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.draining !== null || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // A share added after the loop's last check but before this point saw a drain running and set no timer.
      if (this.queue.length > 0) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.writeBatch(batch);
    }
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    if (this.spool?.active) return this.spoolBatch(this.spool, batch, 'journal not empty');
    let ids: number[];
    try {
      ids = await this.store.insertShares(batch.map((q) => q.share));
      if (ids.length !== batch.length) throw new StoreError(`insertShares returned ${ids.length} ids for ${batch.length} shares`);
    } catch (err) {
      // A connection error at COMMIT may hide a commit that happened: the replay's (pool, hash) key makes that safe.
      if (this.spool?.isUnavailable(err)) return this.spoolBatch(this.spool, batch, errorText(err));
      this.fail(batch, err);
      return;
    }
    this.stats.batches += 1;
    this.stats.shares += batch.length;
    batch.forEach((q, i) => {
      q.resolve(ids[i] as number);
    });
  }

  private async spoolBatch(spool: ShareSpool, batch: Queued[], cause: string): Promise<void> {
    try {
      await spool.journal(
        batch.map((q) => ({ kind: 'share' as const, share: q.share })),
        cause,
      );
    } catch (err) {
      this.fail(batch, err);
      return;
    }
    this.stats.spooledShares += batch.length;
    for (const q of batch) q.resolve(null);
  }

  private fail(batch: Queued[], err: unknown): void {
    this.stats.failedBatches += 1;
    this.stats.failedShares += batch.length;
    const error = err instanceof Error ? err : new StoreError(String(err));
    this.logger?.error({ event: 'share_batch_failed', shares: batch.length, err: error.message }, 'share batch failed: shares not accepted');
    for (const q of batch) q.reject(error);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
