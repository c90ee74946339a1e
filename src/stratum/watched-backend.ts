/**
 * One connection's view of the backend: its share and authorization verdicts feed the ban policy, and its shares
 * in flight are counted so a graceful shutdown can wait for their answers before closing. The dialect sessions stay
 * unaware of both. Only verdicts that are the miner's doing count as invalid (a duplicate, a share below its
 * difficulty); stale jobs and the pool's own refusals (load, storage) do not.
 */
import type { BanRegistry } from './bans.js';
import { StratumErrorCode, type AuthorizeResult, type ShareContext, type ShareVerdict, type StratumBackend, type SubmitRequest } from './types.js';

function isMinersFault(code: StratumErrorCode): boolean {
  return code === StratumErrorCode.Duplicate || code === StratumErrorCode.LowDifficulty;
}

export class WatchedBackend implements StratumBackend {
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly judge: { share(valid: boolean): void };

  constructor(
    private readonly backend: StratumBackend,
    private readonly address: string,
    private readonly bans: BanRegistry,
  ) {
    this.judge = bans.shareJudge(address);
  }

  currentJob() {
    return this.backend.currentJob();
  }

  reissueCurrentJob() {
    return this.backend.reissueCurrentJob();
  }

  hasJob(jobId: string): boolean {
    return this.backend.hasJob(jobId);
  }

  async authorize(username: string, password: string): Promise<AuthorizeResult> {
    const result = await this.backend.authorize(username, password);
    if (!result.ok) this.bans.record(this.address, 'badAuthorization');
    return result;
  }

  async submitShare(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    this.inFlight++;
    try {
      const verdict = await this.backend.submitShare(ctx, req);
      if (verdict.ok) this.judge.share(true);
      else if (isMinersFault(verdict.code)) this.judge.share(false);
      return verdict;
    } finally {
      this.inFlight--;
      // The session's reply is written in a callback of this promise: wake waiters one macrotask later.
      if (this.inFlight === 0 && this.idleWaiters.length > 0) setImmediate(() => this.wakeIdle());
    }
  }

  /** Resolves once no share of this connection is being processed (at once when none is). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    if (this.inFlight !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
