/**
 * ChainAdapter for the GXC node: its JSON template becomes bridge work that any SHA-256d miner can hash (see
 * bridge.ts and BRIDGE.md); a found header becomes a GXC JSON block for `submitblock`. The node's quirks live
 * here: `"jsonrpc":"2.0"` on every call (the RPC client's dialect), `getblockcount` = tip height + 1, `pos`
 * templates skipped, 8 KB request bodies (trimmed when the work is built), -32603 refusals explained.
 */
import { hashHeader } from '../../core/header.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { RpcError, type RpcClient } from '../../rpc/types.js';
import type { BlockSolution, BlockStatus, ChainAdapter, NodeSyncState, Sha256dWork, SubmitOutcome } from '../types.js';
import { unitsToGxcDecimal } from './amounts.js';
import { validateGxcAddress, type GxcNetwork } from './address.js';
import { MAX_POOL_TAG_BYTES, verifyBridgedBlock } from './bridge.js';
import { GxcProofOfStakeTemplate } from './errors.js';
import { createGxcEthashCapability } from './ethash-adapter.js';
import { sendGxcBlock } from './send-block.js';
import { isProofOfStakeTemplate, parseGxcTemplate } from './template.js';
import { createGxcWallet } from './wallet.js';
import { buildGxcWork, isGxcWork, submitBlockJson, type GxcWork } from './work.js';

export { detectChainFlavor } from './detect.js';

export interface GxcAdapterOptions {
  rpc: RpcClient;
  poolAddress: string;
  network?: GxcNetwork;
  /** Written into the bridge coinbase scriptSig (at most 40 bytes). */
  poolTag?: string;
  logger?: Logger;
  /** Request-body budget for submitblock (default 7680 bytes of the node's 8191-byte read); tests lower it. */
  maxRequestBodyBytes?: number;
}

export const GXC_TESTNET_MATURITY = 6;
export const GXC_MAINNET_MATURITY = 100;

const NOT_FOUND_RE = /not found|out of range/i;

export function createGxcAdapter(opts: GxcAdapterOptions): ChainAdapter {
  const network: GxcNetwork = opts.network ?? (opts.poolAddress.startsWith('tGXC') ? 'testnet' : 'mainnet');
  const problem = validateGxcAddress(opts.poolAddress, network);
  if (problem) throw new Error(`GXC pool address ${opts.poolAddress} is not usable: ${problem}`);
  const { rpc, poolAddress } = opts;
  const logger = opts.logger ?? silentLogger;
  const poolTag = opts.poolTag ?? '/gxc-pool/';
  if (Buffer.byteLength(poolTag, 'utf8') > MAX_POOL_TAG_BYTES) {
    throw new Error(
      `GXC pool tag "${poolTag}" is ${Buffer.byteLength(poolTag, 'utf8')} bytes; the bridge coinbase allows at most ${MAX_POOL_TAG_BYTES}`,
    );
  }
  let lastPosHeight = -1;
  let bestHashVia: 'getbestblockhash' | 'count+hash' = 'getbestblockhash';

  async function getWork(extranonceSize: number): Promise<Sha256dWork> {
    const raw = await rpc.callFirst(['getblocktemplate', 'gxc_getBlockTemplate'], [{ minerAddress: poolAddress }]);
    const template = parseGxcTemplate(raw);
    if (isProofOfStakeTemplate(template)) {
      if (lastPosHeight !== template.height) {
        lastPosHeight = template.height;
        logger.info(
          { event: 'gxc_pos_template', height: template.height },
          `GXC height ${template.height} is proof-of-stake: waiting for the next PoW template`,
        );
      }
      throw new GxcProofOfStakeTemplate(template.height);
    }
    const work = buildGxcWork({ template, poolAddress, poolTag, extranonceSize, maxRequestBodyBytes: opts.maxRequestBodyBytes });
    if (work.gxc.leftOut.length > 0) {
      const fees = work.gxc.leftOut.reduce((a, t) => a + t.feeUnits, 0n);
      logger.warn(
        {
          event: 'gxc_template_trimmed',
          height: work.height,
          kept: work.txCount - 1,
          leftOut: work.gxc.leftOut.map((t) => t.txid),
          leftOutFees: unitsToGxcDecimal(fees),
        },
        `GXC block at height ${work.height}: ${work.gxc.leftOut.length} mempool transaction(s) left out to keep submitblock under the node's 8 KB request limit`,
      );
    }
    return work;
  }

  async function submitBlock(work: Sha256dWork, solution: BlockSolution): Promise<SubmitOutcome> {
    const blockHash = solution.hashDisplay;
    if (!isGxcWork(work)) {
      return { accepted: false, reason: 'pool-bug: this work was not built by the GXC adapter; nothing submitted', blockHash, raw: null };
    }
    const coinbase = Buffer.concat([work.coinb1, solution.extranonce1, solution.extranonce2, work.coinb2]);
    const block = submitBlockJson(work.gxc.fields, {
      hash: blockHash,
      nonce: BigInt(solution.nonce >>> 0),
      timestamp: solution.ntime,
      header: solution.header,
      coinbase,
    });
    // Never send the node a block whose proof does not hold (it would not notice: it never recomputes hashes).
    const proofProblem =
      hashHeader(solution.header).displayHex !== blockHash
        ? 'hashDisplay is not sha256d(header)'
        : verifyBridgedBlock({
            ...work.gxc.fields,
            hash: blockHash,
            nonce: solution.nonce >>> 0,
            timestamp: solution.ntime,
            pool_header: block.pool_header,
            pool_coinbase: block.pool_coinbase,
            pool_merkle_branch: block.pool_merkle_branch,
          });
    if (proofProblem) {
      logger.error(
        { event: 'gxc_block_proof_invalid', height: work.height, hash: blockHash, problem: proofProblem },
        'GXC block candidate fails its own proof; not submitted',
      );
      return { accepted: false, reason: `pool-bug: block proof does not hold (${proofProblem}); nothing submitted`, blockHash, raw: null };
    }
    return sendGxcBlock(rpc, logger, block, { height: work.height, hash: blockHash, algorithm: 'sha256d' });
  }

  async function tipHeight(): Promise<number> {
    const count = await rpc.call<number>('getblockcount', []);
    if (!Number.isSafeInteger(count) || count < 1) throw new Error(`getblockcount answered ${JSON.stringify(count)}`);
    // The GXC node counts blocks including genesis: tip height = count - 1.
    return count - 1;
  }

  async function getBestBlockHash(): Promise<string> {
    if (bestHashVia === 'getbestblockhash') {
      try {
        const hash = await rpc.call<string>('getbestblockhash', []);
        if (typeof hash === 'string' && /^[0-9a-fA-F]{64}$/.test(hash)) return hash.toLowerCase();
        throw new Error(`getbestblockhash answered ${JSON.stringify(hash)}`);
      } catch (err) {
        if (!(err instanceof RpcError && err.isMethodNotFound)) throw err;
        bestHashVia = 'count+hash';
      }
    }
    const hash = await rpc.call<string>('getblockhash', [await tipHeight()]);
    if (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`getblockhash answered ${JSON.stringify(hash)}`);
    return hash.toLowerCase();
  }

  async function blockStatus(height: number, hash: string): Promise<BlockStatus> {
    let block: unknown;
    try {
      block = await rpc.call<unknown>('getblock', [height]);
    } catch (err) {
      if (err instanceof RpcError && NOT_FOUND_RE.test(err.rpcMessage)) return { onMainChain: false, confirmations: 0 };
      throw err;
    }
    // A block without a proper hash is a broken answer, not "another block is there": it must never orphan a block.
    const found =
      typeof block === 'object' && block !== null && !Array.isArray(block) ? (block as { hash?: unknown; confirmations?: unknown }) : null;
    if (found === null || typeof found.hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(found.hash)) {
      throw new Error(`getblock ${height} answered no block hash: ${JSON.stringify(block)?.slice(0, 100)}`);
    }
    if (found.hash.toLowerCase() !== hash.toLowerCase()) return { onMainChain: false, confirmations: 0 };
    const c = found.confirmations;
    if (typeof c === 'number' && Number.isSafeInteger(c) && c > 0) return { onMainChain: true, confirmations: c };
    return { onMainChain: true, confirmations: (await tipHeight()) - height + 1 };
  }

  async function syncState(): Promise<NodeSyncState> {
    const tip = await tipHeight();
    let synced = true;
    try {
      const info = await rpc.call<{ initialblockdownload?: unknown }>('getblockchaininfo', []);
      synced = info?.initialblockdownload !== true;
    } catch (err) {
      if (!(err instanceof RpcError && err.isMethodNotFound)) throw err;
    }
    return { tipHeight: tip, synced };
  }

  return {
    kind: 'gxc',
    ethash: createGxcEthashCapability({ rpc, logger }),
    coinbaseMaturity: network === 'testnet' ? GXC_TESTNET_MATURITY : GXC_MAINNET_MATURITY,
    coinSymbol: 'GXC',
    validateAddress: (address: string) => validateGxcAddress(address, network),
    getWork,
    getBestBlockHash,
    submitBlock,
    blockStatus,
    syncState,
    wallet: createGxcWallet({ rpc, poolAddress, network, logger }),
  };
}

/** Re-checks a stored block candidate (header + coinbase) against the GXC block it claims; null when it holds. */
export function recheckGxcCandidate(work: GxcWork, solution: BlockSolution): string | null {
  const coinbase = Buffer.concat([work.coinb1, solution.extranonce1, solution.extranonce2, work.coinb2]);
  return verifyBridgedBlock({
    ...work.gxc.fields,
    hash: solution.hashDisplay,
    nonce: solution.nonce >>> 0,
    timestamp: solution.ntime,
    pool_header: solution.header.toString('hex'),
    pool_coinbase: coinbase.toString('hex'),
    pool_merkle_branch: [],
  });
}
