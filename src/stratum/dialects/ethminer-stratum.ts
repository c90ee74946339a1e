/**
 * Stratum as ethminer speaks it in its plain `stratum+tcp` mode (ethminer's EthStratumClient, mode STRATUM; the
 * form ethermine/nanopool-style pools answered). ethminer ≥ 0.18 marks every request `"jsonrpc": "2.0"`, older
 * versions send none; replies follow the miner (2.0 objects, or Stratum-1.0 arrays for old versions).
 *
 *   → mining.subscribe []                     ← true          (ethminer only checks that it is not an error)
 *   → mining.authorize [ADDRESS.WORKER, password]             ← true
 *   ← mining.notify [job_id, 0xheaderhash, 0xseedhash, 0xboundary]      (no set_difficulty: the boundary is here)
 *   → mining.submit [ADDRESS(.WORKER), job_id, 0xnonce(16 hex), 0xheaderhash, 0xmixdigest]  (+ "worker" field)
 *   → eth_submitHashrate [0xrate, 0xclient-id]                ← true
 *
 * ethminer 0.19 sends `User()` (the login without the worker) as the submit's first param and the worker name in
 * the top-level `worker` field, so the worker is found by exact name, by name + "." + worker field, or as the one
 * authorized worker of that address.
 */
import { errorReply, type RequestId, type RpcRequest, successReply } from '../jsonrpc.js';
import { checkAuthorizeParams } from '../params.js';
import { type EthashJob, StratumErrorCode } from '../types.js';
import { boundaryHex, checkFullNonce, checkHashrate, checkHex } from './ethash-params.js';
import { type AuthorizedWorker, EthashSession, type SentWork } from './ethash-session.js';
import { RpcCode, rpc2Error, rpc2Notification, rpc2Result } from './rpc2.js';

export class EthminerStratumSession extends EthashSession {
  readonly dialect = 'ethminer-stratum' as const;
  private subscribed = false;
  /** Set from the miner's first request: answer in the JSON-RPC flavour it speaks. */
  private rpc2 = false;

  handleRequest(req: RpcRequest): void | Promise<void> {
    if (!this.subscribed && req.method === 'mining.subscribe') this.rpc2 = req.jsonrpc === '2.0';
    switch (req.method) {
      case 'mining.subscribe':
        this.subscribed = true;
        this.userAgent ??= 'ethminer (stratum)';
        this.replyOk(req.id, true);
        return this.maybeStartWork();
      case 'mining.authorize':
        return this.onAuthorize(req);
      case 'mining.submit':
        return this.onSubmit(req);
      case 'mining.extranonce.subscribe':
        // Nothing to move in this mode (the miner owns the whole nonce); accepted so the miner carries on.
        return this.replyOk(req.id, true);
      case 'eth_submitHashrate': {
        const rate = checkHashrate(req.params[0]);
        if (!rate.ok) return this.refuse(req.id, RpcCode.InvalidParams, `eth_submitHashrate: ${rate.message}`);
        this.log.debug({ reportedHashrate: rate.value }, 'hashrate reported');
        return this.replyOk(req.id, true);
      }
      default:
        return this.unknownMethod(req);
    }
  }

  protected replyOk(id: RequestId, result: unknown): void {
    this.io.send(this.rpc2 ? rpc2Result(id, result) : successReply(id, result));
  }

  protected replyError(id: RequestId, code: number, message: string): void {
    this.io.send(this.rpc2 ? rpc2Error(id, code, message) : errorReply(id, code as StratumErrorCode, message));
  }

  protected canStartWork(): boolean {
    return this.subscribed && this.primary !== null;
  }

  protected isSubscribed(): boolean {
    return this.subscribed;
  }

  protected override workSentFor(job: EthashJob): SentWork | undefined {
    return this.sent.get(job.id);
  }

  protected writeJob(job: EthashJob, _clean: boolean, difficulty: number): string {
    const params = [job.id, `0x${job.headerHash}`, `0x${job.seedHash}`, boundaryHex(difficulty)];
    this.io.send(this.rpc2 ? rpc2Notification('mining.notify', params) : JSON.stringify({ id: null, method: 'mining.notify', params }));
    return job.id;
  }

  private async onAuthorize(req: RpcRequest): Promise<void> {
    const checked = checkAuthorizeParams(req.params);
    if (!checked.ok) return this.refuse(req.id, StratumErrorCode.Other, checked.message);
    if (await this.authorizeWorker(req.id, checked.value.username, checked.value.password)) this.maybeStartWork();
  }

  private findWorker(name: string, workerField: string | undefined): AuthorizedWorker | undefined {
    const exact = this.workers.get(name) ?? (workerField ? this.workers.get(`${name}.${workerField}`) : undefined);
    if (exact !== undefined) return exact;
    const ofAddress = [...this.workers.values()].filter((w) => w.username.startsWith(`${name}.`));
    return ofAddress.length === 1 ? ofAddress[0] : undefined;
  }

  private async onSubmit(req: RpcRequest): Promise<void> {
    if (req.params.length < 5) {
      const got = req.params.length;
      return this.refuseSubmit(
        req.id,
        StratumErrorCode.Other,
        `mining.submit expects 5 params [worker, job_id, nonce, headerhash, mixdigest], got ${got}`,
      );
    }
    const [workerName, jobId] = req.params;
    if (typeof workerName !== 'string') return this.refuseSubmit(req.id, StratumErrorCode.Other, 'mining.submit param 1 (worker) must be a string');
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 128) {
      return this.refuseSubmit(req.id, StratumErrorCode.Other, 'mining.submit param 2 (job_id) must be a string of 1..128 characters');
    }
    const nonce = checkFullNonce(req.params[2]);
    if (!nonce.ok) return this.refuseSubmit(req.id, StratumErrorCode.Other, nonce.message, { job: jobId });
    const header = checkHex('header hash', req.params[3], 32);
    if (!header.ok) return this.refuseSubmit(req.id, StratumErrorCode.Other, header.message, { job: jobId });
    const mix = checkHex('mix digest', req.params[4], 32);
    if (!mix.ok) return this.refuseSubmit(req.id, StratumErrorCode.Other, mix.message, { job: jobId });
    const worker = this.findWorker(workerName, req.worker);
    if (worker === undefined) return this.rejectShare(req.id, StratumErrorCode.Unauthorized, `Unauthorized worker '${workerName}'`);
    // ethminer before 0.18 parsed job ids as 32-byte hashes (a short id comes back as zeros): the header it also
    // sends names the work just as well.
    const work = this.sent.get(jobId) ?? [...this.sent.values()].reverse().find((w) => w.job.headerHash === header.value);
    if (work === undefined) return this.rejectShare(req.id, StratumErrorCode.JobNotFound, `Job '${jobId}' not found`, { job: jobId });
    if (work.job.headerHash !== header.value) {
      const message = `header hash 0x${header.value.slice(0, 16)}… is not the header of job '${jobId}'`;
      return this.refuseSubmit(req.id, StratumErrorCode.Other, message, { job: jobId });
    }
    await this.submitShare(req.id, work, worker, {
      workerName,
      jobId: work.job.id,
      headerHash: header.value,
      nonce: nonce.value,
      mixDigest: mix.value,
    });
  }
}
