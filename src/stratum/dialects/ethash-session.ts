/**
 * What the three Ethash dialects share: authorized workers, vardiff, the jobs this connection was sent (each with
 * the difficulty it was sent at), the pending-submit limit, the share pipeline through `EthashBackend`, counters
 * and the operator controls. Each dialect (ethstratum.ts, ethproxy.ts, ethminer-stratum.ts) only parses its
 * requests and encodes its replies and work.
 *
 * A difficulty change takes effect with the NEXT job, never by re-sending the current one: Ethash work is a fixed
 * header hash, and a miner handed the same header again restarts its nonce search and resubmits shares it already
 * found (duplicates). Shares on a job are credited at the difficulty that job was sent with, or at the session's
 * latest difficulty when lower (a miner that applies a lowered difficulty at once is not punished).
 */
import type { Logger } from '../../log/logger.js';
import type { RequestId, RpcRequest } from '../jsonrpc.js';
import { parsePasswordOptions } from '../params.js';
import {
  type EthashBackend,
  type EthashJob,
  type EthashShareContext,
  type EthashSubmitRequest,
  type Extranonce1Allocator,
  StratumErrorCode,
  type StratumSessionControl,
  type StratumSessionSummary,
} from '../types.js';
import { Vardiff, type VardiffConfig } from '../vardiff.js';
import type { EthashDialect } from './detect.js';
import type { DialectSession, SessionIO } from './types.js';

export interface EthashSessionConfig {
  vardiff: VardiffConfig;
  maxPendingSubmits: number;
  maxJobsRemembered: number;
  maxWorkersPerConnection: number;
}

export interface EthashSessionDeps {
  backend: EthashBackend;
  /** EthereumStratum extranonces (see ethash-extranonce.ts). */
  extranonces: Extranonce1Allocator;
  config: EthashSessionConfig;
  now: () => number;
}

/** A job as this connection was sent it. */
export interface SentWork {
  job: EthashJob;
  difficulty: number;
}

export interface AuthorizedWorker {
  username: string;
  address: string;
  worker: string;
}

export abstract class EthashSession implements DialectSession, StratumSessionControl {
  readonly algorithm = 'ethash' as const;
  abstract readonly dialect: EthashDialect;
  protected readonly workers = new Map<string, AuthorizedWorker>();
  protected primary: AuthorizedWorker | null = null;
  protected userAgent: string | null = null;
  protected readonly vardiff: Vardiff;
  protected workStarted = false;
  /** The difficulty of the last job sent (EthereumStratum: the last mining.set_difficulty). */
  protected difficultySent: number | null = null;
  /** Sent jobs by the key the dialect's submits name them by (job id, or header hash for eth-proxy). */
  protected readonly sent = new Map<string, SentWork>();
  protected isClosed = false;
  private pendingSubmits = 0;
  private accepted = 0;
  private rejected = 0;
  private workAccepted = 0;
  private lastShareAt: number | null = null;

  constructor(
    protected readonly io: SessionIO,
    protected log: Logger,
    protected readonly deps: EthashSessionDeps,
  ) {
    this.vardiff = new Vardiff(deps.config.vardiff, deps.now());
  }

  get id(): string {
    return this.io.sessionId;
  }

  abstract handleRequest(req: RpcRequest): void | Promise<void>;
  /** Writes a success reply in the dialect's form (always with `"error": null`). */
  protected abstract replyOk(id: RequestId, result: unknown): void;
  /** Writes an error reply in the dialect's form (always with `"result": null`). */
  protected abstract replyError(id: RequestId, code: number, message: string): void;
  /** Puts one job on the wire at `difficulty` and returns the key its submits will name it by. */
  protected abstract writeJob(job: EthashJob, clean: boolean, difficulty: number): string;
  /** The session may receive work (dialect-specific: subscribed and authorized, or logged in). */
  protected abstract canStartWork(): boolean;
  /** Tells the miner of a new difficulty, for dialects that have a message for it (EthereumStratum). */
  protected announceDifficulty(_difficulty: number): void {}

  handleResponse(id: RequestId, _result: unknown, error: unknown): void {
    if (error !== null && error !== undefined) this.log.debug({ id, error }, 'miner answered with an error');
  }

  /** Error for a request this dialect does not know (a precise message; the connection stays). */
  protected unknownMethod(req: RpcRequest, code: number = StratumErrorCode.Other): void {
    this.refuse(req.id, code, `Unknown method '${req.method.slice(0, 64)}'`);
  }

  /** A refused request (not a share verdict): counted as junk by the connection, which also logs it (sampled). */
  protected refuse(id: RequestId, code: number, message: string): void {
    this.log.debug({ code, reason: message }, 'request refused');
    this.replyError(id, code, message);
    this.io.reportJunk?.(message);
  }

  /** A submit refused for its form (bad params, not subscribed): a rejected share that is also junk. */
  protected refuseSubmit(id: RequestId, code: number, message: string, fields: Record<string, unknown> = {}): void {
    this.rejectShare(id, code, message, fields);
    this.io.reportJunk?.(message);
  }

  /** Authorizes `username` through the backend; replies `true` or an error; resolves once replied. */
  protected async authorizeWorker(id: RequestId, username: string, password: string): Promise<boolean> {
    const options = parsePasswordOptions(password);
    if (!options.ok) {
      this.refuse(id, StratumErrorCode.Other, options.message);
      return false;
    }
    if (this.workers.has(username)) {
      this.replyOk(id, true);
      return true;
    }
    if (this.workers.size >= this.deps.config.maxWorkersPerConnection) {
      const max = this.deps.config.maxWorkersPerConnection;
      this.refuse(id, StratumErrorCode.Other, `Too many workers on one connection (max ${max})`);
      return false;
    }
    let result: Awaited<ReturnType<EthashBackend['authorize']>>;
    try {
      result = await this.deps.backend.authorize(username, password);
    } catch (err) {
      if (this.isClosed) return false;
      this.log.error({ err, username }, 'authorize failed in the backend');
      this.replyError(id, StratumErrorCode.Other, 'Authorization failed: internal pool error');
      return false;
    }
    if (this.isClosed) return false;
    if (!result.ok) {
      this.log.debug({ username, reason: result.message }, 'authorize rejected');
      this.io.reportJunk?.(`authorize rejected: ${result.message}`);
      this.replyError(id, StratumErrorCode.Unauthorized, `Unauthorized worker: ${result.message}`);
      return false;
    }
    const worker: AuthorizedWorker = { username, address: result.address, worker: result.worker };
    this.workers.set(username, worker);
    if (this.primary === null) {
      this.primary = worker;
      this.log = this.log.child({ worker: username });
    }
    this.replyOk(id, true);
    this.log.info({ address: result.address, dialect: this.dialect, requestedDifficulty: options.value.difficulty }, 'authorized');
    if (options.value.difficulty !== undefined) this.applyDifficulty(options.value.difficulty, 'password option');
    return true;
  }

  /** Starts work once the dialect's handshake is complete: the current job goes out (if `sendFirstJob`). */
  protected maybeStartWork(sendFirstJob = true): void {
    if (this.workStarted || this.isClosed || !this.canStartWork()) return;
    this.workStarted = true;
    this.io.handshakeDone();
    const job = this.deps.backend.currentEthashJob();
    if (sendFirstJob && job !== null) this.sendJob(job, true);
  }

  get readyForWork(): boolean {
    return this.workStarted && !this.isClosed;
  }

  /** Sends a job at the session's current difficulty (broadcasts call this for every ready session). */
  sendJob(job: EthashJob, clean: boolean): void {
    if (!this.readyForWork) return;
    // The same header again keeps its difficulty: the miner is already searching it against that boundary.
    const difficulty = this.workSentFor(job)?.difficulty ?? this.takeDifficultyForJob();
    this.remember(this.writeJob(job, clean, difficulty), { job, difficulty });
  }

  /** This job as already sent, for dialects whose wire form ties the boundary to the header (eth-proxy, ethminer). */
  protected workSentFor(_job: EthashJob): SentWork | undefined {
    return undefined;
  }

  /** The difficulty the next job goes out at; announces it first when it changed. */
  protected takeDifficultyForJob(): number {
    // The first work after a wait (pool had none) starts a fresh vardiff window: no shares were possible before.
    if (this.sent.size === 0) this.vardiff.restart(this.deps.now());
    const difficulty = this.vardiff.difficulty;
    if (this.difficultySent !== difficulty) {
      this.difficultySent = difficulty;
      this.announceDifficulty(difficulty);
    }
    return difficulty;
  }

  protected remember(key: string, work: SentWork): void {
    this.sent.delete(key);
    this.sent.set(key, work);
    if (this.sent.size > this.deps.config.maxJobsRemembered) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
  }

  /**
   * Runs one share through the backend and answers it. The caller has parsed the request, found the sent job
   * and the worker; this checks staleness, applies the pending limit and vardiff, and replies exactly once.
   */
  protected async submitShare(id: RequestId, work: SentWork, worker: AuthorizedWorker, req: EthashSubmitRequest): Promise<void> {
    const fields = { job: work.job.id, nonce: req.nonce.toString(16).padStart(16, '0'), submittedAs: this.otherName(req.workerName) };
    if (this.deps.backend.ethashJob({ jobId: work.job.id }) === undefined) {
      return this.rejectShare(id, StratumErrorCode.JobNotFound, `Stale job '${work.job.id}'`, fields);
    }
    const ctx: EthashShareContext = {
      sessionId: this.id,
      remoteAddress: this.io.remote,
      address: worker.address,
      worker: worker.worker,
      jobDifficulty: Math.min(work.difficulty, this.difficultySent ?? work.difficulty),
    };
    // Over the limit the backend still checks the share so a block is never refused for load.
    if (this.pendingSubmits >= this.deps.config.maxPendingSubmits) ctx.blockOnly = true;
    this.pendingSubmits++;
    let verdict: Awaited<ReturnType<EthashBackend['submitEthashShare']>>;
    try {
      verdict = await this.deps.backend.submitEthashShare(ctx, req);
    } catch (err) {
      this.log.error({ err, ...fields }, 'share pipeline failed');
      return this.rejectShare(id, StratumErrorCode.Other, 'Share could not be processed: internal pool error', fields);
    } finally {
      this.pendingSubmits--;
    }
    if (!verdict.ok) return this.rejectShare(id, verdict.code, verdict.message, fields);
    // Counted even when the miner already left: the backend stored the share.
    this.accepted++;
    this.workAccepted += ctx.jobDifficulty;
    const now = this.deps.now();
    this.lastShareAt = now;
    const logged = { ...fields, difficulty: ctx.jobDifficulty, hash: verdict.hashDisplay };
    if (verdict.isBlock) this.log.info(logged, 'block candidate share accepted');
    else this.log.debug(logged, 'share accepted');
    if (this.isClosed) return;
    this.replyOk(id, true);
    if (this.vardiff.recordShare(now, ctx.jobDifficulty) !== null) this.difficultyChanged('vardiff');
  }

  protected rejectShare(id: RequestId, code: number, message: string, fields: Record<string, unknown> = {}): void {
    this.rejected++;
    // Per-share lines stay at debug (the counters carry the totals): a flood of bad shares cannot flood the log.
    this.log.debug({ code, reason: message, ...fields }, 'share rejected');
    if (!this.isClosed) this.replyError(id, code, message);
  }

  private otherName(name: string): string | undefined {
    return this.primary !== null && name === this.primary.username ? undefined : name;
  }

  /** Sets the session difficulty (clamped); it reaches the miner with the next job. */
  protected applyDifficulty(difficulty: number, reason: string): void {
    const before = this.vardiff.difficulty;
    this.vardiff.set(difficulty, this.deps.now());
    if (this.vardiff.difficulty !== before) this.difficultyChanged(reason);
  }

  private difficultyChanged(reason: string): void {
    this.log.info({ from: this.difficultySent, to: this.vardiff.difficulty, reason }, 'difficulty changed (from the next job)');
    // EthereumStratum tells the miner now (its set_difficulty applies to the next notify by definition).
    if (this.workStarted && this.announcesDifficultyEarly()) {
      this.difficultySent = this.vardiff.difficulty;
      this.announceDifficulty(this.vardiff.difficulty);
    }
  }

  /** True for dialects whose difficulty message is separate from the job (EthereumStratum). */
  protected announcesDifficultyEarly(): boolean {
    return false;
  }

  tick(now: number): void {
    // No job sent yet means the miner could not have submitted: not "quiet", just waiting for the pool.
    if (!this.readyForWork || this.sent.size === 0) return;
    if (this.vardiff.tick(now) !== null) this.difficultyChanged('idle');
  }

  /** Floor/ceiling moved (shared config): a session outside them gets the clamped difficulty with its next job. */
  enforceDifficultyBounds(): void {
    if (this.vardiff.reclamp(this.deps.now()) !== null) this.difficultyChanged('difficulty bounds changed');
  }

  showMessage(text: string): void {
    this.io.send(JSON.stringify({ id: null, method: 'client.show_message', params: [text] }));
  }

  reconnect(host: string, port: number, waitSeconds: number): void {
    this.io.send(JSON.stringify({ id: null, method: 'client.reconnect', params: [host, port, waitSeconds] }));
    this.io.close('client.reconnect sent', (waitSeconds + 5) * 1000);
  }

  setExtranonce(): boolean {
    return false;
  }

  setDifficulty(difficulty: number): void {
    this.applyDifficulty(difficulty, 'operator');
  }

  disconnect(reason: string): void {
    this.io.close(reason);
  }

  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.sent.clear();
  }

  summary(base: { id: string; remote: string; connectedSince: Date }): StratumSessionSummary {
    return {
      ...base,
      algorithm: this.algorithm,
      worker: this.primary?.worker ?? null,
      address: this.primary?.address ?? null,
      userAgent: this.userAgent,
      subscribed: this.isSubscribed(),
      authorized: this.primary !== null,
      difficulty: this.vardiff.difficulty,
      sharesAccepted: this.accepted,
      sharesRejected: this.rejected,
      difficultyAccepted: this.workAccepted,
      connectedSince: base.connectedSince,
      lastShareAt: this.lastShareAt === null ? null : new Date(this.lastShareAt),
    };
  }

  protected abstract isSubscribed(): boolean;
}
