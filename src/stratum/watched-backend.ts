/**
 * One connection's view of the backends (SHA-256d, and Ethash on a port that serves it): its share and
 * authorization verdicts feed the ban policy, and its shares in flight are counted so a graceful shutdown can wait
 * for their answers before closing. The dialect sessions stay unaware of both. Only verdicts that are the miner's
 * doing count as invalid (a duplicate, a share below its difficulty, work that is wrong such as a false Ethash mix
 * digest); stale jobs and the pool's own refusals (load, storage) do not.
 */
import type { BanRegistry } from './bans.js';
import {
  type AuthorizeResult,
  type EthashBackend,
  type EthashShareContext,
  type EthashSubmitRequest,
  type ShareContext,
  StratumErrorCode,
  type ShareVerdict,
  type StratumBackend,
  type SubmitRequest,
} from './types.js';

function isMinersFault(verdict: Extract<ShareVerdict, { ok: false }>): boolean {
  return verdict.code === StratumErrorCode.Duplicate || verdict.code === StratumErrorCode.LowDifficulty || verdict.badWork === true;
}

export class WatchedBackend implements StratumBackend {
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly judge: { share(valid: boolean): void };

  /** The Ethash backend seen through the same watch (one judge, one in-flight count); null without one. */
  readonly ethash: EthashBackend | null;

  constructor(
    private readonly backend: StratumBackend,
    private readonly address: string,
    private readonly bans: BanRegistry,
    ethashBackend?: EthashBackend,
  ) {
    this.judge = bans.shareJudge(address);
    this.ethash = ethashBackend === undefined ? null : this.watchEthash(ethashBackend);
  }

  private watchEthash(ethash: EthashBackend): EthashBackend {
    return {
      currentEthashJob: () => ethash.currentEthashJob(),
      ethashJob: (ref) => ethash.ethashJob(ref),
      authorize: (username, password) => this.watchAuthorize(ethash.authorize(username, password)),
      submitEthashShare: (ctx: EthashShareContext, req: EthashSubmitRequest) => this.watchShare(() => ethash.submitEthashShare(ctx, req)),
    };
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

  authorize(username: string, password: string): Promise<AuthorizeResult> {
    return this.watchAuthorize(this.backend.authorize(username, password));
  }

  submitShare(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    return this.watchShare(() => this.backend.submitShare(ctx, req));
  }

  private async watchAuthorize(pending: Promise<AuthorizeResult>): Promise<AuthorizeResult> {
    const result = await pending;
    if (!result.ok) this.bans.record(this.address, 'badAuthorization');
    return result;
  }

  private async watchShare(submit: () => Promise<ShareVerdict>): Promise<ShareVerdict> {
    this.inFlight++;
    try {
      const verdict = await submit();
      if (verdict.ok) this.judge.share(true);
      else if (isMinersFault(verdict)) this.judge.share(false);
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
