/**
 * Tells the mining algorithm of a connection from its FIRST request, so one port can serve several kinds of
 * miners. Ethash miners speak either eth-proxy/stratum1 (`eth_submitLogin`, `eth_getWork`, other `eth_*`) or
 * EthereumStratum/1.0.0 (`mining.subscribe` whose 2nd param names that protocol; 2.0 opens with `mining.hello`).
 * Everything else is SHA-256d Stratum V1 (cgminer's 2nd subscribe param is a session id, not a protocol name).
 */
import type { RpcRequest } from '../jsonrpc.js';
import type { StratumAlgorithm } from '../types.js';

export function detectAlgorithm(first: RpcRequest): StratumAlgorithm {
  if (first.method.startsWith('eth_')) return 'ethash';
  if (first.method === 'mining.hello') return 'ethash';
  const protocol = first.params[1];
  if (first.method === 'mining.subscribe' && typeof protocol === 'string' && protocol.startsWith('EthereumStratum/')) {
    return 'ethash';
  }
  return 'sha256d';
}

/**
 * The error reply for a miner this port will not serve, in the miner's own dialect: eth-proxy clients read
 * JSON-RPC 2.0 error objects, Stratum clients (SV1 and EthereumStratum) read `[code, message, null]`.
 */
export function refusalReply(first: RpcRequest, message: string): string {
  if (first.method.startsWith('eth_')) {
    return JSON.stringify({ id: first.id, jsonrpc: '2.0', result: null, error: { code: -32000, message } });
  }
  return JSON.stringify({ id: first.id, result: null, error: [20, message, null] });
}

export const ETHASH_UNAVAILABLE = 'Ethash mining is not available on this pool yet';

/** Why a port refuses a miner of `algorithm`, or null when it serves it. */
export function refusalReason(
  algorithm: StratumAlgorithm,
  portAlgorithms: readonly StratumAlgorithm[],
  implemented: readonly StratumAlgorithm[],
): string | null {
  if (!implemented.includes(algorithm)) {
    return algorithm === 'ethash' ? ETHASH_UNAVAILABLE : `${algorithm} mining is not available on this pool`;
  }
  if (!portAlgorithms.includes(algorithm)) {
    const served = portAlgorithms.join(', ');
    return algorithm === 'sha256d'
      ? `This port serves ${served} miners only; SHA-256d Stratum (mining.subscribe) is not accepted here`
      : `This port serves ${served} miners only; ${algorithm} is not accepted here`;
  }
  return null;
}
