/** The messages between the Ethash verifier (main thread) and its worker threads, in one typed place. */

/** Main → worker. */
export type ToWorker =
  /** Build the light cache of `epoch` into shared memory and answer `built`. */
  | { type: 'build'; epoch: number }
  /** Use this already-built cache (shared memory, no copy). */
  | { type: 'attach-cache'; epoch: number; words: SharedArrayBuffer }
  /** Use this lazily memoised dataset for `epoch` (full mode); `fill`: fill it with idle time. */
  | { type: 'attach-dataset'; epoch: number; pages: SharedArrayBuffer; ready: SharedArrayBuffer; progress: SharedArrayBuffer; fill: boolean }
  /** Forget the cache and dataset of `epoch` (evicted: the memory is freed once no thread holds it). */
  | { type: 'drop'; epoch: number }
  /** Ethash of (headerHash, nonce) in `epoch`; answer `hashed` or `failed` with the same id. */
  | { type: 'hash'; id: number; epoch: number; headerHash: Uint8Array; nonce: bigint };

/** Worker → main. */
export type FromWorker =
  | { type: 'built'; epoch: number; words: SharedArrayBuffer; ms: number }
  /** `digests`: mix digest (bytes 0..31) then final hash (32..63), in one small buffer of its own. */
  | { type: 'hashed'; id: number; digests: Uint8Array; full: boolean }
  | { type: 'failed'; id: number; epoch: number; message: string };
