/**
 * Clean jobs a client process saw: per job id, how many sessions got it and the first and last arrival. Bounded;
 * vardiff re-issues (one session each) are dropped before broadcasts, so a storm of them cannot push out the
 * job a fan-out measurement is waiting for. Pure: no I/O.
 */
import type { CleanJobSeen } from './protocol.js';

export class CleanJobTracker {
  private readonly jobs = new Map<string, CleanJobSeen>();

  constructor(private readonly maxJobs = 256) {}

  record(jobId: string, at: number): void {
    const seen = this.jobs.get(jobId);
    if (seen) {
      seen.sessions++;
      seen.first = Math.min(seen.first, at);
      seen.last = Math.max(seen.last, at);
      return;
    }
    this.jobs.set(jobId, { jobId, sessions: 1, first: at, last: at });
    if (this.jobs.size <= this.maxJobs) return;
    let victim: string | undefined;
    for (const j of this.jobs.values()) {
      if (j.sessions === 1 && j.jobId !== jobId) {
        victim = j.jobId;
        break;
      }
    }
    this.jobs.delete(victim ?? (this.jobs.keys().next().value as string));
  }

  list(): CleanJobSeen[] {
    return [...this.jobs.values()].map((j) => ({ ...j }));
  }
}
