/** ChainAdapter for Bitcoin Core-compatible nodes (getblocktemplate / submitblock / wallet RPC). */
import type { BlockSolution, BlockStatus, ChainAdapter, NodeSyncState, Sha256dWork, SubmitOutcome } from '../types.js';
import { RpcError, RpcTransportError, type RpcClient } from '../../rpc/types.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { AddressError, addressToScript, type BitcoinNetwork, validateAddress } from './address.js';
import { parseBlockTemplate } from './template.js';
import { BitcoinWork } from './work.js';
import { assembleBlock } from './block.js';
import { createBitcoinWallet } from './wallet.js';
import { submitToNode } from '../submit-call.js';

export const GBT_METHODS = ['getblocktemplate', 'gxc_getBlockTemplate'] as const;
export const SUBMIT_METHODS = ['submitblock', 'gxc_submitBlock'] as const;
export const DEFAULT_POOL_TAG = '/gxc-pool/';
/** Bitcoin Core's RPC_INVALID_PARAMETER: getblockhash for a height above the tip. */
const RPC_INVALID_PARAMETER = -8;

export interface BitcoinAdapterOptions {
  rpc: RpcClient;
  network: BitcoinNetwork;
  poolAddress: string;
  poolTag?: string;
  logger?: Logger;
  /** How long one long-poll request may stay open before it is re-issued (default 120 s). */
  longPollTimeoutMs?: number;
  /** Pause after a failed long-poll request before trying again (default 1 s). */
  longPollRetryDelayMs?: number;
}

/** Throws AddressError when the pool address is not valid on `network`. */
export function createBitcoinAdapter(opts: BitcoinAdapterOptions): ChainAdapter {
  const { rpc, network } = opts;
  const log = opts.logger ?? silentLogger;
  let payoutScript: Buffer;
  try {
    payoutScript = addressToScript(opts.poolAddress, network);
  } catch (err) {
    throw new AddressError(`pool address ${opts.poolAddress} is not a valid ${network} address: ${(err as Error).message}`);
  }
  const poolTag = opts.poolTag ?? DEFAULT_POOL_TAG;
  const longPollTimeoutMs = opts.longPollTimeoutMs ?? 120_000;
  const longPollRetryDelayMs = opts.longPollRetryDelayMs ?? 1_000;

  async function fetchTemplate(extra: Record<string, unknown> = {}, timeoutMs?: number): Promise<unknown> {
    const request = { rules: ['segwit'], ...extra };
    return rpc.callFirst<unknown>(GBT_METHODS, [request], timeoutMs === undefined ? undefined : { timeoutMs, retries: 0 });
  }

  function toWork(raw: unknown, extranonceSize: number): BitcoinWork {
    return new BitcoinWork(parseBlockTemplate(raw), { payoutScript, poolTag, extranonceSize });
  }

  async function getBestBlockHash(): Promise<string> {
    const hash = await rpc.call<unknown>('getbestblockhash');
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/i.test(hash)) {
      throw new Error(`getbestblockhash answered ${JSON.stringify(hash)}, expected a block hash`);
    }
    return hash.toLowerCase();
  }

  return {
    kind: 'bitcoin',
    coinbaseMaturity: 100,
    coinSymbol: 'BTC',

    validateAddress: (address: string) => validateAddress(address, network),

    async getWork(extranonceSize: number): Promise<Sha256dWork> {
      return toWork(await fetchTemplate(), extranonceSize);
    },

    getBestBlockHash,

    async waitForTemplateChange(work: Sha256dWork, signal: AbortSignal): Promise<void> {
      const longpollid = work instanceof BitcoinWork ? work.longpollid : null;
      // Bitcoin Core may hold a long poll indefinitely on a quiet chain; each request is bounded and re-issued.
      for (;;) {
        throwIfAborted(signal);
        try {
          if (longpollid !== null) {
            await abortable(fetchTemplate({ longpollid }, longPollTimeoutMs), signal);
            return;
          }
          const tip = await abortable(getBestBlockHash(), signal);
          if (tip !== work.prevHashDisplay) return;
        } catch (err) {
          if (signal.aborted) throw signal.reason ?? err;
          if (!(err instanceof RpcTransportError)) throw err;
          log.debug({ err: err.message }, 'bitcoin long poll interrupted; retrying');
        }
        await sleep(longPollRetryDelayMs, signal);
      }
    },

    async submitBlock(work: Sha256dWork, solution: BlockSolution): Promise<SubmitOutcome> {
      if (!(work instanceof BitcoinWork)) {
        return { accepted: false, reason: 'work was not built by the bitcoin adapter', blockHash: solution.hashDisplay, raw: null };
      }
      const block = assembleBlock(work, solution);
      if (!block.ok) {
        log.warn({ height: work.height, hash: block.blockHash, reason: block.reason }, 'block not submitted');
        return { accepted: false, reason: block.reason, blockHash: block.blockHash, raw: null };
      }
      let answer: unknown;
      try {
        answer = await submitToNode<unknown>(rpc, SUBMIT_METHODS, [block.hex]);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        log.error({ height: work.height, hash: block.blockHash, reason }, 'submitblock failed');
        return { accepted: false, reason, blockHash: block.blockHash, raw: describeError(err), uncertain: !(err instanceof RpcError) };
      }
      const outcome = interpretSubmitAnswer(answer, block.blockHash);
      log.info({ height: work.height, hash: block.blockHash, accepted: outcome.accepted, answer }, 'block submitted');
      return outcome;
    },

    async blockStatus(height: number, hash: string): Promise<BlockStatus> {
      let mainHash: unknown;
      try {
        mainHash = await rpc.call<unknown>('getblockhash', [height]);
      } catch (err) {
        // Height above the tip (e.g. after a reorg to a shorter chain): nothing there on the main chain.
        if (err instanceof RpcError && err.code === RPC_INVALID_PARAMETER) return { onMainChain: false, confirmations: 0 };
        throw err;
      }
      // Anything but a block hash is a broken answer, not "another block is there": it must never orphan a block.
      if (typeof mainHash !== 'string' || !/^[0-9a-f]{64}$/i.test(mainHash)) throw new Error(`getblockhash answered ${JSON.stringify(mainHash)}`);
      if (mainHash.toLowerCase() !== hash.toLowerCase()) return { onMainChain: false, confirmations: 0 };
      const header = await rpc.call<unknown>('getblockheader', [mainHash]);
      const confirmations = (header as { confirmations?: unknown } | null)?.confirmations;
      if (typeof confirmations !== 'number') throw new Error('getblockheader answer has no confirmations');
      // -1 means the block left the main chain between the two calls.
      return confirmations > 0 ? { onMainChain: true, confirmations } : { onMainChain: false, confirmations: 0 };
    },

    async syncState(): Promise<NodeSyncState> {
      const info = (await rpc.call<unknown>('getblockchaininfo')) as Record<string, unknown> | null;
      const blocks = info?.blocks;
      const headers = info?.headers;
      if (typeof blocks !== 'number' || typeof headers !== 'number') {
        throw new Error('getblockchaininfo answer lacks blocks/headers');
      }
      return { tipHeight: blocks, synced: info?.initialblockdownload !== true && blocks >= headers };
    },

    wallet: createBitcoinWallet(rpc, network),
  };
}

/**
 * submitblock: null = the block was accepted onto the chain. Any string is a refusal or a non-result —
 * including 'duplicate' (already known: not a new find), 'duplicate-invalid' and 'inconclusive' (stored but not
 * the tip) — and is returned verbatim.
 */
export function interpretSubmitAnswer(answer: unknown, blockHash: string): SubmitOutcome {
  if (answer === null || answer === undefined) return { accepted: true, reason: null, blockHash, raw: null };
  const reason = typeof answer === 'string' ? answer : `unexpected submitblock answer: ${JSON.stringify(answer)}`;
  // The node holds the block but it is not (yet) the tip: its chain will tell whether it counts.
  const uncertain = answer === 'duplicate' || answer === 'inconclusive';
  return { accepted: false, reason, blockHash, raw: answer, ...(uncertain ? { uncertain } : {}) };
}

function describeError(err: unknown): unknown {
  if (err instanceof RpcError) return { code: err.code, message: err.rpcMessage };
  if (err instanceof Error) return { message: err.message };
  return err;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
}

/** Races a promise with the signal (the underlying request finishes on its own timeout). */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
