/**
 * An EthashBackend for tests that verifies every share for real: hashimoto-light over the epoch's light cache
 * (h-ethash's implementation, checked against the reference vectors), the submitted mix digest, the duplicate
 * (same header hash + nonce) and the share boundary of the job's difficulty. Jobs are whatever the test adds.
 */
import { boundaryFromDifficulty, hashimotoLight, hashToBigInt, type LightCache } from '../../src/core/ethash/index.js';
import type { AuthorizeResult, EthashBackend, EthashJob, EthashShareContext, EthashSubmitRequest, ShareVerdict } from '../../src/stratum/types.js';
import { StratumErrorCode } from '../../src/stratum/types.js';

export interface RecordedEthashShare {
  ctx: EthashShareContext;
  req: EthashSubmitRequest;
  verdict: ShareVerdict;
}

export class EthashTestBackend implements EthashBackend {
  readonly shares: RecordedEthashShare[] = [];
  private readonly live = new Map<string, EthashJob>();
  private current: EthashJob | null = null;
  private readonly seen = new Set<string>();

  /** `caches` by epoch: the light caches this backend can verify with. */
  constructor(private readonly caches: ReadonlyMap<number, LightCache>) {}

  /** Adds a job and makes it current; `stale` drops every earlier job (a new block). */
  addJob(job: EthashJob, stale = false): EthashJob {
    if (stale) this.live.clear();
    this.live.set(job.id, job);
    this.current = job;
    return job;
  }

  currentEthashJob(): EthashJob | null {
    return this.current;
  }

  ethashJob(ref: { jobId: string } | { headerHash: string }): EthashJob | undefined {
    if ('jobId' in ref) return this.live.get(ref.jobId);
    return [...this.live.values()].find((j) => j.headerHash === ref.headerHash);
  }

  async authorize(username: string): Promise<AuthorizeResult> {
    const dot = username.indexOf('.');
    const address = dot === -1 ? username : username.slice(0, dot);
    const worker = dot === -1 ? 'default' : username.slice(dot + 1);
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return { ok: false, message: `invalid payout address '${address}'` };
    return { ok: true, address, worker };
  }

  async submitEthashShare(ctx: EthashShareContext, req: EthashSubmitRequest): Promise<ShareVerdict> {
    const verdict = this.judge(ctx, req);
    this.shares.push({ ctx, req, verdict });
    return verdict;
  }

  private judge(ctx: EthashShareContext, req: EthashSubmitRequest): ShareVerdict {
    const job = req.jobId !== null ? this.live.get(req.jobId) : this.ethashJob({ headerHash: req.headerHash });
    if (job === undefined) return { ok: false, code: StratumErrorCode.JobNotFound, message: 'Stale job' };
    if (job.headerHash !== req.headerHash) return { ok: false, code: StratumErrorCode.Other, message: 'Header hash does not match the job' };
    const cache = this.caches.get(Math.floor(job.blockNumber / 30000));
    if (cache === undefined) return { ok: false, code: StratumErrorCode.Other, message: 'No cache for the epoch' };
    const result = hashimotoLight(cache, Buffer.from(req.headerHash, 'hex'), req.nonce);
    if (req.mixDigest !== null && req.mixDigest !== result.mixDigest.toString('hex')) {
      return { ok: false, code: StratumErrorCode.Other, message: 'Invalid mix digest', badWork: true };
    }
    const key = `${req.headerHash}:${req.nonce.toString(16)}`;
    if (this.seen.has(key)) return { ok: false, code: StratumErrorCode.Duplicate, message: 'Duplicate share' };
    if (hashToBigInt(result.finalHash) > boundaryFromDifficulty(ctx.jobDifficulty)) {
      return { ok: false, code: StratumErrorCode.LowDifficulty, message: 'Low difficulty share' };
    }
    this.seen.add(key);
    return { ok: true, isBlock: false, hashDisplay: result.finalHash.toString('hex'), actualDifficulty: ctx.jobDifficulty };
  }
}
