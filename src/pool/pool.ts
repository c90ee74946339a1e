/**
 * One pool (asic, gpu or general): the glue between the work source, the Stratum sessions, the share pipeline
 * and the store. Implements the StratumBackend contract; knows no wire format and no chain format.
 */
import type { ChainAdapter } from '../chains/types.js';
import { targetToDifficulty } from '../core/target.js';
import type { Logger } from '../log/logger.js';
import type { NewShare, Store } from '../store/types.js';
import {
  StratumErrorCode,
  type AuthorizeResult,
  type ShareContext,
  type ShareVerdict,
  type StratumBackend,
  type StratumJob,
  type SubmitRequest,
} from '../stratum/types.js';
import { JobRegistry, type Job } from './jobs.js';
import { checkShare, networkDifficultyOf } from './share-check.js';
import { parseUsername } from './username.js';

/** Durable share sink: resolves with the share's id once the transaction holding it has committed. */
export interface ShareSink {
  add(share: NewShare): Promise<number>;
}

export interface PoolRuntimeOptions {
  name: string;
  chain: ChainAdapter;
  store: Store;
  shares: ShareSink;
  instanceId: number;
  logger: Logger;
  /**
   * Called after the node accepted a block (or holds it without a verdict), with the block's previous hash: the
   * process expires jobs on it where the node accepted it and fetches the next template at once.
   */
  onBlockAccepted?: (prevHashDisplay: string, accepted: boolean) => void;
}

export interface MinerCounters {
  address: string;
  accepted: number;
  rejected: number;
  lastShareAt: number;
  workers: Set<string>;
}

export class PoolRuntime implements StratumBackend {
  readonly jobs = new JobRegistry();
  /** Header hashes seen since the last new block: a duplicate is the same header, whatever the job id. */
  private seenHeaders = new Set<string>();
  readonly counters = { accepted: 0, rejected: 0, stale: 0, duplicate: 0, lowDifficulty: 0, blocksFound: 0, blocksRejected: 0, blocksUncertain: 0 };
  readonly miners = new Map<string, MinerCounters>();
  private readonly log: Logger;

  constructor(private readonly opts: PoolRuntimeOptions) {
    this.log = opts.logger;
  }

  get name(): string {
    return this.opts.name;
  }

  /** New work from the node: returns the job to broadcast. */
  addWork(work: Parameters<JobRegistry['add']>[0], clean: boolean): Job {
    if (clean) this.seenHeaders = new Set();
    return this.jobs.add(work, clean);
  }

  /** Jobs on this previous block are stale: another block on it was accepted by the node. */
  expireWorkOn(prevHashDisplay: string): void {
    this.jobs.expirePrev(prevHashDisplay);
  }

  /** Network difficulty of the current work (the pool never sets a share difficulty above it). */
  networkDifficulty(): number | null {
    const job = this.jobs.latest();
    return job ? targetToDifficulty(job.work.networkTarget) : null;
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

  async authorize(username: string, _password: string): Promise<AuthorizeResult> {
    const parsed = parseUsername(username, (a) => this.opts.chain.validateAddress(a) === null);
    if ('error' in parsed) return { ok: false, message: parsed.error };
    const problem = this.opts.chain.validateAddress(parsed.address);
    if (problem) return { ok: false, message: `invalid ${this.opts.chain.coinSymbol} payout address '${parsed.address.slice(0, 80)}': ${problem}` };
    return { ok: true, address: parsed.address, worker: parsed.worker };
  }

  async submitShare(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    const verdict = await this.runPipeline(ctx, req);
    this.count(ctx, verdict);
    return verdict;
  }

  private async runPipeline(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    const job = this.jobs.get(req.jobId);
    if (!job) return this.reject(ctx, req, StratumErrorCode.JobNotFound, 'Job not found (stale)');

    const check = checkShare({
      work: job.work,
      req,
      extranonce1: ctx.extranonce1,
      extranonce2Size: ctx.extranonce2Size,
      versionMask: ctx.versionMask,
      jobDifficulty: ctx.jobDifficulty,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok) return this.reject(ctx, req, check.code, check.message);

    const hash = check.solution.hashDisplay;
    if (this.seenHeaders.has(hash)) return this.reject(ctx, req, StratumErrorCode.Duplicate, 'Duplicate share');
    // Over the session's pending limit only a block goes on: refusing it would lose the block.
    if (ctx.blockOnly && !check.isBlock) return this.reject(ctx, req, StratumErrorCode.Other, 'Too many submits pending; slow down');
    // A hash that meets the network target is a block even if it misses the share target.
    if (!check.meetsShareTarget && !check.isBlock) {
      return this.reject(
        ctx,
        req,
        StratumErrorCode.LowDifficulty,
        `Low difficulty share (${formatDifficulty(check.actualDifficulty)} < ${formatDifficulty(ctx.jobDifficulty)})`,
      );
    }
    this.seenHeaders.add(hash);

    const networkDifficulty = networkDifficultyOf(job.work);
    let shareId: number | null;
    try {
      shareId = await this.opts.shares.add({
        pool: this.opts.name,
        instanceId: this.opts.instanceId,
        address: ctx.address,
        worker: ctx.worker,
        jobId: job.id,
        height: job.work.height,
        difficulty: ctx.jobDifficulty,
        networkDifficulty,
        actualDifficulty: check.actualDifficulty,
        hash,
        isBlock: check.isBlock,
        createdAt: Date.now(),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error(
        { event: 'share_store_failed', miner: ctx.address, worker: ctx.worker, job: job.id, isBlock: check.isBlock, err: message },
        'share could not be stored',
      );
      if (!check.isBlock) {
        // Not stored means not credited: tell the miner, and let a resubmission through.
        this.seenHeaders.delete(hash);
        return { ok: false, code: StratumErrorCode.Other, message: 'Share could not be stored; it was not credited, please resubmit' };
      }
      // A block is submitted whatever happened to its share row (the header stays seen: submitted once).
      shareId = null;
    }

    if (check.isBlock) await this.blockFound(job, ctx, check.solution, shareId, networkDifficulty);
    if (shareId === null) {
      return { ok: false, code: StratumErrorCode.Other, message: 'Share could not be stored (the block was submitted to the node)' };
    }
    return { ok: true, isBlock: check.isBlock, hashDisplay: hash, actualDifficulty: check.actualDifficulty };
  }

  /** The block is written (status candidate) before it is submitted, so a crash or node error never loses it. */
  private async blockFound(
    job: Job,
    ctx: ShareContext,
    solution: Parameters<ChainAdapter['submitBlock']>[1],
    shareId: number | null,
    networkDifficulty: number,
  ): Promise<void> {
    const work = job.work;
    const fields = { miner: ctx.address, worker: ctx.worker, job: job.id, height: work.height, hash: solution.hashDisplay };
    let blockId: number | null = null;
    try {
      blockId = await this.opts.store.insertBlock({
        pool: this.opts.name,
        chain: this.opts.chain.kind,
        height: work.height,
        hash: solution.hashDisplay,
        prevHash: work.prevHashDisplay,
        headerHex: solution.header.toString('hex'),
        submission: '',
        address: ctx.address,
        worker: ctx.worker,
        reward: work.reward,
        networkDifficulty,
        shareId,
        createdAt: Date.now(),
      });
    } catch (err) {
      // Still submit: losing the block on the chain would be worse than a missing row; the log line keeps it.
      this.log.error(
        { event: 'block_record_failed', ...fields, header: solution.header.toString('hex'), err: String(err) },
        'block candidate could not be recorded',
      );
    }
    const outcome = await this.opts.chain.submitBlock(work, solution);
    const raw = typeof outcome.raw === 'string' ? outcome.raw : JSON.stringify(outcome.raw ?? null);
    let patch: Parameters<Store['updateBlock']>[1];
    if (outcome.accepted) {
      this.counters.blocksFound++;
      this.log.info({ event: 'block_accepted', ...fields, hash: outcome.blockHash, node: raw }, `block ${work.height} accepted by the node`);
      this.jobs.expirePrev(work.prevHashDisplay);
      this.opts.onBlockAccepted?.(work.prevHashDisplay, true);
      patch = { status: 'pending', hash: outcome.blockHash, reason: null };
    } else if (outcome.uncertain) {
      // The answer was lost, or the node holds the block without it being the tip: it stays a candidate and the
      // block lifecycle asks the node's chain whether it counts (never called found or refused on a guess).
      this.counters.blocksUncertain++;
      this.log.warn(
        { event: 'block_no_verdict', ...fields, reason: outcome.reason, node: raw },
        `no verdict from the node on block ${work.height} (${outcome.reason}); kept as a candidate until the chain decides`,
      );
      this.opts.onBlockAccepted?.(work.prevHashDisplay, false);
      patch = { reason: outcome.reason ?? 'no verdict' };
    } else {
      this.counters.blocksRejected++;
      this.log.error(
        { event: 'block_rejected', ...fields, reason: outcome.reason, node: raw },
        `node refused block ${work.height}: ${outcome.reason}`,
      );
      patch = { status: 'rejected', reason: outcome.reason ?? 'refused' };
    }
    if (blockId !== null) {
      try {
        await this.opts.store.updateBlock(blockId, patch);
      } catch (err) {
        this.log.error({ event: 'block_update_failed', ...fields, blockId, err: String(err) }, 'block status could not be stored');
      }
    }
  }

  private reject(ctx: ShareContext, req: SubmitRequest, code: StratumErrorCode, message: string): ShareVerdict {
    if (code === StratumErrorCode.JobNotFound) this.counters.stale++;
    else if (code === StratumErrorCode.Duplicate) this.counters.duplicate++;
    else if (code === StratumErrorCode.LowDifficulty) this.counters.lowDifficulty++;
    this.log.info(
      { event: 'share_rejected', miner: ctx.address, worker: ctx.worker, job: req.jobId, code, reason: message, remote: ctx.remoteAddress },
      `share rejected: ${message}`,
    );
    return { ok: false, code, message };
  }

  private count(ctx: ShareContext, verdict: ShareVerdict): void {
    let m = this.miners.get(ctx.address);
    if (!m) {
      m = { address: ctx.address, accepted: 0, rejected: 0, lastShareAt: 0, workers: new Set() };
      this.miners.set(ctx.address, m);
    }
    m.workers.add(ctx.worker);
    m.lastShareAt = Date.now();
    if (verdict.ok) {
      this.counters.accepted++;
      m.accepted++;
    } else {
      this.counters.rejected++;
      m.rejected++;
    }
  }
}

function formatDifficulty(d: number): string {
  return d >= 1 ? d.toFixed(2) : d.toPrecision(4);
}
