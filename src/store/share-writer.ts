/**
 * Group commit for shares: many shares share one transaction (one fsync), and each caller learns its share's id
 * only after that transaction committed, so a miner is told "accepted" only for a share that is on disk. A batch
 * that fails rejects every share in it.
 */
import type { Logger } from '../log/logger.js';
import { StoreError } from './errors.js';
import { validateShare } from './sql/shares.js';
import type { NewShare, Store } from './types.js';

export interface ShareWriterOptions {
  /** How long the first queued share waits for company before its batch is written (ms). Default 5. */
  maxDelayMs?: number;
  /** Most shares in one transaction; a full queue is written at once. Default 500. */
  maxBatch?: number;
  logger?: Logger;
}

export interface ShareWriterStats {
  batches: number;
  shares: number;
  failedBatches: number;
  failedShares: number;
}

interface Queued {
  share: NewShare;
  resolve: (id: number) => void;
  reject: (err: Error) => void;
}

export class ShareWriter {
  private readonly maxDelayMs: number;
  private readonly maxBatch: number;
  private readonly logger: Logger | undefined;
  private queue: Queued[] = [];
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  readonly stats: ShareWriterStats = { batches: 0, shares: 0, failedBatches: 0, failedShares: 0 };

  constructor(
    private readonly store: Pick<Store, 'insertShares'>,
    options: ShareWriterOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 5;
    this.maxBatch = options.maxBatch ?? 500;
    this.logger = options.logger;
    if (!Number.isFinite(this.maxDelayMs) || this.maxDelayMs < 0) throw new StoreError(`maxDelayMs must be >= 0, got ${this.maxDelayMs}`);
    if (!Number.isSafeInteger(this.maxBatch) || this.maxBatch < 1) throw new StoreError(`maxBatch must be an integer >= 1, got ${this.maxBatch}`);
  }

  /** Shares waiting for a batch (not counting the batch being written). */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues a share; resolves with its id once the transaction holding it committed, rejects if it failed. */
  add(share: NewShare): Promise<number> {
    if (this.closed) return Promise.reject(new StoreError('share writer is closed'));
    try {
      // A malformed share is refused alone instead of failing the whole batch it would have joined.
      validateShare(share, 0);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return new Promise<number>((resolve, reject) => {
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

  /** Refuses new shares and drains the queue. */
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
    let ids: number[];
    try {
      ids = await this.store.insertShares(batch.map((q) => q.share));
      if (ids.length !== batch.length) throw new StoreError(`insertShares returned ${ids.length} ids for ${batch.length} shares`);
    } catch (err) {
      this.stats.failedBatches += 1;
      this.stats.failedShares += batch.length;
      const error = err instanceof Error ? err : new StoreError(String(err));
      this.logger?.error({ event: 'share_batch_failed', shares: batch.length, err: error.message }, 'share batch failed: shares not accepted');
      for (const q of batch) q.reject(error);
      return;
    }
    this.stats.batches += 1;
    this.stats.shares += batch.length;
    batch.forEach((q, i) => {
      q.resolve(ids[i] as number);
    });
  }
}
