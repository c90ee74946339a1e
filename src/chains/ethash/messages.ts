/** The messages between the Ethash verifier (main thread) and its worker threads, in one typed place. */
import type { CacheRegion, DatasetRegion, EngineKind } from './engine.js';

/** Given to each thread at start: the shared memory, its own scratch region, the engine to run. */
export interface EthashWorkerData {
  memory: WebAssembly.Memory;
  scratch: number;
  engine: EngineKind;
}

/** Main → worker. */
export type ToWorker =
  /** Build the light cache of `cache.epoch` in its region and answer `built`. */
  | { type: 'build'; cache: CacheRegion }
  /** Use this built cache (shared memory: no copy). */
  | { type: 'attach-cache'; cache: CacheRegion }
  /** Use this lazily memoised dataset (full mode); `fill`: fill it with idle time. */
  | { type: 'attach-dataset'; dataset: DatasetRegion; fill: boolean }
  /** Stop using the cache and dataset of `epoch` and answer `dropped`: only then may its regions be reused. */
  | { type: 'drop'; epoch: number }
  /** Ethash of each (headerHash, nonce) in `epoch` (one, or a pair computed together); `hashed`/`failed` per id. */
  | { type: 'hash'; epoch: number; jobs: Array<{ id: number; headerHash: Uint8Array; nonce: bigint }> };

/** Worker → main. */
export type FromWorker =
  | { type: 'built'; epoch: number; ms: number }
  | { type: 'dropped'; epoch: number }
  /** `digests`: mix digest (bytes 0..31) then final hash (32..63), in one small buffer of its own. */
  | { type: 'hashed'; id: number; digests: Uint8Array; full: boolean }
  | { type: 'failed'; id: number; epoch: number; message: string };
