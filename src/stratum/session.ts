/**
 * The Stratum V1 (SHA-256d) dialect: one miner's session state machine. It assumes no message order (Bitaxe sends
 * configure and suggest_difficulty before authorize; cgminer may authorize several workers): work starts once the
 * session is both subscribed and authorized, whichever comes last. State is never keyed by request id (cpuminer
 * sends id 4 on every submit). Shares are checked by the pool through `StratumBackend`; this file only knows the
 * wire format, the job → difficulty bookkeeping and vardiff.
 *
 * Requests of one connection arrive one at a time (the connection waits for `handleRequest`'s promise), so an
 * authorize completes before the submit sent after it is judged, and replies leave in request order.
 */
import type { LogSampler } from '../log/sampler.js';
import { negotiateConfigure } from './configure.js';
import type { SessionLog } from './session-log.js';
import type { DialectSession, SessionIO } from './dialects/types.js';
import { errorReply, notification, successReply, type RequestId, type RpcRequest } from './jsonrpc.js';
import { checkAuthorizeParams, checkConfigureParams, checkSubmitParams, parseDifficulty, parsePasswordOptions } from './params.js';
import {
  StratumErrorCode,
  type Extranonce1Allocator,
  type ShareContext,
  type StratumBackend,
  type StratumJob,
  type StratumSessionControl,
  type StratumSessionSummary,
  type SubmitRequest,
} from './types.js';
import { Vardiff, type VardiffConfig } from './vardiff.js';

export interface Sv1Config {
  extranonce2Size: number;
  /** The pool's BIP310 mask; a miner gets this AND its own. */
  versionMask: number;
  vardiff: VardiffConfig;
  /** Jobs remembered per session with the difficulty they were sent at; older ones answer "job not found". */
  maxJobsRemembered: number;
  maxWorkersPerConnection: number;
}

/** Shared by every SHA-256d session of a server (the backend, per connection, is passed on its own). */
export interface Sv1Deps {
  allocator: Extranonce1Allocator;
  config: Sv1Config;
  now: () => number;
  /** Bounds lines a peer can cause by repeating a request (difficulty changes); shared by the server. */
  logSampler: LogSampler;
}

interface AuthorizedWorker {
  address: string;
  worker: string;
}

/** `mining.notify` for a job; the server encodes it once per broadcast (`notifyBytes`) for every session. */
export function notifyLine(job: StratumJob, cleanJobs: boolean): string {
  return notification('mining.notify', [
    job.id,
    job.prevHash,
    job.coinb1,
    job.coinb2,
    job.merkleBranch,
    job.version,
    job.nbits,
    job.ntime,
    cleanJobs,
  ]);
}

/** The notify line as the bytes every session is sent (newline included): one encoding per broadcast, not per socket. */
export function notifyBytes(job: StratumJob, cleanJobs: boolean): Buffer {
  return Buffer.from(`${notifyLine(job, cleanJobs)}\n`, 'utf8');
}

/**
 * `mining.set_difficulty` lines, cached per value: after a broadcast or a vardiff step most sessions are sent the
 * same few values. Bounded (a new value past the bound evicts the oldest).
 */
const difficultyLines = new Map<number, string>();
const MAX_DIFFICULTY_LINES = 64;

function setDifficultyLine(difficulty: number): string {
  let line = difficultyLines.get(difficulty);
  if (line === undefined) {
    line = notification('mining.set_difficulty', [difficulty]);
    if (difficultyLines.size >= MAX_DIFFICULTY_LINES) {
      const oldest = difficultyLines.keys().next().value;
      if (oldest !== undefined) difficultyLines.delete(oldest);
    }
    difficultyLines.set(difficulty, line);
  }
  return line;
}

export class Sv1Session implements DialectSession, StratumSessionControl {
  readonly algorithm = 'sha256d' as const;
  private extranonce1: Buffer | null = null;
  private userAgent: string | null = null;
  private extranonceSubscribed = false;
  private versionMask = 0;
  /** The first authorized worker (most connections have only this one). */
  private primary: AuthorizedWorker | null = null;
  /** The username bound into the session's log lines; other workers on this connection are named per line. */
  private loggedUsername: string | null = null;
  /** Workers authorized after the first (cgminer may authorize several): created on the second one. */
  private otherWorkers: Map<string, AuthorizedWorker> | null = null;
  private readonly vardiff: Vardiff;
  private workStarted = false;
  private subscribed = false;
  private configured = false;
  private difficultySent: number | null = null;
  private lastNtimeSent: number | null = null;
  /**
   * The last `maxJobsRemembered` jobs sent, oldest first, as (id, difficulty, extranonce1) triples in one flat
   * array: shares on a job are checked and credited at exactly what it was sent with. One small array instead of
   * a Map and an object per job (this is held by every idle session).
   */
  private sentJobs: (string | number | Buffer)[] = [];
  private accepted = 0;
  private rejected = 0;
  private workAccepted = 0;
  private lastShareAt: number | null = null;
  private isClosed = false;

  constructor(
    private readonly io: SessionIO,
    private readonly log: SessionLog,
    private readonly deps: Sv1Deps,
    private readonly backend: StratumBackend,
  ) {
    this.vardiff = new Vardiff(deps.config.vardiff, deps.now());
  }

  get id(): string {
    return this.io.sessionId;
  }

  handleRequest(req: RpcRequest): void | Promise<void> {
    switch (req.method) {
      case 'mining.subscribe':
        return this.onSubscribe(req);
      case 'mining.authorize':
        return this.onAuthorize(req);
      case 'mining.configure':
        return this.onConfigure(req);
      case 'mining.suggest_difficulty':
        return this.onSuggestDifficulty(req);
      case 'mining.extranonce.subscribe':
        this.extranonceSubscribed = true;
        return this.io.send(successReply(req.id, true));
      case 'mining.submit':
        return this.onSubmit(req);
      case 'mining.get_transactions':
        // The pool does not hand out template transactions; an empty list is the honest answer.
        return this.io.send(successReply(req.id, []));
      default:
        return this.replyError(req.id, StratumErrorCode.Other, `Unknown method '${req.method.slice(0, 64)}'`);
    }
  }

  handleResponse(id: RequestId, _result: unknown, error: unknown): void {
    if (error !== null && error !== undefined) this.log.sessionLine('debug', { id, error }, 'miner answered with an error');
  }

  private onSubscribe(req: RpcRequest): void {
    if (this.extranonce1 === null) {
      const allocated = this.deps.allocator.allocate();
      if (allocated === null) {
        this.io.send(errorReply(req.id, StratumErrorCode.Other, 'Pool is full: no extranonce1 available'));
        return this.io.close('extranonce1 space exhausted');
      }
      this.extranonce1 = allocated;
    }
    const agent = req.params[0];
    if (typeof agent === 'string') this.userAgent = agent.slice(0, 128);
    // A repeated subscribe gets the same answer: the extranonce1 stays with the connection.
    const subscriptions = [
      ['mining.set_difficulty', this.id],
      ['mining.notify', this.id],
    ];
    const first = !this.subscribed;
    this.subscribed = true;
    this.io.send(successReply(req.id, [subscriptions, this.extranonce1.toString('hex'), this.deps.config.extranonce2Size]));
    // Once per connection at info: a peer repeating subscribe must not write a line each time.
    this.log.sessionLine(first ? 'info' : 'debug', { userAgent: this.userAgent, extranonce1: this.extranonce1.toString('hex') }, 'subscribed');
    this.maybeStartWork();
  }

  private onAuthorize(req: RpcRequest): void | Promise<void> {
    const checked = checkAuthorizeParams(req.params);
    if (!checked.ok) return this.replyError(req.id, StratumErrorCode.Other, checked.message);
    const { username, password } = checked.value;
    const options = parsePasswordOptions(password);
    if (!options.ok) return this.replyError(req.id, StratumErrorCode.Other, options.message);
    if (this.workerNamed(username) !== undefined) return this.io.send(successReply(req.id, true));
    if (this.workerCount() >= this.deps.config.maxWorkersPerConnection) {
      return this.replyError(req.id, StratumErrorCode.Other, `Too many workers on one connection (max ${this.deps.config.maxWorkersPerConnection})`);
    }
    // Returned: the connection holds this miner's next request (often a submit) until the verdict is out.
    return this.backend.authorize(username, password).then(
      (result) => {
        if (this.isClosed) return;
        if (!result.ok) {
          this.io.reportJunk?.(`authorize rejected: ${result.message}`);
          this.log.sessionLine('debug', { username, reason: result.message }, 'authorize rejected');
          return this.io.send(errorReply(req.id, StratumErrorCode.Unauthorized, `Unauthorized worker: ${result.message}`));
        }
        const worker = { address: result.address, worker: result.worker };
        if (this.primary === null) {
          this.primary = worker;
          this.loggedUsername = username;
          this.log.worker = username;
        } else if (this.workerNamed(username) === undefined) {
          this.otherWorkers ??= new Map();
          this.otherWorkers.set(username, worker);
        }
        this.io.send(successReply(req.id, true));
        this.log.sessionLine('info', { address: result.address, requestedDifficulty: options.value.difficulty }, 'authorized');
        if (options.value.difficulty !== undefined) this.applyDifficulty(options.value.difficulty, 'password option');
        this.maybeStartWork();
      },
      (err: unknown) => {
        if (this.isClosed) return;
        this.log.sessionLine('error', { err, username }, 'authorize failed in the backend');
        this.io.send(errorReply(req.id, StratumErrorCode.Other, 'Authorization failed: internal pool error'));
      },
    );
  }

  private onConfigure(req: RpcRequest): void {
    const checked = checkConfigureParams(req.params);
    if (!checked.ok) return this.replyError(req.id, StratumErrorCode.Other, checked.message);
    const outcome = negotiateConfigure(checked.value, this.deps.config.versionMask);
    if (outcome.versionMask !== undefined) this.versionMask = outcome.versionMask;
    if (outcome.subscribeExtranonce) this.extranonceSubscribed = true;
    this.io.send(successReply(req.id, outcome.result));
    const fields = { extensions: checked.value.extensions, result: outcome.result, notes: outcome.notes };
    this.log.sessionLine(this.configured ? 'debug' : 'info', fields, 'configured');
    this.configured = true;
    if (outcome.minimumDifficulty !== undefined && outcome.minimumDifficulty > this.vardiff.difficulty) {
      this.applyDifficulty(outcome.minimumDifficulty, 'minimum-difficulty');
    }
  }

  private onSuggestDifficulty(req: RpcRequest): void {
    const difficulty = parseDifficulty(req.params[0]);
    if (difficulty === null) {
      return this.replyError(req.id, StratumErrorCode.Other, 'mining.suggest_difficulty param 1 must be a positive number');
    }
    this.io.send(successReply(req.id, true));
    this.applyDifficulty(difficulty, 'suggested');
  }

  private onSubmit(req: RpcRequest): void | Promise<void> {
    // Refusals of the request itself (not of the share's work) are junk when repeated.
    if (this.extranonce1 === null) return this.refuseSubmit(req.id, StratumErrorCode.NotSubscribed, 'Not subscribed');
    const checked = checkSubmitParams(req.params, this.deps.config.extranonce2Size);
    if (!checked.ok) return this.refuseSubmit(req.id, StratumErrorCode.Other, checked.message);
    const share = checked.value;
    const worker = this.workerNamed(share.workerName);
    if (worker === undefined) {
      return this.refuseSubmit(req.id, StratumErrorCode.Unauthorized, `Unauthorized worker '${share.workerName.slice(0, 128)}'`);
    }
    const sent = this.sentJobIndex(share.jobId);
    if (sent < 0) return this.rejectShare(req.id, StratumErrorCode.JobNotFound, `Job '${share.jobId}' not found`);
    const sentDifficulty = this.sentJobs[sent + 1] as number;
    if (!this.backend.hasJob(share.jobId)) {
      return this.rejectShare(req.id, StratumErrorCode.JobNotFound, `Stale job '${share.jobId}'`);
    }
    const ctx: ShareContext = {
      sessionId: this.id,
      remoteAddress: this.io.remote,
      extranonce1: this.sentJobs[sent + 2] as Buffer,
      extranonce2Size: this.deps.config.extranonce2Size,
      address: worker.address,
      worker: worker.worker,
      versionMask: this.versionMask,
      // Some firmwares apply a lower difficulty at once, to shares of older jobs: crediting the lower of the
      // two accepts those shares and never credits more than the work shown.
      jobDifficulty: Math.min(sentDifficulty, this.difficultySent ?? sentDifficulty),
    };
    // No pending-submit limit here: one submit at a time reaches this point (the connection waits for the
    // returned promise), and a miner sending faster is slowed by the connection's flow control.
    return this.backend.submitShare(ctx, share).then(
      (verdict) => {
        if (verdict.ok) this.onAccepted(req.id, share, ctx, verdict.isBlock, verdict.hashDisplay);
        else this.rejectShare(req.id, verdict.code, verdict.message, share);
      },
      (err: unknown) => {
        this.log.sessionLine('error', { err, job: share.jobId }, 'share pipeline failed');
        this.rejectShare(req.id, StratumErrorCode.Other, 'Share could not be processed: internal pool error', share);
      },
    );
  }

  private onAccepted(id: RequestId, share: SubmitRequest, ctx: ShareContext, isBlock: boolean, hash: string): void {
    // Counted even when the miner already left: the backend stored the share.
    this.accepted++;
    this.workAccepted += ctx.jobDifficulty;
    const now = this.deps.now();
    this.lastShareAt = now;
    // No fields built per share unless the line is written (debug is off in production).
    if (isBlock || this.log.enabled('debug')) {
      const fields = { job: share.jobId, difficulty: ctx.jobDifficulty, hash, ...this.otherWorker(share) };
      this.log.sessionLine(isBlock ? 'info' : 'debug', fields, isBlock ? 'block candidate share accepted' : 'share accepted');
    }
    if (this.isClosed) return;
    this.io.send(successReply(id, true));
    const next = this.vardiff.recordShare(now, ctx.jobDifficulty);
    if (next !== null) this.sendDifficultyAndJob('vardiff');
  }

  private rejectShare(id: RequestId, code: StratumErrorCode, message: string, share?: SubmitRequest): void {
    this.rejected++;
    // Debug only: the pool logs its share rejects (sampled) with the miner's address; this is the wire view.
    if (this.log.enabled('debug')) {
      this.log.sessionLine('debug', { code, reason: message, job: share?.jobId, ...this.otherWorker(share) }, 'share rejected');
    }
    if (!this.isClosed) this.io.send(errorReply(id, code, message));
  }

  private workerNamed(username: string): AuthorizedWorker | undefined {
    if (username === this.loggedUsername) return this.primary ?? undefined;
    return this.otherWorkers?.get(username);
  }

  private workerCount(): number {
    return (this.primary === null ? 0 : 1) + (this.otherWorkers?.size ?? 0);
  }

  /** Index of a sent job's triple in `sentJobs`, newest first; -1 when it is not (or no longer) remembered. */
  private sentJobIndex(jobId: string): number {
    const sent = this.sentJobs;
    for (let i = sent.length - 3; i >= 0; i -= 3) if (sent[i] === jobId) return i;
    return -1;
  }

  /** Remembers a job as the newest; a job id sent again moves to the end with its new values. */
  private rememberJob(jobId: string, difficulty: number, extranonce1: Buffer): void {
    const existing = this.sentJobIndex(jobId);
    if (existing >= 0) this.sentJobs.splice(existing, 3);
    this.sentJobs.push(jobId, difficulty, extranonce1);
    if (this.sentJobs.length > 3 * this.deps.config.maxJobsRemembered) this.sentJobs.splice(0, 3);
  }

  private otherWorker(share: SubmitRequest | undefined): { submittedAs?: string } {
    return share === undefined || share.workerName === this.loggedUsername ? {} : { submittedAs: share.workerName };
  }

  private refuseSubmit(id: RequestId, code: StratumErrorCode, message: string): void {
    this.rejected++;
    this.replyError(id, code, message);
  }

  /** A refused request (not a share verdict): counted as junk by the connection, which also logs it. */
  private replyError(id: RequestId, code: StratumErrorCode, message: string): void {
    this.io.send(errorReply(id, code, message));
    this.log.sessionLine('debug', { code, reason: message }, 'request refused');
    this.io.reportJunk?.(message);
  }

  /** Sets the session difficulty (clamped); once work has started the miner gets it with a fresh job. */
  private applyDifficulty(difficulty: number, reason: string): void {
    const next = this.vardiff.set(difficulty, this.deps.now());
    if (this.workStarted && next !== this.difficultySent) this.sendDifficultyAndJob(reason);
  }

  private maybeStartWork(): void {
    if (this.workStarted || this.extranonce1 === null || this.primary === null) return;
    this.workStarted = true;
    this.io.handshakeDone();
    this.sendDifficulty(this.vardiff.difficulty);
    const job = this.backend.currentJob();
    if (job !== null) this.sendJob(job, true);
  }

  /**
   * After a difficulty change: `set_difficulty`, then the current work under a new job id, so every job id this
   * session knows maps to one difficulty. Clean, so the miner drops work it would judge at the wrong difficulty.
   */
  private sendDifficultyAndJob(reason: string): void {
    const from = this.difficultySent;
    this.sendDifficulty(this.vardiff.difficulty);
    const fields = { from, to: this.vardiff.difficulty, reason };
    // A miner repeating suggest_difficulty would otherwise write a line per request.
    if (this.deps.logSampler.allow('difficulty changed')) this.log.sessionLine('info', fields, 'difficulty changed');
    else this.log.sessionLine('debug', fields, 'difficulty changed');
    const job = this.backend.reissueCurrentJob();
    if (job !== null) this.sendJob(job, true);
  }

  private sendDifficulty(difficulty: number): void {
    this.difficultySent = difficulty;
    this.io.send(setDifficultyLine(difficulty));
  }

  /** Sends a job at the session's current difficulty; `encoded` is the broadcast's notify, encoded once for all. */
  sendJob(job: StratumJob, cleanJobs: boolean, encoded?: Buffer): void {
    if (!this.workStarted || this.isClosed || this.extranonce1 === null) return;
    if (this.difficultySent !== this.vardiff.difficulty) this.sendDifficulty(this.vardiff.difficulty);
    // The first work after a wait (pool had none) starts a fresh vardiff window: no shares were possible before.
    if (this.sentJobs.length === 0) this.vardiff.restart(this.deps.now());
    // A miner that restarts its search on every notify (cpuminer resets extranonce2) would find the same headers
    // again in a job re-issued with the same content: duplicates. A strictly increasing ntime per session keeps
    // every job's header space distinct (the pool checks ntime against a range, not the value sent).
    const ntime = parseInt(job.ntime, 16);
    if (this.lastNtimeSent !== null && ntime <= this.lastNtimeSent) {
      job = { ...job, ntime: (this.lastNtimeSent + 1).toString(16).padStart(8, '0') };
      encoded = undefined;
      this.lastNtimeSent += 1;
    } else {
      this.lastNtimeSent = ntime;
    }
    this.rememberJob(job.id, this.vardiff.difficulty, this.extranonce1);
    if (encoded !== undefined && this.io.sendBytes !== undefined) this.io.sendBytes(encoded);
    else this.io.send(notifyLine(job, cleanJobs));
  }

  get readyForWork(): boolean {
    return this.workStarted && !this.isClosed;
  }

  tick(now: number): void {
    // No job sent yet means the miner could not have submitted: not "quiet", just waiting for the pool.
    if (!this.workStarted || this.isClosed || this.sentJobs.length === 0) return;
    if (this.vardiff.tick(now) !== null) this.sendDifficultyAndJob('idle');
  }

  /** Floor/ceiling moved (shared config): a session now outside them gets the clamped difficulty at once. */
  enforceDifficultyBounds(): void {
    if (this.vardiff.reclamp(this.deps.now()) !== null && this.workStarted && !this.isClosed) {
      this.sendDifficultyAndJob('difficulty bounds changed');
    }
  }

  showMessage(text: string): void {
    this.io.send(notification('client.show_message', [text]));
  }

  reconnect(host: string, port: number, waitSeconds: number): void {
    this.io.send(notification('client.reconnect', [host, port, waitSeconds]));
    // Give the miner the wait it was told plus a grace period to leave on its own.
    this.io.close('client.reconnect sent', (waitSeconds + 5) * 1000);
  }

  /** Whether `setExtranonce` would move this miner now (a socket worker reports it with the session's summary). */
  get acceptsExtranonceChange(): boolean {
    return this.extranonceSubscribed && this.workStarted && this.extranonce1 !== null && !this.isClosed;
  }

  setExtranonce(): boolean {
    if (!this.extranonceSubscribed || !this.workStarted || this.extranonce1 === null || this.isClosed) return false;
    const next = this.deps.allocator.allocate();
    if (next === null) return false;
    // Jobs already sent keep the extranonce1 they were sent with (see SentJob); the old value is freed now.
    this.deps.allocator.release(this.extranonce1);
    this.extranonce1 = next;
    this.io.send(notification('mining.set_extranonce', [next.toString('hex'), this.deps.config.extranonce2Size]));
    this.log.sessionLine('info', { extranonce1: next.toString('hex') }, 'extranonce changed');
    const job = this.backend.reissueCurrentJob();
    if (job !== null) this.sendJob(job, true);
    return true;
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
    if (this.extranonce1 !== null) this.deps.allocator.release(this.extranonce1);
    this.sentJobs = [];
  }

  summary(base: { id: string; remote: string; connectedSince: Date }): StratumSessionSummary {
    return {
      ...base,
      algorithm: this.algorithm,
      worker: this.primary?.worker ?? null,
      address: this.primary?.address ?? null,
      userAgent: this.userAgent,
      subscribed: this.extranonce1 !== null,
      authorized: this.primary !== null,
      difficulty: this.vardiff.difficulty,
      sharesAccepted: this.accepted,
      sharesRejected: this.rejected,
      difficultyAccepted: this.workAccepted,
      connectedSince: base.connectedSince,
      lastShareAt: this.lastShareAt === null ? null : new Date(this.lastShareAt),
    };
  }
}
