import type { Logger } from '../log/logger.js';

/** What both built-in miners (SHA-256d and Ethash) are told about their pool and themselves. */
export interface MinerConnectionOptions {
  /** stratum+tcp://host:port (also accepted: tcp://host:port or host:port). */
  url: string;
  /** Usually PAYOUT_ADDRESS.WORKER. */
  user: string;
  /** Default "x". */
  password?: string;
  /** Hashing worker threads. Default 1. */
  threads?: number;
  logger?: Logger;
  /** First reconnect delay after the pool closes the connection; doubles up to 30 s. Default 1000 ms. */
  reconnectDelayMs?: number;
  /** Sent in the subscribe/login (and, SHA-256d, as the client.get_version answer). */
  userAgent?: string;
}

export interface MinerOptions extends MinerConnectionOptions {
  /** Sent as mining.suggest_difficulty right after subscribing. */
  suggestDifficulty?: number;
  /** Negotiate BIP310 version rolling (mining.configure) and roll BIP320 bits. */
  versionRolling?: boolean;
  /** Throttle for demos on shared machines (total over all threads). Default unlimited. */
  maxHashesPerSecond?: number;
}

export interface MinerStats {
  accepted: number;
  rejected: number;
  /** Hashes computed since start. */
  hashes: number;
  /** Shares whose hash also met the network target from nbits (the pool decides whether it was a block). */
  blocksHinted: number;
  /**
   * Shares found while MAX_SUBMITS_IN_FLIGHT submits were still unanswered, and not sent: on a chain where every
   * hash is a share the search outruns any pool, and a miner that kept writing would stop reading its replies.
   */
  heldBack?: number;
  /** Share difficulty of the job being mined (or the last one the pool set, before the first job). */
  difficulty: number;
  lastError?: string;
}

/** What every share event carries, whatever the algorithm (the CLI logs these). */
export interface BaseShareEvent {
  jobId: string;
  nonce: string;
  difficulty: number;
  /** SHA-256d: block hash in display order (reversed digest); Ethash: the final hash. */
  hashDisplay: string;
  /** The pool's reason for a rejection. */
  reason?: string;
}

export interface ShareEvent extends BaseShareEvent {
  extranonce2: string;
  ntime: string;
  versionBits?: string;
}

/** An Ethash share: 16 hex nonce, header hash and mix digest as submitted. */
export interface EthashShareEvent extends BaseShareEvent {
  headerHash: string;
  mixDigest: string;
}

export interface JobEvent {
  jobId: string;
  clean: boolean;
  difficulty: number;
}

export interface MinerEventsOf<S extends BaseShareEvent> {
  accepted: (share: S) => void;
  rejected: (share: S) => void;
  job: (job: JobEvent) => void;
  error: (err: Error) => void;
}
export type MinerEvents = MinerEventsOf<ShareEvent>;

export interface MinerHandleOf<S extends BaseShareEvent> {
  /** Closes the connection and ends the hashing threads. */
  stop(): Promise<void>;
  stats(): MinerStats;
  on<E extends keyof MinerEventsOf<S>>(event: E, fn: MinerEventsOf<S>[E]): MinerHandleOf<S>;
}
export type MinerHandle = MinerHandleOf<ShareEvent>;
