/**
 * The SQLite series thread: the chart rollups (aggregating minutes of the shares table, then upserting buckets)
 * on their own connection, so a rollup over hundreds of thousands of shares never blocks the event loop that owns
 * the miners' sockets. It runs the same SqlStore code as the main thread, on a second connection to the file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteStore } from './index.js';
import type { FromSeriesThread, SeriesCall, SeriesThreadData, ToSeriesThread } from './series-thread-messages.js';

const data = workerData as SeriesThreadData;
const port = parentPort;
if (port === null) throw new Error('series-thread-worker must run in a worker thread');
// The main thread migrated the file before starting this thread; this connection only reads shares and upserts series.
const store = createSqliteStore(data.file);

function run(call: SeriesCall): Promise<number> {
  if (call.op === 'rollupSeries') return store.rollupSeries(call.pool, call.resolution, call.fromMs, call.toMs, call.fallbackNetworkDifficulty);
  if (call.op === 'rollupHoursFromMinutes') return store.rollupHoursFromMinutes(call.pool, call.fromMs, call.toMs);
  return store.pruneSeries(call.pool, call.resolution, call.beforeMs);
}

port.on('message', (message: ToSeriesThread) => {
  if (message.call.op === 'close') {
    void store.close().finally(() => port.close());
    return;
  }
  const { seq } = message;
  run(message.call).then(
    (value) => port.postMessage({ seq, ok: true, value } satisfies FromSeriesThread),
    (err: unknown) => port.postMessage({ seq, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies FromSeriesThread),
  );
});
