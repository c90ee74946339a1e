/**
 * eth-proxy (a.k.a. stratum1, "Stratum-Proxy"), as Claymore, PhoenixMiner and ethminer (`stratum1+tcp`) speak it:
 * getWork-over-TCP with JSON-RPC 2.0-style replies (see rpc2.ts).
 *
 *   → eth_submitLogin [ADDRESS(.WORKER), password?]  (+ top-level "worker": "rig1")      ← true
 *   → eth_getWork []   ← [0xheaderhash, 0xseedhash, 0xboundary, 0xblocknumber]
 *   ← {"id":0,"jsonrpc":"2.0","result":[...same...]}      (unsolicited push on every new job)
 *   → eth_submitWork [0xnonce(16 hex), 0xheaderhash, 0xmixdigest]                          ← true
 *   → eth_submitHashrate [0xrate, 0xclient-id]                                              ← true
 *
 * The worker is `ADDRESS.WORKER` from the login, or ADDRESS plus the `worker` field. There are no job ids: a
 * submit names its work by header hash, so the session remembers headers with the difficulty (boundary) each
 * was handed out at. The boundary is part of the work, so a new difficulty goes out with the next header.
 */
import type { RequestId, RpcRequest } from '../jsonrpc.js';
import { checkAuthorizeParams } from '../params.js';
import { type EthashJob, StratumErrorCode } from '../types.js';
import { boundaryHex, checkFullNonce, checkHashrate, checkHex } from './ethash-params.js';
import { EthashSession, type SentWork } from './ethash-session.js';
import { RpcCode, rpc2Error, rpc2Push, rpc2Result } from './rpc2.js';

/** The getWork triple (plus the block number, which ethminer and others read when present). */
export function getWorkResult(job: EthashJob, difficulty: number): string[] {
  return [`0x${job.headerHash}`, `0x${job.seedHash}`, boundaryHex(difficulty), `0x${job.blockNumber.toString(16)}`];
}

export class EthProxySession extends EthashSession {
  readonly dialect = 'ethproxy' as const;
  private reportedHashrate: number | null = null;

  handleRequest(req: RpcRequest): void | Promise<void> {
    switch (req.method) {
      case 'eth_submitLogin':
        return this.onLogin(req);
      case 'eth_getWork':
        return this.onGetWork(req);
      case 'eth_submitWork':
        return this.onSubmitWork(req);
      case 'eth_submitHashrate':
        return this.onHashrate(req);
      default:
        return this.unknownMethod(req, RpcCode.MethodNotFound);
    }
  }

  protected replyOk(id: RequestId, result: unknown): void {
    this.io.send(rpc2Result(id, result));
  }

  protected replyError(id: RequestId, code: number, message: string): void {
    this.io.send(rpc2Error(id, code, message));
  }

  protected canStartWork(): boolean {
    return this.primary !== null;
  }

  protected isSubscribed(): boolean {
    return this.primary !== null;
  }

  protected override workSentFor(job: EthashJob): SentWork | undefined {
    return this.sent.get(job.headerHash);
  }

  protected writeJob(job: EthashJob, _clean: boolean, difficulty: number): string {
    this.io.send(rpc2Push(getWorkResult(job, difficulty)));
    return job.headerHash;
  }

  private async onLogin(req: RpcRequest): Promise<void> {
    const [login, password] = req.params;
    if (typeof login !== 'string' || login.trim() === '') {
      return this.refuse(req.id, RpcCode.InvalidParams, 'eth_submitLogin param 1 (login: ADDRESS or ADDRESS.WORKER) must be a non-empty string');
    }
    const worker = req.worker?.trim();
    const username = login.includes('.') || worker === undefined || worker === '' ? login.trim() : `${login.trim()}.${worker}`;
    const checked = checkAuthorizeParams([username, password ?? '']);
    if (!checked.ok) return this.refuse(req.id, RpcCode.InvalidParams, checked.message);
    const agent = req.params[2];
    if (typeof agent === 'string') this.userAgent = agent.slice(0, 128);
    // The miner pulls its first work with eth_getWork; pushes follow with every new job.
    if (await this.authorizeWorker(req.id, checked.value.username, checked.value.password)) this.maybeStartWork(false);
  }

  private onGetWork(req: RpcRequest): void {
    if (this.primary === null) return this.refuse(req.id, StratumErrorCode.Unauthorized, 'Not logged in: send eth_submitLogin first');
    const job = this.deps.backend.currentEthashJob();
    if (job === null) return this.refuse(req.id, StratumErrorCode.Other, 'Work not ready: the pool has no job yet');
    const difficulty = this.workSentFor(job)?.difficulty ?? this.takeDifficultyForJob();
    this.remember(job.headerHash, { job, difficulty });
    this.replyOk(req.id, getWorkResult(job, difficulty));
  }

  private async onSubmitWork(req: RpcRequest): Promise<void> {
    const worker = this.primary;
    if (worker === null) return this.rejectShare(req.id, StratumErrorCode.Unauthorized, 'Not logged in: send eth_submitLogin first');
    if (req.params.length < 3) {
      return this.refuseSubmit(
        req.id,
        RpcCode.InvalidParams,
        `eth_submitWork expects 3 params [nonce, headerhash, mixdigest], got ${req.params.length}`,
      );
    }
    const nonce = checkFullNonce(req.params[0]);
    if (!nonce.ok) return this.refuseSubmit(req.id, RpcCode.InvalidParams, nonce.message);
    const header = checkHex('header hash', req.params[1], 32);
    if (!header.ok) return this.refuseSubmit(req.id, RpcCode.InvalidParams, header.message);
    const mix = checkHex('mix digest', req.params[2], 32);
    if (!mix.ok) return this.refuseSubmit(req.id, RpcCode.InvalidParams, mix.message);
    const work = this.sent.get(header.value);
    if (work === undefined) {
      return this.rejectShare(
        req.id,
        StratumErrorCode.JobNotFound,
        `Unknown header hash 0x${header.value.slice(0, 16)}…: stale or not given to this connection`,
      );
    }
    await this.submitShare(req.id, work, worker, {
      workerName: worker.username,
      jobId: null,
      headerHash: header.value,
      nonce: nonce.value,
      mixDigest: mix.value,
    });
  }

  private onHashrate(req: RpcRequest): void {
    const rate = checkHashrate(req.params[0]);
    if (!rate.ok) return this.refuse(req.id, RpcCode.InvalidParams, `eth_submitHashrate: ${rate.message}`);
    this.reportedHashrate = rate.value;
    this.log.debug({ reportedHashrate: this.reportedHashrate }, 'hashrate reported');
    this.replyOk(req.id, true);
  }

  /** eth-proxy has no message for this: the operator's text is logged instead. */
  override showMessage(text: string): void {
    this.log.info({ text }, 'message for an eth-proxy miner (the dialect cannot show it)');
  }

  /** eth-proxy has no reconnect message: the connection is closed after the wait and the miner reconnects. */
  override reconnect(_host: string, _port: number, waitSeconds: number): void {
    this.io.close('reconnect requested (eth-proxy: closed)', Math.max(1, waitSeconds) * 1000);
  }
}
