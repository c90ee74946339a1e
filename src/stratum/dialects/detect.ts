/**
 * Tells the mining algorithm (and, for Ethash, the wire dialect) of a connection from its FIRST request, so one
 * port can serve several kinds of miners. The rule, in order:
 *
 *  1. `eth_*` (eth_submitLogin, eth_getWork, ...) → Ethash, **eth-proxy** (Claymore, PhoenixMiner, ethminer
 *     `stratum1+tcp`).
 *  2. `mining.subscribe` whose 2nd param starts with `EthereumStratum/` → Ethash, **EthereumStratum/1.0.0**
 *     (lolMiner, T-Rex, NBMiner, TeamRedMiner, GMiner, ethminer `stratum2+tcp`). `mining.hello` (EthereumStratum
 *     2.0) is Ethash too; that dialect is answered with a clear refusal.
 *  3. `mining.subscribe` with NO params and `"jsonrpc": "2.0"`, on a port that serves Ethash → Ethash,
 *     **ethminer's plain `stratum+tcp`** mode (ethminer ≥ 0.18 sends exactly
 *     `{"id":1,"jsonrpc":"2.0","method":"mining.subscribe","params":[]}`). On a SHA-256d-only port it stays SV1:
 *     there an unknown SV1 client that happens to send the marker is never turned away.
 *  4. `mining.subscribe` with NO params and no `jsonrpc` is ambiguous: older ethminer (≤ 0.17) and old cgminer both
 *     send it. On a port that serves SHA-256d it stays **SV1** (never break an ASIC); on an Ethash-only port it is
 *     ethminer's stratum mode (SV1 would be refused there anyway).
 *  5. Everything else is SHA-256d Stratum V1: cpuminer, cgminer, Bitaxe and bmminer all send their user agent as
 *     the 1st subscribe param and no `jsonrpc` marker; cgminer's 2nd param is a session id, not a protocol name.
 */
import type { RpcRequest } from '../jsonrpc.js';
import type { StratumAlgorithm } from '../types.js';

/** The Ethash wire dialects this server speaks. */
export type EthashDialect = 'ethstratum' | 'ethproxy' | 'ethminer-stratum' | 'ethstratum2';

export type DetectedDialect = { algorithm: 'sha256d' } | { algorithm: 'ethash'; dialect: EthashDialect };

export function detectDialect(first: RpcRequest, portAlgorithms: readonly StratumAlgorithm[] = ['sha256d']): DetectedDialect {
  if (first.method.startsWith('eth_')) return { algorithm: 'ethash', dialect: 'ethproxy' };
  if (first.method === 'mining.hello') return { algorithm: 'ethash', dialect: 'ethstratum2' };
  if (first.method !== 'mining.subscribe') return { algorithm: 'sha256d' };
  const protocol = first.params[1];
  if (typeof protocol === 'string' && protocol.startsWith('EthereumStratum/')) return { algorithm: 'ethash', dialect: 'ethstratum' };
  if (first.params.length === 0 && portAlgorithms.includes('ethash')) {
    if (first.jsonrpc === '2.0' || !portAlgorithms.includes('sha256d')) return { algorithm: 'ethash', dialect: 'ethminer-stratum' };
  }
  return { algorithm: 'sha256d' };
}

/** The algorithm alone (what the connection needs to pick a dialect factory); see `detectDialect` for the rule. */
export function detectAlgorithm(first: RpcRequest, portAlgorithms?: readonly StratumAlgorithm[]): StratumAlgorithm {
  return detectDialect(first, portAlgorithms).algorithm;
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

export const ETHASH_UNAVAILABLE = 'Ethash mining is not available on this pool: its node has no Ethash blocks (Ethash needs a GXC node)';

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
