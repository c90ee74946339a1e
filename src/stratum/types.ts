/**
 * The contract between the Stratum server (wire formats, sessions, vardiff) and the pool (jobs, share checks,
 * persistence). Stratum code knows nothing about chains; the pool knows nothing about sockets.
 */

/** Stratum error codes as miners expect them (see ../shared/docs/stratum.md). */
export const StratumErrorCode = {
  Other: 20,
  JobNotFound: 21,
  Duplicate: 22,
  LowDifficulty: 23,
  Unauthorized: 24,
  NotSubscribed: 25,
} as const;
export type StratumErrorCode = (typeof StratumErrorCode)[keyof typeof StratumErrorCode];

/** One SHA-256d job as `mining.notify` carries it (all hex strings already in wire form). */
export interface StratumJob {
  id: string;
  /** prevhash with each 4-byte word swapped (the classic Stratum form). */
  prevHash: string;
  coinb1: string;
  coinb2: string;
  merkleBranch: string[];
  /** 8-hex big-endian version, nbits, ntime. */
  version: string;
  nbits: string;
  ntime: string;
}

export interface SubmitRequest {
  workerName: string;
  jobId: string;
  extranonce2: string;
  ntime: string;
  nonce: string;
  /** BIP310 6th param: the miner's rolled version bits (hex), if any. */
  versionBits?: string;
}

/** What the pool needs to know about the session that sent a share. */
export interface ShareContext {
  sessionId: string;
  remoteAddress: string;
  extranonce1: Buffer;
  extranonce2Size: number;
  /** Payout address and worker name from mining.authorize. */
  address: string;
  worker: string;
  /** Negotiated BIP310 mask (0 when version rolling was not negotiated). */
  versionMask: number;
  /** The difficulty this session sent with the job being submitted (what the share is checked and credited at). */
  jobDifficulty: number;
}

export type ShareVerdict =
  | { ok: true; isBlock: boolean; hashDisplay: string; actualDifficulty: number }
  | { ok: false; code: StratumErrorCode; message: string };

export type AuthorizeResult = { ok: true; address: string; worker: string } | { ok: false; message: string };

export interface StratumBackend {
  /** The newest job, or null while the pool has no valid work (miners then wait; nothing is made up). */
  currentJob(): StratumJob | null;
  /**
   * A new job id for the current work (same content), used after a difficulty change so each job id maps to
   * exactly one difficulty per session. Null when there is no work.
   */
  reissueCurrentJob(): StratumJob | null;
  /** Whether the pool still knows this job id (older ones are stale). */
  hasJob(jobId: string): boolean;
  /** Parses `ADDRESS.WORKER` (or `ADDRESS_WORKER`) and validates the address for the chain. */
  authorize(username: string, password: string): Promise<AuthorizeResult>;
  /** Runs the whole share pipeline; resolves after an accepted share is durably stored. */
  submitShare(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict>;
}
