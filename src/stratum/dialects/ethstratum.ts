/**
 * EthereumStratum/1.0.0 (NiceHash's text), as lolMiner, T-Rex, NBMiner, TeamRedMiner, GMiner and ethminer
 * (`stratum2+tcp`) speak it. Stratum-1.0 replies (`[code, message, null]` errors, `"error": null` on success).
 *
 *   → mining.subscribe [agent, "EthereumStratum/1.0.0"]
 *   ← [["mining.notify", SESSION_ID, "EthereumStratum/1.0.0"], EXTRANONCE]      (EXTRANONCE: 3 bytes, 6 hex)
 *   → mining.extranonce.subscribe []  ← true            (later: mining.set_extranonce [EXTRANONCE])
 *   → mining.authorize [ADDRESS.WORKER, password]  ← true
 *   ← mining.set_difficulty [D]          (pool difficulty, 1 = 2^32 hashes; applies to the next notify)
 *   ← mining.notify [job_id, seedhash, headerhash, clean]                       (hex without 0x)
 *   → mining.submit [ADDRESS.WORKER, job_id, nonce_without_extranonce]        (10 hex: 8 bytes - extranonce)
 *
 * Job ids on the wire: the pool's job id when a job is first sent to this connection; if the same job goes out
 * again at another difficulty it gets `<job id>.<n>` so every wire id names exactly one difficulty.
 */
import { errorReply, notification, type RequestId, type RpcRequest, successReply } from '../jsonrpc.js';
import { checkAuthorizeParams } from '../params.js';
import { type EthashJob, StratumErrorCode } from '../types.js';
import { checkNonceTail } from './ethash-params.js';
import { EthashSession } from './ethash-session.js';

export const ETHEREUM_STRATUM_1 = 'EthereumStratum/1.0.0';
const MAX_JOB_ID_LENGTH = 64;

export class EthereumStratumSession extends EthashSession {
  readonly dialect = 'ethstratum' as const;
  private extranonce: Buffer | null = null;
  private extranonceSubscribed = false;
  /** Numbers re-sends of one job at another difficulty, so every wire id names exactly one difficulty. */
  private reissueCounter = 0;

  handleRequest(req: RpcRequest): void | Promise<void> {
    switch (req.method) {
      case 'mining.subscribe':
        return this.onSubscribe(req);
      case 'mining.extranonce.subscribe':
        this.extranonceSubscribed = true;
        return this.replyOk(req.id, true);
      case 'mining.authorize':
        return this.onAuthorize(req);
      case 'mining.submit':
        return this.onSubmit(req);
      case 'eth_submitHashrate':
        // Some EthereumStratum miners report their rate the eth-proxy way; it is informational only.
        return this.replyOk(req.id, true);
      default:
        return this.unknownMethod(req);
    }
  }

  protected replyOk(id: RequestId, result: unknown): void {
    this.io.send(successReply(id, result));
  }

  protected replyError(id: RequestId, code: number, message: string): void {
    this.io.send(errorReply(id, code as StratumErrorCode, message));
  }

  protected canStartWork(): boolean {
    return this.extranonce !== null && this.primary !== null;
  }

  protected isSubscribed(): boolean {
    return this.extranonce !== null;
  }

  protected override announcesDifficultyEarly(): boolean {
    return true;
  }

  protected override announceDifficulty(difficulty: number): void {
    this.io.send(notification('mining.set_difficulty', [difficulty]));
  }

  protected writeJob(job: EthashJob, clean: boolean, difficulty: number): string {
    let wireId = job.id;
    const earlier = this.sent.get(wireId);
    if (earlier !== undefined && earlier.difficulty !== difficulty) wireId = `${job.id}.${(++this.reissueCounter).toString(16)}`;
    this.io.send(notification('mining.notify', [wireId, job.seedHash, job.headerHash, clean]));
    return wireId;
  }

  private onSubscribe(req: RpcRequest): void {
    const protocol = req.params[1];
    if (typeof protocol !== 'string' || protocol !== ETHEREUM_STRATUM_1) {
      const named = typeof protocol === 'string' ? protocol : String(protocol);
      return this.refuse(req.id, StratumErrorCode.Other, `Unsupported protocol '${named}': this pool speaks ${ETHEREUM_STRATUM_1}`);
    }
    if (this.extranonce === null) {
      const allocated = this.deps.extranonces.allocate();
      if (allocated === null) {
        this.replyError(req.id, StratumErrorCode.Other, 'Pool is full: no extranonce available');
        return this.io.close('ethash extranonce space exhausted');
      }
      this.extranonce = allocated;
    }
    const agent = req.params[0];
    if (typeof agent === 'string') this.userAgent = agent.slice(0, 128);
    // A repeated subscribe gets the same answer: the extranonce stays with the connection.
    this.replyOk(req.id, [['mining.notify', this.id, ETHEREUM_STRATUM_1], this.extranonce.toString('hex')]);
    this.log.info({ userAgent: this.userAgent, extranonce: this.extranonce.toString('hex'), dialect: this.dialect }, 'subscribed');
    this.maybeStartWork();
  }

  private async onAuthorize(req: RpcRequest): Promise<void> {
    const checked = checkAuthorizeParams(req.params);
    if (!checked.ok) return this.refuse(req.id, StratumErrorCode.Other, checked.message);
    if (await this.authorizeWorker(req.id, checked.value.username, checked.value.password)) this.maybeStartWork();
  }

  private async onSubmit(req: RpcRequest): Promise<void> {
    if (this.extranonce === null) return this.refuseSubmit(req.id, StratumErrorCode.NotSubscribed, 'Not subscribed');
    const [workerName, jobId, nonceTail] = req.params;
    if (req.params.length < 3) {
      const got = req.params.length;
      return this.refuseSubmit(req.id, StratumErrorCode.Other, `mining.submit expects 3 params [worker, job_id, nonce], got ${got}`);
    }
    if (typeof workerName !== 'string') return this.refuseSubmit(req.id, StratumErrorCode.Other, 'mining.submit param 1 (worker) must be a string');
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > MAX_JOB_ID_LENGTH) {
      return this.refuseSubmit(
        req.id,
        StratumErrorCode.Other,
        `mining.submit param 2 (job_id) must be a string of 1..${MAX_JOB_ID_LENGTH} characters`,
      );
    }
    const nonce = checkNonceTail(nonceTail, this.extranonce);
    if (!nonce.ok) return this.refuseSubmit(req.id, StratumErrorCode.Other, nonce.message, { job: jobId });
    const worker = this.workers.get(workerName);
    if (worker === undefined) return this.rejectShare(req.id, StratumErrorCode.Unauthorized, `Unauthorized worker '${workerName}'`);
    const work = this.sent.get(jobId);
    if (work === undefined) return this.rejectShare(req.id, StratumErrorCode.JobNotFound, `Job '${jobId}' not found`, { job: jobId });
    await this.submitShare(req.id, work, worker, {
      workerName,
      jobId: work.job.id,
      headerHash: work.job.headerHash,
      nonce: nonce.value,
      mixDigest: null,
    });
  }

  /** Moves the miner to a new extranonce (`mining.set_extranonce`) and gives it the current job again. */
  override setExtranonce(): boolean {
    if (!this.extranonceSubscribed || !this.readyForWork || this.extranonce === null) return false;
    const next = this.deps.extranonces.allocate();
    if (next === null) return false;
    // A share on an older job whose nonce carries the old prefix is refused as "not this connection's extranonce":
    // after the move the old space belongs to whoever gets it next.
    this.deps.extranonces.release(this.extranonce);
    this.extranonce = next;
    this.io.send(notification('mining.set_extranonce', [next.toString('hex')]));
    this.log.info({ extranonce: next.toString('hex') }, 'extranonce changed');
    const job = this.deps.backend.currentEthashJob();
    // A new nonce space makes re-sending the same header safe (no duplicates): the miner starts over in it.
    if (job !== null) {
      this.sent.delete(job.id);
      this.sendJob(job, true);
    }
    return true;
  }

  override closed(): void {
    if (this.isClosed) return;
    if (this.extranonce !== null) this.deps.extranonces.release(this.extranonce);
    super.closed();
  }
}
