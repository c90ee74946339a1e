/**
 * One Ethash verification thread: builds light caches into shared memory, hashes in light or full mode, and fills
 * full datasets with its idle time (in small chunks, so a hash request waits at most one chunk).
 */
import { parentPort } from 'node:worker_threads';
import {
  attachLazyDataset,
  buildLightCache,
  fillDatasetChunk,
  hashimotoFull,
  hashimotoLight,
  HASH_BYTES,
  type LazyDataset,
  type LightCache,
} from '../../core/ethash/index.js';
import type { FromWorker, ToWorker } from './messages.js';

/** ~10–40 ms of work per chunk: the latency a hash request may wait behind background filling. */
const FILL_CHUNK_PAGES = 256;

const port = parentPort;
if (!port) throw new Error('ethash worker must run in a worker thread');

const caches = new Map<number, LightCache>();
const datasets = new Map<number, { dataset: LazyDataset; fill: boolean }>();
let fillScheduled = false;

function send(msg: FromWorker): void {
  port!.postMessage(msg);
}

function fillStep(): void {
  fillScheduled = false;
  for (const [epoch, entry] of datasets) {
    const cache = caches.get(epoch);
    if (!entry.fill || !cache) continue;
    if (fillDatasetChunk(entry.dataset, cache, FILL_CHUNK_PAGES) === 0) {
      entry.fill = false;
      continue;
    }
    scheduleFill();
    return;
  }
}

/** setImmediate lets queued messages (hash requests) run between chunks. */
function scheduleFill(): void {
  if (fillScheduled) return;
  fillScheduled = true;
  setImmediate(fillStep);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'build': {
      const started = performance.now();
      const cache = buildLightCache(msg.epoch, { shared: true });
      caches.set(msg.epoch, cache);
      send({ type: 'built', epoch: msg.epoch, words: cache.words.buffer as SharedArrayBuffer, ms: performance.now() - started });
      scheduleFill();
      return;
    }
    case 'attach-cache':
      caches.set(msg.epoch, { epoch: msg.epoch, numItems: msg.words.byteLength / HASH_BYTES, words: new Int32Array(msg.words) });
      scheduleFill();
      return;
    case 'attach-dataset':
      datasets.set(msg.epoch, { dataset: attachLazyDataset(msg.epoch, msg.pages, msg.ready, msg.progress), fill: msg.fill });
      scheduleFill();
      return;
    case 'drop':
      caches.delete(msg.epoch);
      datasets.delete(msg.epoch);
      return;
    case 'hash': {
      const cache = caches.get(msg.epoch);
      if (!cache) {
        send({ type: 'failed', id: msg.id, epoch: msg.epoch, message: `no light cache for epoch ${msg.epoch} in this thread` });
        return;
      }
      try {
        const dataset = datasets.get(msg.epoch)?.dataset;
        const result = dataset ? hashimotoFull(dataset, cache, msg.headerHash, msg.nonce) : hashimotoLight(cache, msg.headerHash, msg.nonce);
        const digests = new Uint8Array(64);
        digests.set(result.mixDigest, 0);
        digests.set(result.finalHash, 32);
        send({ type: 'hashed', id: msg.id, digests, full: dataset !== undefined });
      } catch (err) {
        send({ type: 'failed', id: msg.id, epoch: msg.epoch, message: err instanceof Error ? err.message : String(err) });
      }
      scheduleFill();
      return;
    }
  }
});
