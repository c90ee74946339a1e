/**
 * The Ethash engine a verification thread runs: the WebAssembly kernels (asm/ethash.ts, built by
 * `npm run build:wasm`) or, when that build is missing, the pure TypeScript reference of src/core/ethash. Both work
 * on the same regions of the verifier's shared memory, so threads may even mix them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  attachLazyDataset,
  buildLightCache,
  fillDatasetChunk,
  fullDatasetSize,
  HASH_BYTES,
  hashimotoFull,
  hashimotoLight,
  keccak512,
  type LazyDataset,
  type LightCache,
  lightCacheSize,
  MIX_BYTES,
  readyBitmapBytes,
  seedHash,
} from '../../core/ethash/index.js';

/** Where `npm run build:wasm` writes the kernels. */
export const WASM_PATH = fileURLToPath(new URL('../../../build/ethash.wasm', import.meta.url));
/** Bytes of per-thread scratch the kernels use (a multiple of 64, ≥ their SCRATCH_BYTES). */
export const SCRATCH_BYTES = 2048;

export type EngineKind = 'wasm' | 'typescript';

export interface HashInput {
  headerHash: Uint8Array;
  nonce: bigint;
}

/** An epoch's light cache in the shared memory. */
export interface CacheRegion {
  epoch: number;
  offset: number;
}

/** An epoch's memoised dataset in the shared memory: pages, ready bitmap, 2 progress words (claim cursor, filled). */
export interface DatasetRegion {
  epoch: number;
  pagesOffset: number;
  readyOffset: number;
  progressOffset: number;
}

export interface EthashEngine {
  readonly kind: EngineKind;
  buildCache(cache: CacheRegion): void;
  /** Mix digest (bytes 0..31) and final hash (32..63) in a new 64-byte array. */
  hash(cache: CacheRegion, dataset: DatasetRegion | null, headerHash: Uint8Array, nonce: bigint): Uint8Array;
  /** Two light-mode hashes of one epoch; the wasm kernels overlap their memory reads (a pair costs ~1.2 singles). */
  hashPair(cache: CacheRegion, first: HashInput, second: HashInput): [Uint8Array, Uint8Array];
  /** Fills the next chunk of pages; returns the pages claimed (0: the dataset is fully claimed). */
  fill(cache: CacheRegion, dataset: DatasetRegion, chunkPages: number): number;
}

export function wasmAvailable(): boolean {
  return existsSync(WASM_PATH);
}

interface Kernels {
  buildCache(cache: number, n: number, scratch: number): void;
  hashimoto(cache: number, n: number, numPages: number, dataset: number, ready: number, progress: number, scratch: number): void;
  hashimotoPair(cache: number, n: number, numPages: number, scratch: number): void;
  fillChunk(cache: number, n: number, numPages: number, dataset: number, ready: number, progress: number, chunk: number, scratch: number): number;
  IO_HEADER: WebAssembly.Global;
  IO_RESULT: WebAssembly.Global;
  IO_HEADER_2: WebAssembly.Global;
  IO_RESULT_2: WebAssembly.Global;
  SCRATCH_BYTES: WebAssembly.Global;
}

export function createEngine(kind: EngineKind, memory: WebAssembly.Memory, scratch: number): EthashEngine {
  return kind === 'wasm' ? wasmEngine(memory, scratch) : typescriptEngine(memory);
}

function wasmEngine(memory: WebAssembly.Memory, scratch: number): EthashEngine {
  const module = new WebAssembly.Module(readFileSync(WASM_PATH));
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('ethash wasm kernel aborted');
      },
    },
  });
  const k = instance.exports as unknown as Kernels;
  if ((k.SCRATCH_BYTES.value as number) > SCRATCH_BYTES) throw new Error('ethash wasm kernels need more scratch than allotted');
  const io = scratch + (k.IO_HEADER.value as number);
  const result = scratch + (k.IO_RESULT.value as number);
  const io2 = scratch + (k.IO_HEADER_2.value as number);
  const result2 = scratch + (k.IO_RESULT_2.value as number);
  const input = (at: number, headerHash: Uint8Array, nonce: bigint) => {
    new Uint8Array(memory.buffer).set(headerHash, at);
    new DataView(memory.buffer).setBigUint64(at + 32, nonce, true);
  };
  const items = (epoch: number) => lightCacheSize(epoch) / HASH_BYTES;
  const pages = (epoch: number) => fullDatasetSize(epoch) / MIX_BYTES;
  return {
    kind: 'wasm',
    buildCache(cache) {
      new Uint8Array(memory.buffer, cache.offset, HASH_BYTES).set(keccak512(seedHash(cache.epoch)));
      k.buildCache(cache.offset, items(cache.epoch), scratch);
    },
    hash(cache, dataset, headerHash, nonce) {
      input(io, headerHash, nonce);
      const d = dataset;
      k.hashimoto(cache.offset, items(cache.epoch), pages(cache.epoch), d?.pagesOffset ?? 0, d?.readyOffset ?? 0, d?.progressOffset ?? 0, scratch);
      return new Uint8Array(memory.buffer).slice(result, result + 64);
    },
    hashPair(cache, first, second) {
      input(io, first.headerHash, first.nonce);
      input(io2, second.headerHash, second.nonce);
      k.hashimotoPair(cache.offset, items(cache.epoch), pages(cache.epoch), scratch);
      const bytes = new Uint8Array(memory.buffer);
      return [bytes.slice(result, result + 64), bytes.slice(result2, result2 + 64)];
    },
    fill(cache, dataset, chunkPages) {
      const n = items(cache.epoch);
      return k.fillChunk(cache.offset, n, pages(cache.epoch), dataset.pagesOffset, dataset.readyOffset, dataset.progressOffset, chunkPages, scratch);
    },
  };
}

function typescriptEngine(memory: WebAssembly.Memory): EthashEngine {
  // Views over the memory as it is now: regions are allocated before they are used, so a view made later covers them.
  const cacheView = (cache: CacheRegion): LightCache => ({
    epoch: cache.epoch,
    numItems: lightCacheSize(cache.epoch) / HASH_BYTES,
    words: new Int32Array(memory.buffer, cache.offset, lightCacheSize(cache.epoch) / 4),
  });
  const datasetView = (d: DatasetRegion): LazyDataset =>
    attachLazyDataset(
      d.epoch,
      new Int32Array(memory.buffer, d.pagesOffset, fullDatasetSize(d.epoch) / 4),
      new Int32Array(memory.buffer, d.readyOffset, readyBitmapBytes(d.epoch) / 4),
      new Int32Array(memory.buffer, d.progressOffset, 2),
    );
  return {
    kind: 'typescript',
    buildCache(cache) {
      buildLightCache(cache.epoch, { into: cacheView(cache).words });
    },
    hash(cache, dataset, headerHash, nonce) {
      const light = cacheView(cache);
      const r = dataset ? hashimotoFull(datasetView(dataset), light, headerHash, nonce) : hashimotoLight(light, headerHash, nonce);
      const out = new Uint8Array(64);
      out.set(r.mixDigest, 0);
      out.set(r.finalHash, 32);
      return out;
    },
    hashPair(cache, first, second) {
      return [this.hash(cache, null, first.headerHash, first.nonce), this.hash(cache, null, second.headerHash, second.nonce)];
    },
    fill(cache, dataset, chunkPages) {
      return fillDatasetChunk(datasetView(dataset), cacheView(cache), chunkPages);
    },
  };
}
