/**
 * The PostgreSQL spool: where acknowledged shares (and found blocks' rows) go while the database cannot take
 * them, and the replayer that moves them into the database, in order, once it is back.
 *
 * - `journal()` appends records and fsyncs before resolving: the share writer acknowledges miners only after it.
 * - While the journal holds anything, new batches are journaled too (the writer asks `active`), so the database
 *   receives this instance's shares in the order they were accepted.
 * - The replayer retries with backoff (250 ms doubling to 5 s). Each pass writes up to REPLAY_CHUNK records in one
 *   transaction through the target, which is idempotent (shares keyed by (pool, hash), blocks by (pool, hash)):
 *   a crash between the commit and the truncation replays those records again without counting them twice.
 * - The last chunk is replayed while holding the journal lock, so no append can slip in between that commit and
 *   the truncation: under a steady stream of shares the journal still reaches empty and direct writes resume.
 */
import type { Logger } from '../../log/logger.js';
import type { SpoolJournal } from './journal.js';
import type { SpoolRecord } from './records.js';

/** The database side of the replay (PostgreSQL): idempotent, in order, one transaction per call. */
export interface SpoolTarget {
  replay(records: readonly SpoolRecord[]): Promise<void>;
  /** True for errors that mean "the database is not reachable now" (spool), false for errors in the data. */
  isUnavailable(err: unknown): boolean;
}

export interface SpoolState {
  /** Records in the journal not yet known to be in the database. */
  depth: number;
  journalBytes: number;
  /** Records replayed into the database since start. */
  replayed: number;
  /** Why spooling started (the database error), while the journal is not empty. */
  cause: string | null;
}

const REPLAY_CHUNK = 1000;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5000;

export class ShareSpool {
  private pending: SpoolRecord[];
  private lock: Promise<unknown> = Promise.resolve();
  /** Passes never overlap (start-up replay vs. background replayer): each removes the chunk it wrote. */
  private passes: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private backoffMs = BACKOFF_FIRST_MS;
  private closed = false;
  private replayedTotal = 0;
  private cause: string | null = null;

  constructor(
    private readonly file: SpoolJournal,
    private readonly target: SpoolTarget,
    leftover: readonly SpoolRecord[],
    private readonly logger?: Logger,
  ) {
    this.pending = [...leftover];
    if (this.pending.length > 0) this.cause = 'journal left by a previous run';
  }

  /** True while the journal holds records: new batches must follow them into the journal. */
  get active(): boolean {
    return this.pending.length > 0;
  }

  /** Whether a database error means "unreachable" (spool the batch) rather than "bad data" (reject it). */
  isUnavailable(err: unknown): boolean {
    return this.target.isUnavailable(err);
  }

  get state(): SpoolState {
    return { depth: this.pending.length, journalBytes: this.file.bytes, replayed: this.replayedTotal, cause: this.cause };
  }

  /** Appends and fsyncs; resolves once the records are durable. Starts the replayer. */
  async journal(records: readonly SpoolRecord[], cause: string): Promise<void> {
    await this.locked(async () => {
      await this.file.append(records);
      if (this.pending.length === 0) {
        this.cause = cause;
        this.logger?.warn(
          { event: 'spool_started', cause, journal: this.file.file },
          `database unavailable (${cause}): spooling shares to the journal`,
        );
      }
      this.pending.push(...records);
    });
    this.schedule(0);
  }

  /** Replays everything now (start-up, tests). Resolves true when the journal is empty, false if the database refused. */
  async replayAll(): Promise<boolean> {
    while (this.pending.length > 0 && !this.closed) {
      const ok = await this.replayPass();
      if (!ok) return false;
    }
    return this.pending.length === 0;
  }

  /** Starts the background replayer (with backoff) if records are pending. */
  startReplayer(): void {
    if (this.pending.length > 0) this.schedule(0);
  }

  /** Stops the replayer (records left stay in the file for the next start) and closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.running !== null) await this.running;
    await this.locked(() => this.file.close());
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn);
    this.lock = result.catch(() => undefined);
    return result;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer !== null || this.running !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runUntilEmpty().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async runUntilEmpty(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      if (!(await this.replayPass())) {
        const wait = this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
        // The finally() of this run clears `running` after we return; schedule once it did.
        setImmediate(() => this.schedule(wait));
        return;
      }
    }
  }

  /** One transaction's worth. False when the database refused (logged); the records stay pending. */
  private replayPass(): Promise<boolean> {
    const result = this.passes.then(() => this.replayPassAlone());
    this.passes = result.catch(() => undefined);
    return result;
  }

  private async replayPassAlone(): Promise<boolean> {
    if (this.pending.length === 0) return true;
    const last = this.pending.length <= REPLAY_CHUNK;
    const pass = async (): Promise<void> => {
      const chunk = this.pending.slice(0, REPLAY_CHUNK);
      await this.target.replay(chunk);
      this.pending.splice(0, chunk.length);
      this.replayedTotal += chunk.length;
      const shares = chunk.filter((r) => r.kind === 'share').length;
      this.logger?.info(
        { event: 'spool_replayed', shares, blocks: chunk.length - shares, left: this.pending.length },
        `replayed ${shares} shares${chunk.length > shares ? ` and ${chunk.length - shares} blocks` : ''} from the journal`,
      );
    };
    try {
      if (last) {
        await this.locked(async () => {
          await pass();
          if (this.pending.length === 0) await this.emptied();
        });
      } else {
        await pass();
      }
      this.backoffMs = BACKOFF_FIRST_MS;
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.target.isUnavailable(err)) {
        this.logger?.warn({ event: 'spool_replay_waiting', depth: this.pending.length, err: message }, 'database still unavailable; journal kept');
      } else {
        // Not a connection problem: retried with backoff all the same (never dropped); an operator must look.
        this.logger?.error({ event: 'spool_replay_failed', depth: this.pending.length, err: message }, 'journal replay failed; will retry');
      }
      return false;
    }
  }

  private async emptied(): Promise<void> {
    await this.file.clear();
    this.cause = null;
    this.logger?.info({ event: 'spool_empty', replayed: this.replayedTotal }, 'journal empty: shares are written to the database directly again');
  }
}
