/**
 * Share inserts for the SQLite store on a worker thread (share-thread-worker.ts), so a batch's synchronous
 * COMMIT (an fsync, 3–18 ms for 256 shares) never blocks the event loop that owns the miners' sockets. The main
 * thread only posts batches and receives ids; a promise resolves only when the thread answered `durable`, which it
 * sends after COMMIT returned. A failed batch rejects with SQLite's message; a thread that dies rejects every batch
 * it held (none of them is acknowledged) and a new thread takes the next batch.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.js';
import { startModuleWorker } from '../../threads/module-worker.js';
import { StoreError } from '../errors.js';
import { validateShare } from '../sql/shares.js';
import type { NewShare, Store } from '../types.js';
import { type FromShareThread, type ShareThreadData, type ToShareThread, toShareColumns } from './share-thread-messages.js';

export interface SqliteShareThreadOptions {
  logger?: Logger;
  /** Tests: see ShareThreadData.holdCommit (a SharedArrayBuffer-backed Int32Array of length >= 1). */
  holdCommit?: Int32Array;
}

/** A batch SQLite refused (disk full, busy, I/O error): nothing of it was committed. */
export class SqliteWriteError extends Error {
  override readonly name = 'SqliteWriteError';
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(code === null ? message : `${message} (${code})`);
  }
}

interface InFlight {
  count: number;
  resolve: (ids: number[]) => void;
  reject: (err: Error) => void;
}

const CLOSE_TIMEOUT_MS = 5_000;

export class SqliteShareThread implements Pick<Store, 'insertShares'> {
  private thread: Worker | null = null;
  /** The current thread answered at least once: replaced at once if it dies (else on the next batch, no loop). */
  private threadAnswered = false;
  private readonly inFlight = new Map<number, InFlight>();
  private nextSeq = 1;
  private closing = false;
  private started = 0;

  private constructor(
    private readonly file: string,
    private readonly options: SqliteShareThreadOptions,
  ) {
    this.ready = this.open(this.spawn());
    this.ready.catch((err: unknown) =>
      options.logger?.error({ event: 'share_thread_open_failed', err: String(err) }, 'share writer thread cannot open the database'),
    );
  }

  private open(thread: Worker): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromShareThread) => {
        if (m.t === 'opened') done(null);
        else if (m.t === 'failed' && m.seq === 0) done(new SqliteWriteError(`share writer thread cannot open ${this.file}: ${m.message}`, m.code));
      };
      const onExit = (code: number) => done(new StoreError(`share writer thread exited with code ${code} while opening ${this.file}`));
      const done = (err: Error | null) => {
        thread.off('message', onMessage);
        thread.off('exit', onExit);
        if (err === null) resolve();
        else reject(err);
      };
      thread.on('message', onMessage);
      thread.on('exit', onExit);
      thread.postMessage({ t: 'open' } satisfies ToShareThread);
    });
  }

  /**
   * Resolves once the first thread opened the (already migrated) database; rejects with the reason it could not
   * (then every batch fails with that reason until an open succeeds). Start-up does not wait for it.
   */
  readonly ready: Promise<void>;

  /** Starts the thread; it opens its connection while the rest of the process starts. */
  static start(file: string, options: SqliteShareThreadOptions = {}): SqliteShareThread {
    if (file === ':memory:' || file === '') throw new StoreError(`a share writer thread needs a database file, got ${JSON.stringify(file)}`);
    return new SqliteShareThread(file, options);
  }

  /** The running thread (tests and diagnostics); null between a death and the next batch. */
  get worker(): Worker | null {
    return this.thread;
  }

  /** Threads started after a death. */
  get restarts(): number {
    return Math.max(0, this.started - 1);
  }

  /** Batches posted and not yet answered. */
  get pending(): number {
    return this.inFlight.size;
  }

  async insertShares(shares: readonly NewShare[]): Promise<number[]> {
    if (this.closing) throw new StoreError('share writer thread is closed');
    if (shares.length === 0) return [];
    shares.forEach(validateShare);
    const thread = this.thread ?? this.spawn();
    const seq = this.nextSeq++;
    return new Promise<number[]>((resolve, reject) => {
      this.inFlight.set(seq, { count: shares.length, resolve, reject });
      // Only while a batch waits does the thread keep the process alive.
      if (this.inFlight.size === 1) thread.ref();
      thread.postMessage({ t: 'insert', seq, shares: toShareColumns(shares) } satisfies ToShareThread);
    });
  }

  /** Waits for the batches in flight, then ends the thread (its connection closes with it). */
  async close(): Promise<void> {
    this.closing = true;
    const thread = this.thread;
    if (thread === null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          void thread.terminate();
        },
        CLOSE_TIMEOUT_MS + (this.inFlight.size > 0 ? CLOSE_TIMEOUT_MS : 0),
      );
      thread.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // Messages are handled in order: every batch posted before `close` is answered first.
      thread.postMessage({ t: 'close' } satisfies ToShareThread);
    });
  }

  private spawn(): Worker {
    const data: ShareThreadData = { file: this.file, holdCommit: this.options.holdCommit ?? null };
    const thread = startModuleWorker(import.meta.url, 'share-thread-worker', { ...data }, { name: 'sqlite-share-writer' });
    thread.unref();
    this.thread = thread;
    this.threadAnswered = false;
    this.started += 1;
    if (this.started > 1) this.options.logger?.warn({ event: 'share_thread_restarted', restarts: this.restarts }, 'share writer thread restarted');
    let lastError: Error | null = null;
    thread.on('message', (m: FromShareThread) => this.answer(thread, m));
    thread.on('error', (err) => {
      lastError = err;
    });
    thread.on('exit', (code) => this.died(thread, code, lastError));
    return thread;
  }

  private answer(thread: Worker, m: FromShareThread): void {
    if (thread === this.thread) this.threadAnswered = true;
    if (m.t === 'opened') return;
    const batch = this.inFlight.get(m.seq);
    if (batch === undefined) return;
    this.inFlight.delete(m.seq);
    if (this.inFlight.size === 0) thread.unref();
    if (m.t === 'failed') batch.reject(new SqliteWriteError(m.message, m.code));
    else if (m.ids.length !== batch.count) batch.reject(new StoreError(`share writer thread returned ${m.ids.length} ids for ${batch.count} shares`));
    else batch.resolve(m.ids);
  }

  private died(thread: Worker, code: number, error: Error | null): void {
    if (this.thread !== thread) return;
    this.thread = null;
    const batches = [...this.inFlight.values()];
    this.inFlight.clear();
    if (this.closing && batches.length === 0) return;
    const reason = error === null ? `exited with code ${code}` : `died: ${error.message}`;
    const lost = batches.reduce((n, b) => n + b.count, 0);
    this.options.logger?.error(
      { event: 'share_thread_died', code, err: error?.message ?? null, batches: batches.length, shares: lost },
      'share writer thread died: its batches in flight were not acknowledged',
    );
    // Nothing of these batches is acknowledged, so none can be a false accept. SQLite rolled back an open
    // transaction when the connection went away; only a death in the microseconds between COMMIT and the answer
    // would leave rows that the miner is nevertheless asked to resubmit.
    for (const b of batches) b.reject(new StoreError(`share writer thread ${reason} before answering: batch not acknowledged`));
    if (!this.closing && this.threadAnswered) this.spawn();
  }
}
