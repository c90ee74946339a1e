/**
 * Runs the SQLite store's heavy reads (THREADED_QUERIES: window aggregates, PPLNS pages, chart rollups) on a worker
 * thread (query-thread-worker.ts). At a few thousand shares a second one chart rollup aggregated ~10^5–10^6 rows
 * and held the event loop 0.7–1.9 s (soak, bench/RESULTS.md), and a block's PPLNS pages ~0.5 s: every miner's
 * reply waited. The thread starts on the first call and again on the next call if it died; a call it could not
 * answer rejects with the store's message (callers already handle a failing store call).
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.js';
import { startModuleWorker } from '../../threads/module-worker.js';
import { StoreError } from '../errors.js';
import type { Store } from '../types.js';
import { type FromQueryThread, isThreadedQuery, type QueryThreadData, type ThreadedQuery, type ToQueryThread } from './query-thread-messages.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

const CLOSE_TIMEOUT_MS = 5_000;

export class SqliteQueryThread {
  private thread: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly logger?: Logger,
  ) {}

  /** One threaded store call; resolves with what the store method on the thread resolved with. */
  call<M extends ThreadedQuery>(method: M, args: Parameters<Store[M]>): ReturnType<Store[M]> {
    return this.send(method, args) as ReturnType<Store[M]>;
  }

  /**
   * `store` with its THREADED_QUERIES answered by this thread; every other call goes to `store` itself (writes,
   * ledger transactions, short lookups stay on its connection, in its order).
   */
  wrap(store: Store): Store {
    return new Proxy(store, {
      get: (target, prop) => {
        if (isThreadedQuery(prop)) return (...args: unknown[]) => this.send(prop, args);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Lets the call in progress finish (bounded), then stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    if (thread === null) return;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage({ seq: 0, method: 'close', args: [] } satisfies ToQueryThread);
    const timer = setTimeout(() => void thread.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private send(method: ThreadedQuery, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new StoreError(`query thread for ${this.file} is closed`));
    const thread = this.thread ?? this.spawn();
    const seq = this.nextSeq++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      thread.postMessage({ seq, method, args } satisfies ToQueryThread);
    });
  }

  private spawn(): Worker {
    const data: QueryThreadData = { file: this.file };
    const thread = startModuleWorker(import.meta.url, 'query-thread-worker', { ...data });
    // An idle query thread must not keep the process alive.
    thread.unref();
    thread.on('message', (m: FromQueryThread) => {
      const waiting = this.pending.get(m.seq);
      if (waiting === undefined) return;
      this.pending.delete(m.seq);
      if (m.ok) waiting.resolve(m.value);
      else waiting.reject(new StoreError(m.message));
    });
    thread.on('error', (err) => this.logger?.error({ event: 'query_thread_error', err: err.message }, 'store query thread failed'));
    thread.once('exit', (code) => {
      if (this.thread === thread) this.thread = null;
      const lost = [...this.pending.values()];
      this.pending.clear();
      for (const p of lost) p.reject(new StoreError(`store query thread exited (code ${code}) before answering`));
    });
    this.thread = thread;
    return thread;
  }
}
