/** Messages between the load generator's coordinator and its client processes (IPC, JSON). */
import type { LoadMode, ShareKind } from './options.js';

export interface ClientProcessSetup {
  host: string;
  port: number;
  /** Global index range [first, end) of this process's sessions (names and source addresses follow it). */
  first: number;
  end: number;
  perAddress: number;
  user: string;
  password: string;
  suggestDifficulty: number | undefined;
  shares: ShareKind;
  maxGrindHashes: number;
  wave: number;
  connectTimeoutMs: number;
  /** File this process appends accepted share hashes to (one a line), if any. */
  acceptedLog: string | undefined;
}

export interface WireHistogram {
  buckets: Array<[number, number]>;
  max: number;
}

export type ToClient =
  | { type: 'connect'; setup: ClientProcessSetup }
  /** rate: this process's share of the submits/s; closed: `inflight` per session. */
  | { type: 'load'; mode: LoadMode; ratePerSecond: number; inflight: number; seconds: number; maxSubmits: number }
  | { type: 'grind-block'; maxHashes: number }
  | { type: 'report-clean-jobs' }
  | { type: 'close' };

export interface CleanJobSeen {
  jobId: string;
  sessions: number;
  first: number;
  last: number;
}

export type FromClient =
  | { type: 'connected'; ready: number; failed: number; ms: number; problems: string[]; firstReadyAt: number; lastReadyAt: number }
  | {
      type: 'load-done';
      sent: number;
      replies: number;
      accepted: number;
      rejected: Record<string, number>;
      unanswered: number;
      elapsedMs: number;
      latency: WireHistogram;
      held: number;
      hashes: number;
      grindFailures: number;
    }
  | { type: 'block-sent'; sentAt: number; hashes: number; found: boolean }
  | { type: 'clean-jobs'; jobs: CleanJobSeen[] }
  | { type: 'fatal'; message: string };
