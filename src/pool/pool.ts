/**
 * One pool (asic, gpu or general): the glue between the work source, the Stratum sessions, the share pipeline
 * and the store. Implements the StratumBackend contract; knows no wire format and no chain format.
 */
import type { ChainAdapter, SubmitOutcome } from '../chains/types.js';
import { targetToDifficulty } from '../core/target.js';
import type { Logger } from '../log/logger.js';
import type { NewBlock, NewShare, Store } from '../store/types.js';
import {
  StratumErrorCode,
  type AuthorizeResult,
  type ShareContext,
  type ShareVerdict,
  type StratumBackend,
  type StratumJob,
  type SubmitRequest,
} from '../stratum/types.js';
import { LogSampler } from '../log/sampler.js';
import { BlockGate, type BlockSlot, type BlockVerdict, type GateTurn } from './block-gate.js';
import { JobRegistry, type Job } from './jobs.js';
import { checkShare, networkDifficultyOf } from './share-check.js';
import { parseUsername } from './username.js';
import { WorkerStatsTracker } from './worker-stats.js';

/**
 * Durable share sink: resolves with the share's id once the transaction holding it has committed, or with null
 * once it is durable in the spool journal (its id is assigned when the journal is replayed); rejects when the
 * share was stored nowhere.
 */
export interface ShareSink {
  add(share: NewShare): Promise<number | null>;
  /**
   * Writes a found block's row; null when it went to the spool journal. Absent: the store's insertBlock.
   * `shareJournaled`: the block's own share is in the journal (the replay links the two by hash).
   */
  recordBlock?(block: NewBlock, shareJournaled: boolean): Promise<number | null>;
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
  /** One per process, shared by every pool mining the same chain (default: one for this runtime). */
  blockGate?: BlockGate;
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
  readonly counters = {
    accepted: 0,
    rejected: 0,
    stale: 0,
    duplicate: 0,
    lowDifficulty: 0,
    blocksFound: 0,
    blocksRejected: 0,
    blocksUncertain: 0,
    /** Candidates sent to the node. */
    blocksSubmitted: 0,
    /** Candidates not sent: a block on the same previous block was already accepted (credited as shares). */
    blocksSuperseded: 0,
    /** Candidates not sent after waiting: the node had moved to another previous block (credited as shares). */
    blocksStaleNotSent: 0,
  };
  readonly miners = new Map<string, MinerCounters>();
  /** Per-worker best share, accepted difficulty and rejects by reason, for the API. */
  readonly workerStats = new WorkerStatsTracker();
  private readonly log: Logger;
  private readonly gate: BlockGate;
  /** Share rejects are a peer's to trigger: a few lines per window at info, the rest at debug. */
  private readonly rejectLog: LogSampler;
  /** Node submissions running in the background (for `settled`). */
  private readonly submissions = new Set<Promise<void>>();

  constructor(private readonly opts: PoolRuntimeOptions) {
    this.log = opts.logger;
    this.gate = opts.blockGate ?? new BlockGate();
    this.rejectLog = new LogSampler(opts.logger);
  }

  /** Resolves once every block submission started so far has its verdict recorded (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.submissions.size > 0) await Promise.allSettled([...this.submissions]);
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
    this.countVerdict(ctx, verdict);
    return verdict;
  }

  private async runPipeline(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    const job = this.jobs.get(req.jobId);
    if (!job) return this.rejectShare(ctx, req.jobId, StratumErrorCode.JobNotFound, 'Job not found (stale)');

    const check = checkShare({
      work: job.work,
      req,
      extranonce1: ctx.extranonce1,
      extranonce2Size: ctx.extranonce2Size,
      versionMask: ctx.versionMask,
      jobDifficulty: ctx.jobDifficulty,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok) return this.rejectShare(ctx, req.jobId, check.code, check.message);

    const hash = check.solution.hashDisplay;
    if (this.seenHeaders.has(hash)) return this.rejectShare(ctx, req.jobId, StratumErrorCode.Duplicate, 'Duplicate share');
    // Over the session's pending limit only a block goes on: refusing it would lose the block.
    if (ctx.blockOnly && !check.isBlock) return this.rejectShare(ctx, req.jobId, StratumErrorCode.Other, 'Too many submits pending; slow down');
    // A hash that meets the network target is a block even if it misses the share target.
    if (!check.meetsShareTarget && !check.isBlock) {
      return this.rejectShare(
        ctx,
        req.jobId,
        StratumErrorCode.LowDifficulty,
        `Low difficulty share (${formatDifficulty(check.actualDifficulty)} < ${formatDifficulty(ctx.jobDifficulty)})`,
      );
    }
    this.seenHeaders.add(hash);

    const networkDifficulty = networkDifficultyOf(job.work);
    let shareId: number | null = null;
    let stored = false;
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
      stored = true;
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
    }

    if (check.isBlock) {
      const { solution } = check;
      await this.submitCandidate({
        jobId: job.id,
        address: ctx.address,
        worker: ctx.worker,
        height: job.work.height,
        prevHashDisplay: job.work.prevHashDisplay,
        hash: solution.hashDisplay,
        headerHex: solution.header.toString('hex'),
        reward: job.work.reward,
        networkDifficulty,
        shareId,
        shareJournaled: stored && shareId === null,
        submit: () => this.opts.chain.submitBlock(job.work, solution),
        jobStillValid: () => this.jobs.get(job.id) !== undefined,
      });
    }
    if (!stored) {
      return { ok: false, code: StratumErrorCode.Other, message: 'Share could not be stored (the block was submitted to the node)' };
    }
    return { ok: true, isBlock: check.isBlock, hashDisplay: hash, actualDifficulty: check.actualDifficulty };
  }

  /**
   * A share that meets the network target. The process-wide gate decides: submit it (its row is written, status
   * candidate, before the miner is answered; the node submission runs in the background so the miner's next
   * shares are not held for the node's answer), wait behind a candidate on the same previous block that is in
   * flight (in the background), or credit it as a share only because a block on that previous block was accepted.
   */
  async submitCandidate(found: BlockCandidate): Promise<void> {
    const prev = found.prevHashDisplay;
    const turn = this.gate.acquire(prev);
    if (turn !== 'busy') return this.takeTurn(found, turn);
    this.log.debug(
      { event: 'block_waits', ...blockFields(found) },
      'block candidate waits for the verdict on another one on the same previous block',
    );
    this.track(this.gate.wait(prev).then((later) => this.takeTurn(found, later, true)));
  }

  /** Resolves once the block row is written (when submitting); the submission itself goes on in the background. */
  private async takeTurn(found: BlockCandidate, turn: GateTurn, waited = false): Promise<void> {
    const fields = blockFields(found);
    if (waited && turn.kind === 'submit' && !found.jobStillValid()) {
      // Its turn came after the one ahead was refused, but the node has moved to another previous block
      // meanwhile (the job expired with clean work): sending it would only earn a "stale" refusal. Next in line.
      this.counters.blocksStaleNotSent++;
      this.log.debug({ event: 'block_stale_not_sent', ...fields }, 'block candidate not sent: its previous block is no longer the tip');
      turn.slot.settle('refused');
      return;
    }
    if (turn.kind === 'superseded') {
      this.counters.blocksSuperseded++;
      this.log.debug(
        { event: 'block_superseded', ...fields, accepted: turn.acceptedHash },
        'block candidate not sent: the node already accepted a block on its previous block (credited as a share)',
      );
      return;
    }
    if (turn.kind === 'overflow') {
      this.log.warn({ event: 'block_not_sent', ...fields, header: found.headerHex }, 'block candidate not sent: too many waiting');
      return;
    }
    const blockId = await this.recordBlock(found);
    this.track(this.submit(found, blockId, turn.slot));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.log.error({ event: 'block_submission_failed', err }, 'block submission failed'));
    this.submissions.add(tracked);
    void tracked.finally(() => this.submissions.delete(tracked));
  }

  /**
   * The block is written (status candidate) before it is submitted, so a crash or node error never loses it.
   * Null: no row id — the row went to the spool journal (the block lifecycle settles the replayed candidate by
   * asking the chain), or it could not be written at all (logged with the header).
   */
  private async recordBlock(found: BlockCandidate): Promise<number | null> {
    const { recordBlock } = this.opts.shares;
    try {
      const block: NewBlock = {
        pool: this.opts.name,
        chain: this.opts.chain.kind,
        height: found.height,
        hash: found.hash,
        prevHash: found.prevHashDisplay,
        headerHex: found.headerHex,
        submission: '',
        address: found.address,
        worker: found.worker,
        reward: found.reward,
        networkDifficulty: found.networkDifficulty,
        shareId: found.shareId,
        createdAt: Date.now(),
      };
      if (recordBlock === undefined) return await this.opts.store.insertBlock(block);
      const id = await recordBlock.call(this.opts.shares, block, found.shareJournaled === true);
      if (id === null) this.log.warn({ event: 'block_record_spooled', ...blockFields(found) }, 'block candidate row written to the spool journal');
      return id;
    } catch (err) {
      // Still submit: losing the block on the chain would be worse than a missing row; the log line keeps it.
      this.log.error(
        { event: 'block_record_failed', ...blockFields(found), header: found.headerHex, err: String(err) },
        'block candidate could not be recorded',
      );
      return null;
    }
  }

  private async submit(found: BlockCandidate, blockId: number | null, slot: BlockSlot): Promise<void> {
    const work = found;
    const fields = blockFields(found);
    this.counters.blocksSubmitted++;
    let verdict: BlockVerdict = 'no-verdict';
    let patch: Parameters<Store['updateBlock']>[1];
    try {
      const outcome = await found.submit();
      const raw = typeof outcome.raw === 'string' ? outcome.raw : JSON.stringify(outcome.raw ?? null);
      if (outcome.accepted) {
        verdict = 'accepted';
        this.counters.blocksFound++;
        this.log.info({ event: 'block_accepted', ...fields, hash: outcome.blockHash, node: raw }, `block ${work.height} accepted by the node`);
        // This pool's jobs on the old tip are stale at once; the gate holds back candidates already on their way.
        this.jobs.expirePrev(work.prevHashDisplay);
        slot.settle('accepted', outcome.blockHash);
        patch = { status: 'pending', hash: outcome.blockHash, reason: null };
      } else if (outcome.uncertain) {
        // The answer was lost, or the node holds the block without it being the tip: it stays a candidate and the
        // block lifecycle asks the node's chain whether it counts (never called found or refused on a guess).
        this.counters.blocksUncertain++;
        this.log.warn(
          { event: 'block_no_verdict', ...fields, reason: outcome.reason, node: raw },
          `no verdict from the node on block ${work.height} (${outcome.reason}); kept as a candidate until the chain decides`,
        );
        patch = { reason: outcome.reason ?? 'no verdict' };
      } else {
        verdict = 'refused';
        this.counters.blocksRejected++;
        this.log.error(
          { event: 'block_rejected', ...fields, reason: outcome.reason, node: raw },
          `node refused block ${work.height}: ${outcome.reason}`,
        );
        patch = { status: 'rejected', reason: outcome.reason ?? 'refused' };
      }
    } finally {
      // Whatever happened (even a throw: no verdict), the next candidate on this previous block may go.
      slot.settle(verdict);
    }
    if (blockId !== null) {
      try {
        await this.opts.store.updateBlock(blockId, patch);
      } catch (err) {
        this.log.error({ event: 'block_update_failed', ...fields, blockId, err: String(err) }, 'block status could not be stored');
      }
    }
    // After the row: whoever sees the new work can read the block's status. Also on no verdict: fetch new work.
    if (verdict !== 'refused') this.opts.onBlockAccepted?.(work.prevHashDisplay, verdict === 'accepted');
  }

  /** Counts and logs a refused share (shared with the Ethash pipeline). */
  rejectShare(ctx: ShareOrigin, jobId: string | null, code: StratumErrorCode, message: string): ShareVerdict {
    if (code === StratumErrorCode.JobNotFound) this.counters.stale++;
    else if (code === StratumErrorCode.Duplicate) this.counters.duplicate++;
    else if (code === StratumErrorCode.LowDifficulty) this.counters.lowDifficulty++;
    const fields = {
      event: 'share_rejected',
      miner: ctx.address,
      worker: ctx.worker,
      job: jobId,
      code,
      reason: message,
      remote: ctx.remoteAddress,
    };
    if (this.rejectLog.allow(`share rejected ${code}`)) this.log.info(fields, `share rejected: ${message}`);
    else this.log.debug(fields, `share rejected: ${message}`);
    return { ok: false, code, message };
  }

  /** Per-miner and pool counters for one verdict (shared with the Ethash pipeline). */
  countVerdict(ctx: ShareOrigin, verdict: ShareVerdict): void {
    let m = this.miners.get(ctx.address);
    if (!m) {
      m = { address: ctx.address, accepted: 0, rejected: 0, lastShareAt: 0, workers: new Set() };
      this.miners.set(ctx.address, m);
    }
    m.workers.add(ctx.worker);
    m.lastShareAt = Date.now();
    this.workerStats.record(ctx.address, ctx.worker, ctx.jobDifficulty, verdict, m.lastShareAt);
    if (verdict.ok) {
      this.counters.accepted++;
      m.accepted++;
    } else {
      this.counters.rejected++;
      m.rejected++;
    }
  }
}

/** Who sent a share, whatever the algorithm. */
export interface ShareOrigin {
  address: string;
  worker: string;
  remoteAddress: string;
  /** The difficulty the share's job was sent at (what it is credited at). */
  jobDifficulty: number;
}

/**
 * A block-meeting share on its way to the node, in the algorithm-neutral form the block lifecycle needs (the
 * SHA-256d and the Ethash pipelines both hand theirs to `submitCandidate`).
 */
export interface BlockCandidate {
  jobId: string;
  address: string;
  worker: string;
  height: number;
  prevHashDisplay: string;
  /** Block hash as the chain will know it. */
  hash: string;
  /** The proof stored with the candidate (SHA-256d: the 80-byte header; Ethash: header hash ‖ nonce ‖ mix digest). */
  headerHex: string;
  reward: bigint;
  networkDifficulty: number;
  shareId: number | null;
  /** The block's share was acknowledged from the spool journal (shareId is null until the replay). */
  shareJournaled?: boolean;
  /** Assembles and submits the block (the chain adapter's submitBlock for this algorithm). */
  submit: () => Promise<SubmitOutcome>;
  /** Whether its job is still known (false once clean work on another previous block expired it). */
  jobStillValid: () => boolean;
}

function blockFields(c: BlockCandidate): Record<string, string | number> {
  return { miner: c.address, worker: c.worker, job: c.jobId, height: c.height, hash: c.hash };
}

/** How share difficulties appear in reject messages (shared with the socket workers, which refuse the same way). */
export function formatDifficulty(d: number): string {
  return d >= 1 ? d.toFixed(2) : d.toPrecision(4);
}
