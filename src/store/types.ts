/**
 * Persistence contract. Two implementations: store/sqlite (embedded default) and store/postgres (production,
 * several pool instances sharing one ledger). Both pass the same test suite (test/store/suite.ts).
 * Amounts are bigint in the chain's smallest unit. Times are unix milliseconds.
 * `pool` is the pool's name ("asic", "gpu", "general", ...): every row belongs to exactly one pool.
 */

export interface NewShare {
  pool: string;
  /** Pool instance that accepted the share (several instances may share one database). */
  instanceId: number;
  address: string;
  worker: string;
  jobId: string;
  height: number;
  /** The difficulty the job was issued with: what the share is credited at. */
  difficulty: number;
  /** Network difficulty when the share was accepted (for PPLNS windows and stats). */
  networkDifficulty: number;
  /** Difficulty the share's hash actually reached (for "best share"). */
  actualDifficulty: number;
  /** sha256d of the header, display hex (duplicates are detected by it, in memory, before storage). */
  hash: string;
  isBlock: boolean;
  createdAt: number;
}

export type BlockStatus =
  | 'candidate' // written before submission; never counted as found on its own
  | 'rejected' // the node refused it (reason kept)
  | 'pending' // accepted by the node, waiting for confirmations
  | 'immature' // confirmed on chain but coinbase not yet spendable
  | 'confirmed' // mature: credits can be paid
  | 'orphaned'; // no longer on the node's main chain

export interface NewBlock {
  pool: string;
  chain: string;
  height: number;
  hash: string;
  prevHash: string;
  /** The 80-byte header the miner hashed, hex: anyone can re-verify the proof of work. */
  headerHex: string;
  /** What was submitted to the node (block hex, or GXC JSON), for re-submission and audit. */
  submission: string;
  address: string;
  worker: string;
  reward: bigint;
  networkDifficulty: number;
  /** Id of the share that found it (the PPLNS window ends here). */
  shareId: number | null;
  createdAt: number;
}

export interface BlockRow extends NewBlock {
  id: number;
  status: BlockStatus;
  /** The node's answer when rejected/orphaned, or null. */
  reason: string | null;
  confirmations: number;
  updatedAt: number;
}

export interface PoolStats {
  /** Sum of share difficulty over the window: hashrate = sum * 2^32 / windowSeconds. */
  shareDifficultySum: number;
  shareCount: number;
  miners: number;
  workers: number;
}

export interface MinerSummary {
  address: string;
  workers: number;
  shareDifficultySum: number;
  shareCount: number;
  lastShareAt: number;
}

export interface Store {
  /** Backend name and location for the startup line ("sqlite:./data/pool.db", "postgres://host/db"). */
  readonly description: string;
  /** Creates or upgrades the schema (idempotent, safe when several instances start at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Writes shares in one transaction and returns their ids in order. Resolves only after the data is durable,
   * so a share can be acknowledged to the miner afterwards.
   */
  insertShares(shares: readonly NewShare[]): Promise<number[]>;
  /** Records a found block (status 'candidate') before it is submitted. Returns its id. */
  insertBlock(block: NewBlock): Promise<number>;
  updateBlock(id: number, patch: { status?: BlockStatus; reason?: string | null; confirmations?: number; hash?: string }): Promise<void>;
  recentBlocks(pool: string, limit: number): Promise<BlockRow[]>;
  /** Aggregates shares created at or after `since` (ms). */
  poolStats(pool: string, since: number): Promise<PoolStats>;
  minerSummaries(pool: string, since: number, limit: number): Promise<MinerSummary[]>;
}
