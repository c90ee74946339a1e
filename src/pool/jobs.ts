/**
 * Jobs handed to miners. A job id points at one piece of work; several ids may point at the same work (a job is
 * re-issued under a new id after a difficulty change so every id maps to one difficulty per session).
 */
import type { Sha256dWork } from '../chains/types.js';
import { stratumPrevHash } from '../core/header.js';
import type { StratumJob } from '../stratum/types.js';

export interface Job {
  id: string;
  work: Sha256dWork;
  stratum: StratumJob;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  private counter = 0;
  private current: Job | null = null;

  /** Older jobs on the same previous block stay valid this long (counted in jobs), so refreshes don't stale shares. */
  constructor(private readonly maxJobs = 64) {}

  /** Registers new work; with `clean` (new previous block) every older job becomes stale. */
  add(work: Sha256dWork, clean: boolean): Job {
    if (clean) this.jobs.clear();
    const job = this.makeJob(work);
    this.current = job;
    return job;
  }

  /** A new id for the current work (same content). */
  reissue(): Job | null {
    if (!this.current) return null;
    const job = this.makeJob(this.current.work);
    this.current = job;
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  latest(): Job | null {
    return this.current;
  }

  private makeJob(work: Sha256dWork): Job {
    this.counter = (this.counter + 1) >>> 0;
    const id = hex8(this.counter);
    const stratum: StratumJob = {
      id,
      prevHash: stratumPrevHash(work.prevHashInternal),
      coinb1: work.coinb1.toString('hex'),
      coinb2: work.coinb2.toString('hex'),
      merkleBranch: work.merkleBranch.map((b) => b.toString('hex')),
      version: hex8(work.version),
      nbits: hex8(work.bits),
      ntime: hex8(Math.max(work.curtime, Math.floor(Date.now() / 1000))),
    };
    const job: Job = { id, work, stratum };
    this.jobs.set(id, job);
    // Map iteration is insertion order: drop the oldest beyond the bound.
    while (this.jobs.size > this.maxJobs) {
      const oldest = this.jobs.keys().next().value as string;
      this.jobs.delete(oldest);
    }
    return job;
  }
}
