/**
 * One Ethash verification thread: builds light caches in the shared memory, hashes in light or full mode, and fills
 * full datasets with its idle time (in small chunks, so a hash request waits at most one chunk).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CacheRegion, createEngine, type DatasetRegion } from './engine.js';
import type { EthashWorkerData, FromWorker, ToWorker } from './messages.js';

/** A few ms of work per chunk: the latency a hash request may wait behind background filling. */
const FILL_CHUNK_PAGES = 64;

const port = parentPort;
if (!port) throw new Error('ethash worker must run in a worker thread');
const data = workerData as EthashWorkerData;
const engine = createEngine(data.engine, data.memory, data.scratch);

const caches = new Map<number, CacheRegion>();
const datasets = new Map<number, { dataset: DatasetRegion; fill: boolean }>();
let fillScheduled = false;

function send(msg: FromWorker): void {
  port!.postMessage(msg);
}

function fillStep(): void {
  fillScheduled = false;
  for (const [epoch, entry] of datasets) {
    const cache = caches.get(epoch);
    if (!entry.fill || !cache) continue;
    if (engine.fill(cache, entry.dataset, FILL_CHUNK_PAGES) === 0) {
      entry.fill = false;
      continue;
    }
    scheduleFill();
    return;
  }
}

/** setImmediate lets queued messages (hash requests) run between chunks. */
function scheduleFill(): void {
  if (fillScheduled || datasets.size === 0) return;
  fillScheduled = true;
  setImmediate(fillStep);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'build': {
      const started = performance.now();
      engine.buildCache(msg.cache);
      caches.set(msg.cache.epoch, msg.cache);
      send({ type: 'built', epoch: msg.cache.epoch, ms: performance.now() - started });
      scheduleFill();
      return;
    }
    case 'attach-cache':
      caches.set(msg.cache.epoch, msg.cache);
      scheduleFill();
      return;
    case 'attach-dataset':
      datasets.set(msg.dataset.epoch, { dataset: msg.dataset, fill: msg.fill });
      scheduleFill();
      return;
    case 'drop':
      caches.delete(msg.epoch);
      datasets.delete(msg.epoch);
      send({ type: 'dropped', epoch: msg.epoch });
      return;
    case 'hash': {
      const cache = caches.get(msg.epoch);
      const dataset = datasets.get(msg.epoch)?.dataset ?? null;
      try {
        if (!cache) throw new Error(`no light cache for epoch ${msg.epoch} in this thread`);
        const [first, second] = msg.jobs;
        if (first && second && msg.jobs.length === 2 && !dataset) {
          const [a, b] = engine.hashPair(cache, first, second);
          send({ type: 'hashed', id: first.id, digests: a, full: false });
          send({ type: 'hashed', id: second.id, digests: b, full: false });
        } else {
          for (const job of msg.jobs) {
            send({ type: 'hashed', id: job.id, digests: engine.hash(cache, dataset, job.headerHash, job.nonce), full: dataset !== null });
          }
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        for (const job of msg.jobs) send({ type: 'failed', id: job.id, epoch: msg.epoch, message });
      }
      scheduleFill();
      return;
    }
  }
});
