/** The Ethash verifier's public types: requests, results, options, stats, errors, options from config. */
import type { Logger } from '../../log/logger.js';
import type { EngineKind } from './engine.js';

export interface EthashResult {
  mixDigest: Buffer;
  finalHash: Buffer;
}

export interface EthashVerifier {
  /** Ethash of (headerHash, nonce) at blockNumber's epoch, computed off the event loop. */
  hash(req: { blockNumber: number; headerHash: Buffer; nonce: bigint }): Promise<EthashResult>;
  /** Builds (or starts building) the epoch caches for this block number and the next epoch ahead of the switch. */
  prepare(blockNumber: number): Promise<void>;
  stats(): EthashVerifierStats;
  close(): Promise<void>;
}

export interface EthashVerifierStats {
  epochsCached: number[];
  threads: number;
  mode: 'light' | 'full';
  /** WebAssembly kernels, or the TypeScript reference when they are not built. */
  engine: EngineKind;
  /** Bytes of the shared memory (caches, datasets, scratch). */
  memoryBytes: number;
  queued: number;
  /** Full mode: how far each epoch's memoised dataset is filled. */
  datasets: Array<{ epoch: number; pagesFilled: number; pages: number }>;
}

export interface EthashVerifierOptions {
  /** Verification threads (default: cores − 1, at least 2, at most 4). */
  threads?: number;
  /** Light caches kept in memory (16 MB and up each; default 3: a late share's epoch, the current, the next). */
  maxCachedEpochs?: number;
  /** Memoised full dataset (≥ 1 GB per epoch), used when the budget holds at least one epoch's dataset. */
  fullDataset?: { enabled: boolean; memoryBudgetBytes: number; backgroundFill?: boolean };
  /** Requests waiting for a thread beyond this are refused (default 4096). */
  maxQueued?: number;
  /** Default: 'wasm' when `npm run build:wasm` has built the kernels, else 'typescript' (slower, same results). */
  engine?: EngineKind;
  logger?: Logger;
}

/** A request refused because the queue is full: the caller should reject the share as "busy", not crash. */
export class EthashQueueFullError extends Error {
  constructor(queued: number) {
    super(`ethash verification queue full (${queued} waiting)`);
    this.name = 'EthashQueueFullError';
  }
}

/** Verifier options from the `ethash` config section (threads 0 = automatic, budget in MB). */
export function ethashVerifierOptions(
  config: { threads: number; maxCachedEpochs: number; fullDataset: { enabled: boolean; memoryBudgetMb: number } },
  logger?: Logger,
): EthashVerifierOptions {
  return {
    ...(config.threads > 0 ? { threads: config.threads } : {}),
    maxCachedEpochs: config.maxCachedEpochs,
    fullDataset: { enabled: config.fullDataset.enabled, memoryBudgetBytes: config.fullDataset.memoryBudgetMb * 2 ** 20 },
    ...(logger ? { logger } : {}),
  };
}
