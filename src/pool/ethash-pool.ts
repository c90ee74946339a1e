/**
 * One pool's Ethash side: jobs by id and by header hash, the Ethash share pipeline (verification off the event loop
 * through the process's verifier), crediting in the pool's shared unit (ethash-share.ts) and block candidates.
 * Store, counters, authorization and the block lifecycle are the pool's own (PoolRuntime): one ledger, one set of
 * stats, whatever the algorithm. Knows no wire format and no chain format.
 */
import type { EthashCapability, EthashHashResult, EthashWork } from '../chains/types.js';
import { targetToDifficulty } from '../core/target.js';
import type { Logger } from '../log/logger.js';
import {
  StratumErrorCode,
  type AuthorizeResult,
  type EthashBackend,
  type EthashJob,
  type EthashShareContext,
  type EthashSubmitRequest,
  type ShareVerdict,
} from '../stratum/types.js';
import { ethashCreditedDifficulty, ethashSubmitProblem, judgeEthashShare, type EthashShareCheck } from './ethash-share.js';
import type { PoolRuntime, ShareSink } from './pool.js';

/** The process's Ethash verifier as the pipeline uses it (worker threads behind it). */
export interface EthashHasher {
  hash(input: { blockNumber: number; headerHash: string; nonce: bigint }): Promise<EthashHashResult>;
}

export interface EthashPoolOptions {
  runtime: PoolRuntime;
  capability: EthashCapability;
  hasher: EthashHasher;
  /** keccak-256 seed hash of the epoch of `blockNumber` (64 hex). */
  seedHashOf(blockNumber: number): string;
  shares: ShareSink;
  instanceId: number;
  logger: Logger;
  /** Distinct works kept valid on the same previous block (template refreshes do not stale shares). */
  maxJobs?: number;
}

type AcceptedCheck = Extract<EthashShareCheck, { ok: true }>;

interface JobEntry {
  job: EthashJob;
  work: EthashWork;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const strip0x = (hex: string): string => hex.replace(/^0x/i, '').toLowerCase();

export class EthashPool implements EthashBackend {
  private readonly byId = new Map<string, JobEntry>();
  private readonly byHeader = new Map<string, JobEntry>();
  private latest: JobEntry | null = null;
  private counter = 0;
  /** `headerHash:nonce` seen since the last new block (held while a share is being verified, too). */
  private seen = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly opts: EthashPoolOptions) {
    this.log = opts.logger;
  }

  /** New work from the node (the same template as the SHA-256d work): returns the job to broadcast. */
  addWork(work: EthashWork, clean: boolean): EthashJob {
    if (clean) {
      this.byId.clear();
      this.byHeader.clear();
      this.seen = new Set();
    }
    const known = this.byHeader.get(work.headerHash);
    if (known) {
      this.latest = known;
      return known.job;
    }
    this.counter = (this.counter + 1) >>> 0;
    const job: EthashJob = {
      id: hex8(this.counter),
      blockNumber: work.height,
      seedHash: this.opts.seedHashOf(work.height),
      headerHash: work.headerHash,
    };
    const entry = { job, work };
    this.byId.set(job.id, entry);
    this.byHeader.set(work.headerHash, entry);
    this.latest = entry;
    const max = this.opts.maxJobs ?? 64;
    while (this.byId.size > max) {
      const oldest = this.byId.values().next().value as JobEntry;
      this.byId.delete(oldest.job.id);
      this.byHeader.delete(oldest.work.headerHash);
    }
    return job;
  }

  /** Jobs on this previous block are stale: the node accepted a block on it. */
  expireWorkOn(prevHashDisplay: string): void {
    for (const [id, entry] of this.byId) {
      if (entry.work.prevHashDisplay !== prevHashDisplay) continue;
      this.byId.delete(id);
      this.byHeader.delete(entry.work.headerHash);
    }
    if (this.latest?.work.prevHashDisplay === prevHashDisplay) this.latest = null;
  }

  /** Network difficulty of the current work in Ethash units (1 = 2^32 hashes): the share-difficulty ceiling. */
  networkDifficulty(): number | null {
    if (!this.latest) return null;
    return (targetToDifficulty(this.latest.work.networkTarget) * 65536) / 65535;
  }

  currentWork(): EthashWork | null {
    return this.latest?.work ?? null;
  }

  currentEthashJob(): EthashJob | null {
    return this.latest?.job ?? null;
  }

  ethashJob(ref: { jobId: string } | { headerHash: string }): EthashJob | undefined {
    return this.entry(ref)?.job;
  }

  authorize(username: string, password: string): Promise<AuthorizeResult> {
    return this.opts.runtime.authorize(username, password);
  }

  async submitEthashShare(ctx: EthashShareContext, req: EthashSubmitRequest): Promise<ShareVerdict> {
    const verdict = await this.runPipeline(ctx, req);
    this.opts.runtime.countVerdict(ctx, verdict);
    return verdict;
  }

  private entry(ref: { jobId: string } | { headerHash: string }): JobEntry | undefined {
    return 'jobId' in ref ? this.byId.get(ref.jobId) : this.byHeader.get(strip0x(ref.headerHash));
  }

  private async runPipeline(ctx: EthashShareContext, req: EthashSubmitRequest): Promise<ShareVerdict> {
    const runtime = this.opts.runtime;
    const malformed = ethashSubmitProblem(req);
    if (malformed) return runtime.rejectShare(ctx, req.jobId, StratumErrorCode.Other, malformed);
    const headerHash = strip0x(req.headerHash);
    const entry = this.entry(req.jobId !== null ? { jobId: req.jobId } : { headerHash });
    if (!entry) return runtime.rejectShare(ctx, req.jobId ?? headerHash, StratumErrorCode.JobNotFound, 'Job not found (stale)');
    const { job, work } = entry;
    if (headerHash !== work.headerHash) {
      return runtime.rejectShare(ctx, job.id, StratumErrorCode.Other, `header hash ${headerHash} is not job ${job.id}'s ${work.headerHash}`);
    }
    const key = `${work.headerHash}:${req.nonce}`;
    if (this.seen.has(key)) return runtime.rejectShare(ctx, job.id, StratumErrorCode.Duplicate, 'Duplicate share');
    // Reserved before hashing so the same nonce sent twice at once is one share; released if it is refused.
    const seen = this.seen;
    seen.add(key);
    const { verdict, submitted } = await this.verifyAndCredit(ctx, req, entry);
    // A refused share may come again (e.g. after a storage error); a submitted block never goes out twice.
    if (!verdict.ok && !submitted) seen.delete(key);
    return verdict;
  }

  private async verifyAndCredit(
    ctx: EthashShareContext,
    req: EthashSubmitRequest,
    { job, work }: JobEntry,
  ): Promise<{ verdict: ShareVerdict; submitted: boolean }> {
    const verdict = await this.verifyAndStore(ctx, req, { job, work });
    if (!('shareId' in verdict)) return { verdict, submitted: false };
    const { check, computed, shareId, stored, networkDifficulty } = verdict;
    if (check.isBlock) {
      const solution = { nonce: req.nonce, mixDigest: computed.mixDigest, finalHash: computed.finalHash };
      await this.opts.runtime.submitCandidate({
        jobId: job.id,
        address: ctx.address,
        worker: ctx.worker,
        height: work.height,
        prevHashDisplay: work.prevHashDisplay,
        hash: computed.finalHash,
        headerHex: work.headerHash + req.nonce.toString(16).padStart(16, '0') + computed.mixDigest,
        reward: work.reward,
        networkDifficulty,
        shareId,
        shareJournaled: stored && shareId === null,
        jobStillValid: () => this.byId.has(job.id),
        submit: () =>
          this.opts.capability.submitBlock(work, solution, (blockNumber, headerHash, nonce) =>
            this.opts.hasher.hash({ blockNumber, headerHash, nonce }),
          ),
      });
    }
    if (!stored) {
      return {
        verdict: { ok: false, code: StratumErrorCode.Other, message: 'Share could not be stored (the block was submitted to the node)' },
        submitted: true,
      };
    }
    return {
      verdict: { ok: true, isBlock: check.isBlock, hashDisplay: computed.finalHash, actualDifficulty: check.actualDifficulty },
      submitted: check.isBlock,
    };
  }

  /** Ethash, the checks, and the durable share row; a refusal as a verdict, else what the block step needs. */
  private async verifyAndStore(
    ctx: EthashShareContext,
    req: EthashSubmitRequest,
    { job, work }: JobEntry,
  ): Promise<
    ShareVerdict | { check: AcceptedCheck; computed: EthashHashResult; shareId: number | null; stored: boolean; networkDifficulty: number }
  > {
    const runtime = this.opts.runtime;
    let computed: EthashHashResult;
    try {
      computed = await this.opts.hasher.hash({ blockNumber: work.height, headerHash: work.headerHash, nonce: req.nonce });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(
        { event: 'ethash_verify_failed', miner: ctx.address, worker: ctx.worker, job: job.id, err: message },
        'Ethash verification failed',
      );
      return runtime.rejectShare(ctx, job.id, StratumErrorCode.Other, 'Share could not be verified now; it was not credited, please resubmit');
    }
    const check = judgeEthashShare({ work, req, computed, jobDifficulty: ctx.jobDifficulty });
    if (!check.ok) {
      const verdict = runtime.rejectShare(ctx, job.id, check.code, check.message);
      return check.badWork && !verdict.ok ? { ...verdict, badWork: true } : verdict;
    }
    // Over the session's pending limit only a block goes on: refusing it would lose the block.
    if (ctx.blockOnly && !check.isBlock) return runtime.rejectShare(ctx, job.id, StratumErrorCode.Other, 'Too many submits pending; slow down');
    // A hash that meets the network target is a block even if it misses the share boundary.
    if (!check.meetsShareTarget && !check.isBlock) {
      return runtime.rejectShare(
        ctx,
        job.id,
        StratumErrorCode.LowDifficulty,
        `Low difficulty share (${check.actualDifficulty.toPrecision(4)} < ${ctx.jobDifficulty.toPrecision(4)})`,
      );
    }

    const networkDifficulty = targetToDifficulty(work.networkTarget);
    let shareId: number | null = null;
    let stored = false;
    try {
      shareId = await this.opts.shares.add({
        pool: runtime.name,
        instanceId: this.opts.instanceId,
        address: ctx.address,
        worker: ctx.worker,
        jobId: job.id,
        height: work.height,
        difficulty: ethashCreditedDifficulty(ctx.jobDifficulty),
        networkDifficulty,
        actualDifficulty: targetToDifficulty(check.value === 0n ? 1n : check.value),
        hash: computed.finalHash,
        isBlock: check.isBlock,
        createdAt: Date.now(),
      });
      stored = true;
    } catch (err) {
      this.log.error(
        { event: 'share_store_failed', miner: ctx.address, worker: ctx.worker, job: job.id, isBlock: check.isBlock, err: String(err) },
        'share could not be stored',
      );
      if (!check.isBlock) {
        return { ok: false, code: StratumErrorCode.Other, message: 'Share could not be stored; it was not credited, please resubmit' };
      }
    }

    return { check, computed, shareId, stored, networkDifficulty };
  }
}
