/**
 * A lazily memoised full dataset in shared memory: a page (128 bytes) is computed from the light cache the first
 * time any thread needs it, then read by every thread; idle threads fill the rest in chunks. Once warm, a hash
 * costs 64 page reads instead of 64 x 512 cache reads. Pure: memory and Atomics only, no I/O.
 *
 * Publication: a page's 32 words are written before its bit in `ready` is set with Atomics.or; a reader that sees
 * the bit (Atomics.load) sees the words. Two threads may compute the same page at once: they write identical words.
 */
import { datasetPage, type LightCache } from './cache.js';
import { type EthashResult, hashimoto, type PageSource } from './hashimoto.js';
import { fullDatasetSize, MIX_BYTES } from './params.js';

export interface LazyDataset {
  epoch: number;
  numPages: number;
  /** numPages x 32 words. */
  pages: Int32Array;
  /** One bit per page: set once the page's words are in `pages`. */
  ready: Int32Array;
  /** [0] next page a filler claims, [1] pages computed so far (exact: counted by whoever set the bit). */
  progress: Int32Array;
}

/** Allocates (virtual memory only: pages are zero until written) the shared buffers of an epoch's dataset. */
export function allocateLazyDataset(epoch: number): LazyDataset {
  const size = fullDatasetSize(epoch);
  const numPages = size / MIX_BYTES;
  return {
    epoch,
    numPages,
    pages: new Int32Array(new SharedArrayBuffer(size)),
    ready: new Int32Array(new SharedArrayBuffer(readyBitmapBytes(epoch))),
    progress: new Int32Array(new SharedArrayBuffer(8)),
  };
}

/** A dataset over memory received from another thread: numPages x 128 bytes, the ready bits, the 2 progress words. */
export function attachLazyDataset(epoch: number, pages: Int32Array, ready: Int32Array, progress: Int32Array): LazyDataset {
  const numPages = fullDatasetSize(epoch) / MIX_BYTES;
  if (pages.length !== numPages * 32 || ready.length < Math.ceil(numPages / 32) || progress.length < 2) {
    throw new RangeError(`dataset views do not fit epoch ${epoch} (${numPages} pages)`);
  }
  return { epoch, numPages, pages, ready, progress };
}

/** Bytes of the ready bitmap of an epoch's dataset (one bit per page, whole 32-bit words). */
export function readyBitmapBytes(epoch: number): number {
  return Math.ceil(fullDatasetSize(epoch) / MIX_BYTES / 32) * 4;
}

function computePage(dataset: LazyDataset, cache: LightCache, page: number, scratch: Int32Array): void {
  datasetPage(cache, page, scratch);
  dataset.pages.set(scratch, page * 32);
  const bit = 1 << (page & 31);
  const before = Atomics.or(dataset.ready, page >>> 5, bit);
  if ((before & bit) === 0) Atomics.add(dataset.progress, 1, 1);
}

export function isPageReady(dataset: LazyDataset, page: number): boolean {
  return (Atomics.load(dataset.ready, page >>> 5) & (1 << (page & 31))) !== 0;
}

/** A page source reading memoised pages and computing (and publishing) missing ones from the light cache. */
export function memoisedPages(dataset: LazyDataset, cache: LightCache): PageSource {
  if (cache.epoch !== dataset.epoch) throw new Error(`cache of epoch ${cache.epoch} does not belong to the dataset of epoch ${dataset.epoch}`);
  const scratch = new Int32Array(32);
  return (page, out) => {
    if (!isPageReady(dataset, page)) computePage(dataset, cache, page, scratch);
    const base = page * 32;
    for (let k = 0; k < 32; k++) out[k] = dataset.pages[base + k]!;
  };
}

/** Ethash over the memoised dataset: same result as hashimotoLight, much faster once the pages it reads are warm. */
export function hashimotoFull(dataset: LazyDataset, cache: LightCache, headerHash: Uint8Array, nonce: bigint): EthashResult {
  return hashimoto(dataset.numPages, memoisedPages(dataset, cache), headerHash, nonce);
}

/**
 * Claims the next `chunkPages` pages and computes those not yet ready. Returns how many pages were claimed
 * (0 when the whole dataset has been claimed: filling is over).
 */
export function fillDatasetChunk(dataset: LazyDataset, cache: LightCache, chunkPages: number): number {
  const start = Atomics.add(dataset.progress, 0, chunkPages);
  if (start >= dataset.numPages) return 0;
  const end = Math.min(dataset.numPages, start + chunkPages);
  const scratch = new Int32Array(32);
  for (let page = start; page < end; page++) if (!isPageReady(dataset, page)) computePage(dataset, cache, page, scratch);
  return end - start;
}

/** Pages computed so far (by lookups and fillers together). */
export function filledPages(dataset: LazyDataset): number {
  return Atomics.load(dataset.progress, 1);
}
