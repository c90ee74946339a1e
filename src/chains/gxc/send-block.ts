/**
 * Sends one assembled GXC block to the node and turns the answer into a SubmitOutcome: `null` is acceptance, a
 * -32603 refusal is a verdict with the node's message, anything else (transport, garbage) leaves the outcome open.
 * Shared by the SHA-256d and the Ethash bridge.
 */
import type { Logger } from '../../log/logger.js';
import { RpcError, RpcTransportError, type RpcClient } from '../../rpc/types.js';
import { submitToNode } from '../submit-call.js';
import type { SubmitOutcome } from '../types.js';
import { submitFailureReason } from './errors.js';
import type { ExactJson } from './json-text.js';

export async function sendGxcBlock(
  rpc: RpcClient,
  logger: Logger,
  block: { [key: string]: ExactJson },
  meta: { height: number; hash: string; algorithm: 'sha256d' | 'ethash' },
): Promise<SubmitOutcome> {
  const { height, hash: blockHash, algorithm } = meta;
  try {
    const result = await submitToNode<unknown>(rpc, ['submitblock', 'gxc_submitBlock'], [block]);
    if (result === null || result === undefined) {
      logger.info({ event: 'gxc_block_accepted', height, hash: blockHash, algorithm }, `GXC node accepted block ${height}`);
      return { accepted: true, reason: null, blockHash, raw: null };
    }
    // Bitcoin-style nodes answer a reason string; the GXC node answers null on success.
    const reason = `rejected: node answered ${JSON.stringify(result)}`;
    logger.warn({ event: 'gxc_block_rejected', height, hash: blockHash, algorithm, reason }, reason);
    return { accepted: false, reason, blockHash, raw: result };
  } catch (err) {
    const reason = submitFailureReason(err);
    const raw =
      err instanceof RpcError
        ? { code: err.code, message: err.rpcMessage }
        : err instanceof RpcTransportError
          ? { transport: err.reason }
          : String(err);
    logger.warn({ event: 'gxc_block_rejected', height, hash: blockHash, algorithm, reason }, `GXC block ${height} refused: ${reason}`);
    // A -32603 refusal is a verdict; anything else (transport, garbage) leaves the outcome unknown.
    return { accepted: false, reason, blockHash, raw, uncertain: !(err instanceof RpcError) };
  }
}
