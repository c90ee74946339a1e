/**
 * A StratumBackend that accepts every well-formed share at once, without checking or storing it: it isolates
 * the Stratum server's own cost (framing, JSON, sessions, vardiff bookkeeping, socket writes). Jobs are real:
 * the pool's JobRegistry over the recorded regtest work, so notify lines have their real size. Authorize only
 * splits ADDRESS.WORKER (no address validation). For the realistic figure use --backend=pool (PoolRuntime).
 */
import type { Sha256dWork } from '../../src/chains/types.js';
import { JobRegistry } from '../../src/pool/jobs.js';
import type { AuthorizeResult, ShareContext, ShareVerdict, StratumBackend, StratumJob } from '../../src/stratum/types.js';

export class FastBackend implements StratumBackend {
  readonly jobs = new JobRegistry();
  accepted = 0;

  constructor(private readonly work: Sha256dWork) {
    this.jobs.add(work, true);
  }

  /** A new job on the same work (clean = miners drop older jobs, as on a new block). */
  newJob(clean: boolean): StratumJob {
    return this.jobs.add(this.work, clean).stratum;
  }

  currentJob(): StratumJob | null {
    return this.jobs.latest()?.stratum ?? null;
  }

  reissueCurrentJob(): StratumJob | null {
    return this.jobs.reissue()?.stratum ?? null;
  }

  hasJob(jobId: string): boolean {
    return this.jobs.get(jobId) !== undefined;
  }

  async authorize(username: string): Promise<AuthorizeResult> {
    const dot = username.indexOf('.');
    return dot === -1
      ? { ok: true, address: username, worker: 'default' }
      : { ok: true, address: username.slice(0, dot), worker: username.slice(dot + 1) };
  }

  async submitShare(ctx: ShareContext): Promise<ShareVerdict> {
    this.accepted++;
    return { ok: true, isBlock: false, hashDisplay: 'not-checked', actualDifficulty: ctx.jobDifficulty };
  }
}
