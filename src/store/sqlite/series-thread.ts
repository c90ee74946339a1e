/**
 * Runs the SQLite store's chart rollups on a worker thread (series-thread-worker.ts). At a few thousand shares a
 * second a rollup aggregates ~10^5–10^6 rows, which took 0.7–1.9 s of the event loop when it ran there (soak,
 * bench/RESULTS.md): every miner's reply waited for it. The thread starts on the first call and is started again
 * on the next call if it died; a call it could not answer rejects (the recorder logs it and retries next minute).
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.js';
import { startModuleWorker } from '../../threads/module-worker.js';
import { StoreError } from '../errors.js';
import type { SeriesResolution, Store } from '../types.js';
import type { FromSeriesThread, SeriesCall, SeriesThreadData, ToSeriesThread } from './series-thread-messages.js';

export type SeriesMaintenance = Pick<Store, 'rollupSeries' | 'rollupHoursFromMinutes' | 'pruneSeries'>;

interface Pending {
  resolve: (value: number) => void;
  reject: (err: Error) => void;
}

const CLOSE_TIMEOUT_MS = 5_000;

export class SqliteSeriesThread implements SeriesMaintenance {
  private thread: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly logger?: Logger,
  ) {}

  rollupSeries(pool: string, resolution: SeriesResolution, fromMs: number, toMs: number, fallbackNetworkDifficulty: number | null): Promise<number> {
    return this.call({ op: 'rollupSeries', pool, resolution, fromMs, toMs, fallbackNetworkDifficulty });
  }

  rollupHoursFromMinutes(pool: string, fromMs: number, toMs: number): Promise<number> {
    return this.call({ op: 'rollupHoursFromMinutes', pool, fromMs, toMs });
  }

  pruneSeries(pool: string, resolution: SeriesResolution, beforeMs: number): Promise<number> {
    return this.call({ op: 'pruneSeries', pool, resolution, beforeMs });
  }

  /** Lets the call in progress finish (bounded), then stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    if (thread === null) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage({ seq: 0, call: { op: 'close' } } satisfies ToSeriesThread);
    const timer = setTimeout(() => void thread.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private call(call: SeriesCall): Promise<number> {
    if (this.closed) return Promise.reject(new StoreError(`series thread for ${this.file} is closed`));
    const thread = this.thread ?? this.spawn();
    const seq = this.nextSeq++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      thread.postMessage({ seq, call } satisfies ToSeriesThread);
    });
  }

  private spawn(): Worker {
    const data: SeriesThreadData = { file: this.file };
    const thread = startModuleWorker(import.meta.url, 'series-thread-worker', { ...data });
    // An idle series thread must not keep the process alive.
    thread.unref();
    thread.on('message', (m: FromSeriesThread) => {
      const waiting = this.pending.get(m.seq);
      if (waiting === undefined) return;
      this.pending.delete(m.seq);
      if (m.ok) waiting.resolve(m.value);
      else waiting.reject(new StoreError(m.message));
    });
    thread.on('error', (err) => this.logger?.error({ event: 'series_thread_error', err: err.message }, 'series thread failed'));
    thread.once('exit', (code) => {
      if (this.thread === thread) this.thread = null;
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) p.reject(new StoreError(`series thread exited (code ${code}) before answering`));
    });
    this.thread = thread;
    return thread;
  }
}
