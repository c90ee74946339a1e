/**
 * Per-worker figures this process saw (every verdict goes through PoolRuntime.count): accepted difficulty, best
 * share, last share, rejects by reason. The API and the live events read them; the hot path only bumps numbers.
 */
import { StratumErrorCode, type ShareVerdict } from '../stratum/types.js';

export type RejectReason = 'stale' | 'duplicate' | 'low_difficulty' | 'other';

export interface WorkerLiveStats {
  address: string;
  worker: string;
  accepted: number;
  rejected: number;
  /** Sum of the credited (job) difficulty of accepted shares. */
  acceptedDifficulty: number;
  /** Highest difficulty an accepted share's hash reached. */
  bestShareDifficulty: number;
  /** Unix ms of the last verdict (0 = none). */
  lastShareAt: number;
  rejectsByReason: Record<RejectReason, number>;
}

export function rejectReason(code: StratumErrorCode): RejectReason {
  if (code === StratumErrorCode.JobNotFound) return 'stale';
  if (code === StratumErrorCode.Duplicate) return 'duplicate';
  if (code === StratumErrorCode.LowDifficulty) return 'low_difficulty';
  return 'other';
}

/** Bounded: past `maxWorkers` entries the longest-idle ones are dropped (their figures stay in the store). */
export class WorkerStatsTracker {
  private readonly byKey = new Map<string, WorkerLiveStats>();
  /** Running totals over every worker since start (the live events send deltas of these). */
  acceptedDifficultyTotal = 0;

  constructor(private readonly maxWorkers = 50_000) {}

  record(address: string, worker: string, jobDifficulty: number, verdict: ShareVerdict, now: number): void {
    const key = `${address}.${worker}`;
    let w = this.byKey.get(key);
    if (!w) {
      if (this.byKey.size >= this.maxWorkers) this.evictIdle();
      w = {
        address,
        worker,
        accepted: 0,
        rejected: 0,
        acceptedDifficulty: 0,
        bestShareDifficulty: 0,
        lastShareAt: 0,
        rejectsByReason: { stale: 0, duplicate: 0, low_difficulty: 0, other: 0 },
      };
      this.byKey.set(key, w);
    }
    w.lastShareAt = now;
    if (verdict.ok) {
      w.accepted++;
      w.acceptedDifficulty += jobDifficulty;
      this.acceptedDifficultyTotal += jobDifficulty;
      if (verdict.actualDifficulty > w.bestShareDifficulty) w.bestShareDifficulty = verdict.actualDifficulty;
    } else {
      w.rejected++;
      w.rejectsByReason[rejectReason(verdict.code)]++;
    }
  }

  list(address?: string): WorkerLiveStats[] {
    const all = [...this.byKey.values()];
    return address === undefined ? all : all.filter((w) => w.address === address);
  }

  private evictIdle(): void {
    // Drop the oldest tenth at once so eviction runs rarely.
    const sorted = [...this.byKey.entries()].sort((a, b) => a[1].lastShareAt - b[1].lastShareAt);
    for (const [key] of sorted.slice(0, Math.max(1, Math.floor(this.maxWorkers / 10)))) this.byKey.delete(key);
  }
}
