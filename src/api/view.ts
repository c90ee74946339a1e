/**
 * What the API reads from a running pool; kept narrow so the API can be tested on its own (test/api builds one
 * by hand). The server owns the routes; metrics, events and admin routes read the same view.
 */
import type { LedgerTickReport } from '../ledger/index.js';
import type { PayoutPlan } from '../ledger/payouts/plan.js';
import type { WorkerLiveStats } from '../pool/worker-stats.js';
import type { PoolStats, Store } from '../store/types.js';
import type { BanList, StratumSessionSummary } from '../stratum/types.js';
import { memo } from './cache.js';

export interface PoolCounters {
  accepted: number;
  rejected: number;
  stale: number;
  duplicate: number;
  lowDifficulty: number;
  blocksFound: number;
  blocksRejected: number;
  blocksUncertain?: number;
}

/** How this pool pays (shown on /api/pools and the FAQ page). */
export interface PoolPayoutSettings {
  scheme: 'pplns' | 'prop' | 'solo';
  feePercent: number;
  /** PPLNS window in multiples of the network difficulty. */
  pplnsWindow: number;
  /** Coins, as configured ("0.01"). */
  minPayout: string;
  /** Confirmations before a block's rewards can be paid. */
  maturity: number;
  intervalSeconds: number;
}

/** The node as the work source sees it. */
export interface NetworkStatus {
  /** "devnet (gxc)", "http://127.0.0.1:8332" without credentials... */
  node: string;
  /** RPC dialect / chain family ("gxc", "bitcoin"). */
  dialect: string;
  /** Unix ms of the last template fetched, or null. */
  lastTemplateAt: number | null;
  /** Mean seconds between the last new heights this process saw (null before two were seen). */
  blockIntervalSeconds: number | null;
}

export interface NodeErrorEntry {
  at: number;
  message: string;
}

/** Operator powers over this pool (only reachable with web.adminToken). */
export interface PoolAdminControls {
  sessions(): StratumSessionSummary[];
  /** Closes a session; false when there is no such session. */
  kick(sessionId: string, reason: string): boolean;
  /** Present when the Stratum server keeps a ban list. */
  bans?: BanList;
  /** Present on pools with a ledger (this process runs confirmations and payouts for it). */
  payouts?: {
    dryRun(): Promise<PayoutPlan>;
    /** Runs a ledger tick now with the payout forced (the lease holder pays; others report leader false). */
    runNow(): Promise<LedgerTickReport>;
  };
  /** Recent node failures, newest first. */
  nodeErrors(): NodeErrorEntry[];
}

export interface PoolView {
  name: string;
  algorithms: string[];
  chain: string;
  coinSymbol: string;
  stratumPort: number;
  counters: PoolCounters;
  /** Per miner address, since this process started. */
  minerCounters(): Array<{ address: string; accepted: number; rejected: number; lastShareAt: number; workers: number }>;
  connectedSessions(): Array<{ address: string | null; worker: string | null; difficulty: number; connectedAt: number; remote: string }>;
  /** The number of connectedSessions() without building them (metrics scrapes); absent: their length. */
  connectionCount?(): number;
  startingDifficulty: number;
  currentJob(): { id: string; height: number; networkDifficulty: number; prevHash: string } | null;
  nodeError(): string | null;
  /** Null when the address is valid for the chain, else the reason. */
  validateAddress(address: string): string | null;
  /** Triggers an immediate template refresh (blocknotify). */
  refreshWork(reason: string): Promise<void>;
  // ---- Optional (the dashboard's figures); absent parts show as null. ----
  /** The web port this pool listens on (set once listening). */
  webPort?: number;
  payout?: PoolPayoutSettings;
  network?(): NetworkStatus;
  /** Live per-worker figures of this process (all workers, or one address's). */
  workers?(address?: string): WorkerLiveStats[];
  /** Sum of accepted share difficulty since start (live events send its deltas). */
  acceptedDifficultyTotal?(): number;
  admin?: PoolAdminControls;
}

/** Hashrate estimation window. */
export const HASHRATE_WINDOW_MS = 10 * 60 * 1000;

/** The hashrate window's share figures of a pool, computed at most once a second (see cache.ts). */
export function windowStats(store: Store, pool: string): Promise<PoolStats> {
  return memo(store, `window:${pool}`, 1000, () => store.poolStats(pool, Date.now() - HASHRATE_WINDOW_MS));
}

/** Hashes per second that `shareDifficultySum` difficulty-1 units over `windowMs` stand for. */
export function hashrate(shareDifficultySum: number, windowMs: number): number {
  return (shareDifficultySum * 2 ** 32) / (windowMs / 1000);
}
