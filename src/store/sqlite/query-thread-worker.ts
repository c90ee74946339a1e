/**
 * The SQLite query thread: the store calls that read many share rows (THREADED_QUERIES) on a second connection to
 * the file, so an aggregate over hundreds of thousands of shares never blocks the event loop that owns the
 * miners' sockets. It runs the same SqlStore code as the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteStore } from './index.js';
import { type FromQueryThread, isThreadedQuery, type QueryThreadData, type ToQueryThread } from './query-thread-messages.js';

const data = workerData as QueryThreadData;
const port = parentPort;
if (port === null) throw new Error('query-thread-worker must run in a worker thread');
// The main thread migrated the file before starting this thread.
const store = createSqliteStore(data.file);

port.on('message', (message: ToQueryThread) => {
  if (message.method === 'close') {
    void store.close().finally(() => port.close());
    return;
  }
  const { seq, method, args } = message;
  const reply = (m: FromQueryThread): void => port.postMessage(m);
  if (!isThreadedQuery(method)) {
    reply({ seq, ok: false, message: `not a threaded store query: ${String(method)}` });
    return;
  }
  const call = store[method] as (...a: unknown[]) => Promise<unknown>;
  call.apply(store, args).then(
    (value) => reply({ seq, ok: true, value }),
    (err: unknown) => reply({ seq, ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
});
