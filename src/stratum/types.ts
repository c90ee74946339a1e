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
  /**
   * Set when the session is over its pending-submit limit: the backend must refuse the share (error 20) unless it
   * is a block, which is never refused for load. (The SV1 session no longer sets it: requests of a connection are
   * judged one at a time and the connection's flow control bounds what waits.)
   */
  blockOnly?: boolean;
}

export type ShareVerdict =
  | { ok: true; isBlock: boolean; hashDisplay: string; actualDifficulty: number }
  | {
      ok: false;
      code: StratumErrorCode;
      message: string;
      /**
       * The work itself is wrong (an Ethash mix digest that is not Ethash's): the miner's fault like a duplicate or
       * a low-difficulty share, so it counts toward the invalid-share ban, though it travels under code 20.
       */
      badWork?: true;
    };

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

// ---- Server-side surface (additive): what the pool and the API call on a running Stratum server. ----

/** Hands out 4-byte extranonce1 values unique among live sessions (and among pool instances via the id byte). */
export interface Extranonce1Allocator {
  /** Bytes per extranonce1 this allocator hands out. */
  readonly size: number;
  /** A value not held by any live session, or null when the space is exhausted. */
  allocate(): Buffer | null;
  /** Gives a value back; it may be handed out again later. */
  release(extranonce1: Buffer): void;
}

/** The mining algorithms a port can serve; the first message of a connection tells them apart. */
export type StratumAlgorithm = 'sha256d' | 'ethash';

/** One connected miner as the API shows it. */
export interface StratumSessionSummary {
  id: string;
  remote: string;
  algorithm: StratumAlgorithm | null;
  /** Worker name / payout address of the first authorized worker (null before authorize). */
  worker: string | null;
  address: string | null;
  userAgent: string | null;
  subscribed: boolean;
  authorized: boolean;
  difficulty: number;
  sharesAccepted: number;
  sharesRejected: number;
  /** Sum of the job difficulties of accepted shares (the work credited). */
  difficultyAccepted: number;
  connectedSince: Date;
  lastShareAt: Date | null;
}

/** Server-to-client messages the pool may send to one session. */
export interface StratumSessionControl {
  readonly id: string;
  /** `client.show_message [text]`. */
  showMessage(text: string): void;
  /** `client.reconnect [host, port, wait]`; the session is closed after `waitSeconds` (plus a grace period). */
  reconnect(host: string, port: number, waitSeconds: number): void;
  /**
   * Moves the miner to a new extranonce1 (`mining.set_extranonce`), only for sessions that sent
   * `mining.extranonce.subscribe`; followed by a fresh job. Returns false when not possible.
   */
  setExtranonce(): boolean;
  /** Sets this session's difficulty (clamped to floor/ceiling), sends it and a fresh job. */
  setDifficulty(difficulty: number): void;
  /** Closes the connection. */
  disconnect(reason: string): void;
}

export interface StratumServer {
  /** The ban list this server enforces (one per process, shared by every pool's server). */
  readonly bans: BanList;
  /** Starts listening; resolves with the actual port (use port 0 for an ephemeral one). */
  listen(port: number, host?: string): Promise<number>;
  /** Starts a TLS listener (`stratum+ssl://`) for the same pool: same limits, bans and sessions as plain TCP. */
  listenTls(port: number, host: string, material: { cert: Buffer; key: Buffer }): Promise<number>;
  /** Replaces the TLS certificate and key for new handshakes (SIGHUP); no-op without a TLS port. */
  setSecureContext(material: { cert: Buffer; key: Buffer }): void;
  /** Sends a job to every subscribed and authorized session, each with its own current difficulty. */
  broadcastJob(job: StratumJob, cleanJobs: boolean): void;
  /**
   * Sends an Ethash job to every ready Ethash session, each encoded in its dialect at its own difficulty (a no-op
   * on a server without an Ethash backend).
   */
  broadcastEthashJob(job: EthashJob, clean: boolean): void;
  /**
   * Caps share difficulty at `ceiling` (the pool passes the network difficulty: a share target harder than the
   * block target would withhold block-meeting hashes). The configured ceiling still applies; the floor drops
   * with the cap when needed. Sessions above the cap are lowered at once.
   */
  setDifficultyCeiling(ceiling: number): void;
  sessions(): StratumSessionSummary[];
  /** How many connections are open, without building their summaries (a metrics scrape at 15,000 miners). */
  sessionCount(): number;
  session(id: string): StratumSessionControl | undefined;
  /** Applies reloaded settings to live and future sessions (SIGHUP); throws a RangeError on invalid values. */
  reconfigure(update: StratumReconfigure): void;
  /**
   * Graceful shutdown: stops accepting and reading, sends `client.reconnect` to working SV1 sessions, waits
   * (up to `timeoutMs`) for the answers to shares in flight, then closes every connection cleanly.
   */
  drain(opts: StratumDrainOptions): Promise<StratumDrainReport>;
  /** Stops accepting, closes every connection, resolves when the listener is closed. */
  close(): Promise<void>;
}

export interface StratumReconfigure {
  /** Connection limits (caps, timeouts, rates), by the names of the server's limits. */
  limits?: Partial<Record<'maxConnections' | 'maxConnectionsPerIp' | 'idleTimeoutMs' | 'handshakeTimeoutMs', number>>;
  /** Difficulty settings (initial, floor, ceiling, targetShareSeconds, retargetSeconds). */
  difficulty?: Partial<Record<'initial' | 'floor' | 'ceiling' | 'targetShareSeconds' | 'retargetSeconds', number>>;
}

export interface StratumDrainOptions {
  /** Send `client.reconnect [host, port, waitSeconds]`; `host` defaults to the address the miner connected to. */
  reconnect?: { host?: string; waitSeconds: number };
  timeoutMs: number;
}

export interface StratumDrainReport {
  sessions: number;
  reconnected: number;
  /** Whether every share in flight was answered before the connections were closed. */
  allAnswered: boolean;
}

// ---- Ethash (GPU) contract: shared by the Ethash dialects (stratum/dialects/eth*) and the pool's Ethash runtime. ----
//
// Units: an Ethash share difficulty D is in the same "pool difficulty" unit as SHA-256d: difficulty 1 means 2^32
// hashes per share on average, so the share boundary is floor(2^256 / (D * 2^32)) compared with the Ethash final
// hash read as a big-endian integer (Ethash convention, never reversed). EthereumStratum/1.0.0's
// `mining.set_difficulty` uses exactly this unit; eth-proxy carries the boundary itself in `eth_getWork`.

/** One Ethash job as every dialect needs it (hex strings are 64 lowercase characters, without 0x). */
export interface EthashJob {
  id: string;
  /** Block number being mined: it selects the epoch (number / 30000). */
  blockNumber: number;
  /** keccak-256 seed hash of the epoch. */
  seedHash: string;
  /** The header hash miners hash with their nonce (the pool's commitment to the block being mined). */
  headerHash: string;
}

/** A submitted Ethash solution, normalised from any dialect. */
export interface EthashSubmitRequest {
  workerName: string;
  /** The job id when the dialect names one (EthereumStratum, ethminer's stratum); null for eth-proxy. */
  jobId: string | null;
  /** The header hash the miner says it hashed (eth-proxy, ethminer stratum), or the job's when not sent. */
  headerHash: string;
  /** The full 64-bit nonce (EthereumStratum: extranonce prefix ‖ the miner's nonce tail). */
  nonce: bigint;
  /** The mix digest the miner computed (absent in EthereumStratum, where the pool computes it). */
  mixDigest: string | null;
}

/** What the pool needs to know about the session that sent an Ethash share. */
export interface EthashShareContext {
  sessionId: string;
  remoteAddress: string;
  address: string;
  worker: string;
  /** The difficulty this session had when the job was sent (what the share is checked and credited at). */
  jobDifficulty: number;
  /** As ShareContext.blockOnly: over the pending limit only a block goes on. */
  blockOnly?: boolean;
}

export interface EthashBackend {
  /** The newest Ethash job, or null while the pool has none (miners wait; nothing is made up). */
  currentEthashJob(): EthashJob | null;
  /** A job by id, or by header hash (eth-proxy has no job ids); undefined when unknown or stale. */
  ethashJob(ref: { jobId: string } | { headerHash: string }): EthashJob | undefined;
  /** Same contract as StratumBackend.authorize. */
  authorize(username: string, password: string): Promise<AuthorizeResult>;
  /**
   * Verifies with real Ethash (off the event loop), checks the mix digest when given, the share boundary, the
   * duplicate (same header hash + nonce) and the network target; resolves after an accepted share is durable.
   */
  submitEthashShare(ctx: EthashShareContext, req: EthashSubmitRequest): Promise<ShareVerdict>;
}

// ---- Bans: kept by the Stratum server, listed and lifted by the operator API. ----

/** One ban: an IPv4 address, or an IPv6 /64 prefix (one customer's whole block), until `until`. */
export interface BanEntry {
  /** `203.0.113.7` or `2001:db8:1:2::/64`. */
  key: string;
  reason: string;
  /** Milliseconds since the epoch. */
  since: number;
  until: number;
}

export interface BanList {
  list(): BanEntry[];
  /** Bans the address (an IPv6 address bans its /64) and closes its connections; returns the entry. */
  ban(address: string, durationMs: number, reason: string): BanEntry;
  /** Lifts a ban by its key; false when there was none. */
  lift(key: string): boolean;
}
