/**
 * Jobs handed to miners. A job id points at one piece of work; several ids may point at the same work (a job is
 * re-issued under a new id after a difficulty change so every id maps to one difficulty per session).
 *
 * An id is `hex8(work sequence) ‖ hex8(issue sequence)`: the work is found from the id itself, so re-issues cost no
 * memory and never push other sessions' jobs out. Only distinct works are bounded (one session re-issuing must not
 * make every other miner's job stale).
 */
import type { Sha256dWork } from '../chains/types.js';
import { stratumPrevHash } from '../core/header.js';
import type { StratumJob } from '../stratum/types.js';

export interface Job {
  id: string;
  work: Sha256dWork;
  stratum: StratumJob;
}

interface WorkEntry {
  work: Sha256dWork;
  /** The notify fields of the latest issue of this work (the id and ntime vary per issue). */
  stratum: StratumJob;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const JOB_ID_RE = /^[0-9a-f]{16}$/;

export class JobRegistry {
  private readonly works = new Map<number, WorkEntry>();
  private workCounter = 0;
  private issueCounter = 0;
  private current: Job | null = null;
  private currentSeq = 0;

  /** Older works on the same previous block stay valid this long (counted in distinct works), so refreshes don't stale shares. */
  constructor(private readonly maxJobs = 64) {}

  /** Registers new work; with `clean` (new previous block) every older job becomes stale. */
  add(work: Sha256dWork, clean: boolean): Job {
    if (clean) this.works.clear();
    this.workCounter = (this.workCounter + 1) >>> 0;
    this.currentSeq = this.workCounter;
    const job = this.issue(this.currentSeq, work);
    // Map iteration is insertion order: drop the oldest works beyond the bound.
    while (this.works.size > this.maxJobs) {
      const oldest = this.works.keys().next().value as number;
      this.works.delete(oldest);
    }
    return job;
  }

  /** A new id for the current work (same content). */
  reissue(): Job | null {
    if (!this.current) return null;
    return this.issue(this.currentSeq, this.current.work);
  }

  get(id: string): Job | undefined {
    if (!JOB_ID_RE.test(id)) return undefined;
    // Only the work part decides validity; sessions accept only ids they were sent, at the difficulty sent.
    const entry = this.works.get(parseInt(id.slice(0, 8), 16));
    if (entry === undefined) return undefined;
    return { id, work: entry.work, stratum: { ...entry.stratum, id } };
  }

  latest(): Job | null {
    return this.current;
  }

  /**
   * The node accepted a block on `prevHashDisplay`: every job building on that previous block is stale from now
   * on, before the next template even arrives (a second solution on it could only be refused as a stale block).
   */
  expirePrev(prevHashDisplay: string): void {
    for (const [seq, entry] of this.works) if (entry.work.prevHashDisplay === prevHashDisplay) this.works.delete(seq);
    if (this.current?.work.prevHashDisplay === prevHashDisplay) this.current = null;
  }

  private issue(seq: number, work: Sha256dWork): Job {
    this.issueCounter = (this.issueCounter + 1) >>> 0;
    const id = hex8(seq) + hex8(this.issueCounter);
    const ntime = hex8(Math.max(work.curtime, Math.floor(Date.now() / 1000)));
    const known = this.works.get(seq);
    const stratum: StratumJob = known
      ? { ...known.stratum, id, ntime }
      : {
          id,
          prevHash: stratumPrevHash(work.prevHashInternal),
          coinb1: work.coinb1.toString('hex'),
          coinb2: work.coinb2.toString('hex'),
          merkleBranch: work.merkleBranch.map((b) => b.toString('hex')),
          version: hex8(work.version),
          nbits: hex8(work.bits),
          ntime,
        };
    this.works.set(seq, { work, stratum });
    const job: Job = { id, work, stratum };
    this.current = job;
    return job;
  }
}
