import type { Logger } from '../log/logger.js';

export interface MinerOptions {
  /** stratum+tcp://host:port (also accepted: tcp://host:port or host:port). */
  url: string;
  /** Usually PAYOUT_ADDRESS.WORKER. */
  user: string;
  /** Default "x". */
  password?: string;
  /** Hashing worker threads. Default 1. */
  threads?: number;
  /** Sent as mining.suggest_difficulty right after subscribing. */
  suggestDifficulty?: number;
  /** Negotiate BIP310 version rolling (mining.configure) and roll BIP320 bits. */
  versionRolling?: boolean;
  logger?: Logger;
  /** Throttle for demos on shared machines (total over all threads). Default unlimited. */
  maxHashesPerSecond?: number;
  /** First reconnect delay after the pool closes the connection; doubles up to 30 s. Default 1000 ms. */
  reconnectDelayMs?: number;
  /** Sent in mining.subscribe and as the client.get_version answer. */
  userAgent?: string;
}

export interface MinerStats {
  accepted: number;
  rejected: number;
  /** Hashes computed since start. */
  hashes: number;
  /** Shares whose hash also met the network target from nbits (the pool decides whether it was a block). */
  blocksHinted: number;
  /** Share difficulty of the job being mined (or the last one the pool set, before the first job). */
  difficulty: number;
  lastError?: string;
}

export interface ShareEvent {
  jobId: string;
  extranonce2: string;
  ntime: string;
  nonce: string;
  versionBits?: string;
  difficulty: number;
  /** Block hash in display order (reversed digest). */
  hashDisplay: string;
  /** The pool's reason for a rejection. */
  reason?: string;
}

export interface JobEvent {
  jobId: string;
  clean: boolean;
  difficulty: number;
}

export interface MinerEvents {
  accepted: (share: ShareEvent) => void;
  rejected: (share: ShareEvent) => void;
  job: (job: JobEvent) => void;
  error: (err: Error) => void;
}

export interface MinerHandle {
  /** Closes the connection and ends the hashing threads. */
  stop(): Promise<void>;
  stats(): MinerStats;
  on<E extends keyof MinerEvents>(event: E, fn: MinerEvents[E]): MinerHandle;
}
