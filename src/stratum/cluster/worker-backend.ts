/**
 * The StratumBackend a socket worker's sessions talk to. Jobs are a mirror of what the primary broadcast; shares
 * whose work the worker holds are checked here (checkShare is pure), and the ones that fail — malformed, below
 * their difficulty — are answered here without a message to the primary (only batched counts go there). A share
 * that meets its target (or a block) goes to the primary, whose verdict comes after the share is durable: the
 * session writes `true` only when that verdict arrives.
 */
import type { Sha256dWork } from '../../chains/types.js';
import { checkShare } from '../../pool/share-check.js';
import { formatDifficulty } from '../../pool/pool.js';
import {
  StratumErrorCode,
  type AuthorizeResult,
  type ShareContext,
  type ShareVerdict,
  type StratumBackend,
  type StratumJob,
  type SubmitRequest,
} from '../types.js';
import type { FromWorker, JobMessage, LocalReject } from './messages.js';

/** Jobs kept per worker (distinct broadcasts since the last clean one); the primary decides staleness anyway. */
const MAX_JOBS = 64;
/** A re-issued job id is the base id followed by 8 hex digits: no memory per re-issue. */
const ALIAS_DIGITS = 8;
const REJECT_FLUSH_MS = 100;

interface Pending<T> {
  resolve: (value: T) => void;
}

export class WorkerBackend implements StratumBackend {
  private readonly jobs = new Map<string, { job: StratumJob; work: Sha256dWork | null }>();
  private current: StratumJob | null = null;
  private aliasCounter = 0;
  private seq = 0;
  private readonly verdicts = new Map<number, Pending<ShareVerdict>>();
  private readonly authorizations = new Map<number, Pending<AuthorizeResult>>();
  private rejects = new Map<string, LocalReject>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (msg: FromWorker) => void,
    /** Top byte of the alias counter: aliases of different workers never collide. */
    private readonly workerIndex: number,
    private readonly now: () => number = Date.now,
  ) {}

  addJob(msg: JobMessage): void {
    if (msg.clean) this.jobs.clear();
    this.jobs.set(msg.job.id, { job: msg.job, work: msg.work });
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
    this.current = msg.job;
  }

  currentJob(): StratumJob | null {
    return this.current;
  }

  reissueCurrentJob(): StratumJob | null {
    if (this.current === null) return null;
    this.aliasCounter = (this.aliasCounter + 1) & 0xffffff;
    const suffix = (((this.workerIndex & 0xff) << 24) | this.aliasCounter) >>> 0;
    return { ...this.current, id: this.current.id + suffix.toString(16).padStart(ALIAS_DIGITS, '0') };
  }

  hasJob(jobId: string): boolean {
    return this.baseIdOf(jobId) !== null;
  }

  authorize(username: string, password: string): Promise<AuthorizeResult> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.authorizations.set(seq, { resolve });
      this.send({ t: 'authorize', seq, username, password });
    });
  }

  submitShare(ctx: ShareContext, req: SubmitRequest): Promise<ShareVerdict> {
    const base = this.baseIdOf(req.jobId);
    if (base === null) return Promise.resolve({ ok: false, code: StratumErrorCode.JobNotFound, message: 'Job not found (stale)' });
    const forwarded = base === req.jobId ? req : { ...req, jobId: base };
    const work = this.jobs.get(base)?.work ?? null;
    if (work !== null) {
      const refused = this.checkLocally(work, ctx, forwarded);
      if (refused !== null) return Promise.resolve(refused);
    }
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.verdicts.set(seq, { resolve });
      this.send({ t: 'submit', seq, ctx, req: forwarded });
    });
  }

  onVerdict(seq: number, verdict: ShareVerdict): void {
    const pending = this.verdicts.get(seq);
    this.verdicts.delete(seq);
    pending?.resolve(verdict);
  }

  onAuthorized(seq: number, result: AuthorizeResult): void {
    const pending = this.authorizations.get(seq);
    this.authorizations.delete(seq);
    pending?.resolve(result);
  }

  /** Sends the counted rejects now (before a drain or close). */
  flushRejects(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.rejects.size === 0) return;
    const items = [...this.rejects.values()];
    this.rejects = new Map();
    this.send({ t: 'rejects', items });
  }

  /** The same refusals as the pool's pipeline, in the same order, for a share whose work this worker holds. */
  private checkLocally(work: Sha256dWork, ctx: ShareContext, req: SubmitRequest): ShareVerdict | null {
    const check = checkShare({
      work,
      req,
      extranonce1: ctx.extranonce1,
      extranonce2Size: ctx.extranonce2Size,
      versionMask: ctx.versionMask,
      jobDifficulty: ctx.jobDifficulty,
      nowSeconds: Math.floor(this.now() / 1000),
    });
    if (!check.ok) return this.refuse(ctx, req.jobId, check.code, check.message);
    // Over the pending limit only a block goes on (the primary's pipeline decides that one).
    if (check.meetsShareTarget || check.isBlock) return null;
    const message = `Low difficulty share (${formatDifficulty(check.actualDifficulty)} < ${formatDifficulty(ctx.jobDifficulty)})`;
    return this.refuse(ctx, req.jobId, StratumErrorCode.LowDifficulty, message);
  }

  private refuse(ctx: ShareContext, jobId: string, code: StratumErrorCode, message: string): ShareVerdict {
    // Counted per miner, worker and reason: a flood of rejects becomes a few items per flush.
    const key = `${ctx.address}\n${ctx.worker}\n${ctx.remoteAddress}\n${ctx.jobDifficulty}\n${code}`;
    const known = this.rejects.get(key);
    if (known !== undefined) known.count++;
    else {
      this.rejects.set(key, {
        address: ctx.address,
        worker: ctx.worker,
        remoteAddress: ctx.remoteAddress,
        jobDifficulty: ctx.jobDifficulty,
        jobId,
        code,
        message,
        count: 1,
      });
    }
    if (this.flushTimer === null) {
      this.flushTimer = setTimeout(() => this.flushRejects(), REJECT_FLUSH_MS);
      this.flushTimer.unref();
    }
    return { ok: false, code, message };
  }

  private baseIdOf(jobId: string): string | null {
    if (this.jobs.has(jobId)) return jobId;
    if (jobId.length <= ALIAS_DIGITS) return null;
    const base = jobId.slice(0, -ALIAS_DIGITS);
    return this.jobs.has(base) && /^[0-9a-f]{8}$/.test(jobId.slice(-ALIAS_DIGITS)) ? base : null;
  }
}
