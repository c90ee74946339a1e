/**
 * `submitblock` as the GXC node checks it (messages as recorded), then the devnet's own checks, which the real
 * node skips: every mempool transaction must be known and spendable, and — unlike the node, which never
 * recomputes `hash` — the hash must be proven: by the pool's bridge header (pool_header/pool_coinbase, verified
 * with the commitment to this very block), for a `pow_ethash` block by real Ethash over the Ethash bridge's header
 * hash (BRIDGE-ETHASH.md), or, for a block without either, by the node's own text hash.
 */
import { gxcAmountToUnits } from '../../chains/gxc/amounts.js';
import { verifyBridgedBlock } from '../../chains/gxc/bridge.js';
import { checkEthashProof, ETHASH_CONSENSUS_TYPE, ethashProofInput } from '../../chains/gxc/ethash-bridge.js';
import { leadingHexZeros, requiredLeadingZeros } from '../../chains/gxc/difficulty.js';
import { gxcTxId, isCoinbaseJson } from '../../chains/gxc/template.js';
import type { JsonValue } from '../../rpc/types.js';
import { devTxId, sixDecimals, type DevTx, type UtxoSet } from './ledger.js';
import { nodeBlockHash, nodeMerkleRoot } from './node-hash.js';
import { NlohmannParseError, parseNlohmann, type NJson } from './nlohmann-json.js';
import {
  asNumber,
  asString,
  asU64,
  isObject,
  NodeRpcFailure,
  RPC_INTERNAL_ERROR,
  RPC_INVALID_PARAMETER,
  valueAt,
  type NObject,
} from './node-values.js';
import type { DevBlock } from './json-views.js';
import type { DevnetEthash, DevnetEthashInput } from './ethash-light.js';

export interface SubmitState {
  /** getblockcount: the height the next block must have. */
  count: number;
  tip: DevBlock;
  difficulty: number;
  now: number;
  subsidyUnits(height: number): bigint;
  isPosHeight(height: number): boolean;
  mempool: ReadonlyMap<string, DevTx>;
  utxo: UtxoSet;
  verifyHashes: boolean;
  /** Reproduces the node bug where an uninitialised supply counter makes the maximum reward 0. */
  supplyBug: boolean;
  /** Ethash (light mode) for re-verifying `pow_ethash` blocks; without it such blocks are refused when verifying. */
  ethash?: DevnetEthash;
}

/**
 * A `pow_ethash` block that passed every other check but whose Ethash result is not computed yet: the caller
 * computes it off the event loop (`DevnetEthash.compute`) and checks the block again against the state of then.
 */
export interface EthashResultNeeded {
  ethashNeeded: DevnetEthashInput;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Validates `params` of submitblock; returns the block to connect (or, for an Ethash block, the hash still to
 * compute), or throws NodeRpcFailure like the node.
 */
export function checkSubmittedBlock(params: NJson[], s: SubmitState): DevBlock | EthashResultNeeded {
  if (params.length < 1) throw new NodeRpcFailure(RPC_INVALID_PARAMETER, 'Missing block data parameter');
  try {
    return check(params[0]!, s);
  } catch (err) {
    // Inside the node's try block every exception becomes -32603 "Failed to submit block: ...".
    throw new NodeRpcFailure(RPC_INTERNAL_ERROR, `Failed to submit block: ${(err as Error).message}`);
  }
}

function check(param: NJson, s: SubmitState): DevBlock | EthashResultNeeded {
  let data: NJson = param;
  if (typeof param === 'string') {
    try {
      data = parseNlohmann(param);
    } catch (err) {
      if (!(err instanceof NlohmannParseError)) throw err;
      throw new Error('[json.exception.type_error.306] cannot use value() with string');
    }
  } else if (!isObject(param)) {
    throw new Error('Invalid block data format - must be JSON object or string');
  }
  if (!isObject(data)) throw new Error(`[json.exception.type_error.306] cannot use value() with ${Array.isArray(data) ? 'array' : typeof data}`);
  const b = data;
  const height = Number(BigInt.asUintN(32, asU64(valueAt(b, ['height', 'blockNumber'], (v) => v, 0 as NJson))));
  const hash = valueAt(b, ['hash', 'blockHash'], asString, '');
  const prev = valueAt(b, ['previousblockhash', 'prevHash', 'previousHash'], asString, '');
  const nonce = valueAt(b, ['nonce'], asU64, 0n);
  const miner = valueAt(b, ['miner', 'miner_address'], asString, '');
  const timestamp = Number(valueAt(b, ['timestamp'], asU64, BigInt(s.now)));
  const difficulty = valueAt(b, ['difficulty'], asNumber, 1.0);

  if (hash === '') throw new Error('Block hash is required');
  if (hash.length !== 64) throw new Error(`Invalid hash length: expected 64 hex characters, got ${hash.length}`);
  if (!HEX64.test(hash)) throw new Error('Invalid hash format: contains non-hexadecimal characters');
  if (prev !== '' && prev.length !== 64) throw new Error('Invalid previous hash length: expected 64 hex characters');
  if (height > s.count + 1000) throw new Error(`Block height too far in future: ${height} (current: ${s.count})`);
  if (timestamp > s.now + 7200) throw new Error('Block timestamp too far in future');
  if (timestamp < s.now - 86400) throw new Error('Block timestamp too far in past');
  if (difficulty <= 0 || difficulty > 1_000_000) throw new Error(`Invalid difficulty: ${difficulty.toFixed(6)} (must be between 0 and 1000000)`);
  if (miner !== '' && (miner.length < 26 || miner.length > 62)) throw new Error('Invalid miner address length');

  if (height !== s.count) throw new Error('Stale block');
  if (Math.abs(difficulty - s.difficulty) > 0.0001) throw new Error(`Block difficulty mismatch. Network requires ${s.difficulty.toFixed(6)}`);
  const zeros = leadingHexZeros(hash);
  const required = requiredLeadingZeros(s.difficulty);
  if (zeros < required) throw new Error(`Block does not meet difficulty target. Hash has ${zeros} leading zeros, requires ${required}`);
  if (prev.toLowerCase() !== s.tip.hash) throw new Error('Block validation failed');
  if (s.isPosHeight(height) && valueAt(b, ['consensus_type', 'block_type'], asString, 'pow') !== 'pos') {
    throw new Error(`Block validation failed: height ${height} is a proof-of-stake height`);
  }

  const consensus = valueAt(b, ['consensus_type', 'block_type'], asString, 'pow');
  const rawTxs = Array.isArray(b.transactions) ? b.transactions : [];
  const { txs, feeUnits } = checkTransactions(rawTxs, height, timestamp, s);
  const subsidy = s.subsidyUnits(height);
  const maxUnits = s.supplyBug ? 0n : subsidy + feeUnits;
  const coinbaseUnits = txs[0]!.outputs[0]!.units;
  if (coinbaseUnits > maxUnits) {
    throw new Error(`Coinbase reward exceeds maximum. Actual: ${sixDecimals(coinbaseUnits)} GXC, Max allowed: ${sixDecimals(maxUnits)} GXC`);
  }

  const merkleroot = nodeMerkleRoot(txs.map((t) => t.txid));
  const block: DevBlock = {
    height,
    hash: hash.toLowerCase(),
    previousblockhash: prev.toLowerCase(),
    timestamp,
    nonce,
    difficulty: s.difficulty,
    miner,
    merkleroot,
    txs,
    subsidyUnits: subsidy,
    consensus: consensus === ETHASH_CONSENSUS_TYPE ? ETHASH_CONSENSUS_TYPE : 'pow_sha256',
  };
  if (s.verifyHashes) {
    if (consensus === ETHASH_CONSENSUS_TYPE) {
      const needed = verifyEthashHash(b, block, rawTxs, s.ethash);
      if (needed) return { ethashNeeded: needed };
    } else verifyHash(b, block, rawTxs);
  }
  return block;
}

function checkTransactions(rawTxs: NJson[], height: number, timestamp: number, s: SubmitState): { txs: DevTx[]; feeUnits: bigint } {
  const objects = rawTxs.filter(isObject);
  const coinbaseAt = objects.map((t, i) => (isCoinbaseJson(t) ? i : -1)).filter((i) => i >= 0);
  if (coinbaseAt.length !== 1 || coinbaseAt[0] !== 0) {
    throw new Error(
      `Block validation failed: a block needs exactly one coinbase, at index 0 (found ${coinbaseAt.length}${coinbaseAt.length ? ` at ${coinbaseAt.join(',')}` : ''})`,
    );
  }
  const cb = objects[0]!;
  const out0 =
    Array.isArray(cb.outputs) && isObject(cb.outputs[0])
      ? cb.outputs[0]
      : isObject(cb) && typeof cb.to === 'string'
        ? { address: cb.to, amount: cb.amount ?? cb.value ?? 0 }
        : null;
  const address = out0 && typeof out0.address === 'string' ? out0.address : '';
  const amount = out0 ? asNumber(out0.amount ?? 0) : 0;
  if (!address || !(amount > 0)) throw new Error('Block validation failed: the coinbase needs outputs[0] with an address and a positive amount');
  let coinbaseId: string;
  try {
    coinbaseId = gxcTxId(cb as unknown as { [key: string]: JsonValue });
  } catch {
    coinbaseId = devTxId({
      coinbase: true,
      from: '',
      to: address,
      inputs: [],
      outputs: [{ address, units: gxcAmountToUnits(amount) }],
      feeUnits: 0n,
      timestamp,
    });
  }
  const coinbase: DevTx = {
    txid: coinbaseId,
    coinbase: true,
    from: '',
    to: address,
    inputs: [],
    outputs: [{ address, units: gxcAmountToUnits(amount) }],
    feeUnits: 0n,
    timestamp: typeof cb.timestamp === 'number' ? cb.timestamp : timestamp,
  };
  const scratch = s.utxo.clone();
  const txs: DevTx[] = [coinbase];
  const seen = new Set<string>();
  let feeUnits = 0n;
  for (const raw of objects.slice(1)) {
    let id: string;
    try {
      id = gxcTxId(raw as unknown as { [key: string]: JsonValue });
    } catch {
      throw new Error('Block validation failed: a transaction has no hash/txid');
    }
    const known = s.mempool.get(id);
    if (!known) throw new Error(`Block validation failed: transaction ${id} is not in the node's mempool`);
    if (seen.has(id)) throw new Error(`Block validation failed: transaction ${id} appears twice`);
    seen.add(id);
    const problem = scratch.apply(known, height);
    if (problem) throw new Error(`Block validation failed: transaction ${id}: ${problem}`);
    txs.push(known);
    feeUnits += known.feeUnits;
  }
  return { txs, feeUnits };
}

/** The block fields both bridges' proofs commit to, as submitted (the proof fields are added per bridge). */
function committedFields(b: NObject, block: DevBlock, rawTxs: NJson[]) {
  return {
    height: block.height,
    hash: block.hash,
    previousblockhash: block.previousblockhash,
    nonce: block.nonce,
    miner: block.miner,
    timestamp: block.timestamp,
    difficulty: asNumber(b.difficulty ?? 1.0),
    transactions: rawTxs as unknown as Array<{ [key: string]: JsonValue }>,
  };
}

/**
 * A `pow_ethash` block: the header hash must commit to this very block and Ethash must give its hash and mix.
 * Returns the Ethash input when its result is not known yet (never computed here: it would block the loop).
 */
function verifyEthashHash(b: NObject, block: DevBlock, rawTxs: NJson[], ethash: DevnetEthash | undefined): DevnetEthashInput | null {
  if (!ethash) throw new Error('Ethash verification is not available on this devnet; pow_ethash blocks are refused');
  const submitted = {
    ...committedFields(b, block, rawTxs),
    pool_bridge: b.pool_bridge,
    pool_header_hash: b.pool_header_hash,
    pool_mix_digest: b.pool_mix_digest,
  };
  const input = ethashProofInput(submitted);
  if (!input.ok) throw new Error(`Ethash verification failed: ${input.problem}`);
  const computed = ethash.known(input);
  if (!computed) return { blockNumber: input.blockNumber, headerHash: input.headerHash, nonce: input.nonce };
  const problem = checkEthashProof(submitted, computed);
  if (problem) throw new Error(`Ethash verification failed: ${problem}`);
  block.poolHeaderHash = String(b.pool_header_hash).toLowerCase();
  block.poolMixDigest = String(b.pool_mix_digest).toLowerCase();
  return null;
}

function verifyHash(b: NObject, block: DevBlock, rawTxs: NJson[]): void {
  const hasProof = 'pool_header' in b || 'pool_coinbase' in b || 'pool_merkle_branch' in b;
  if (hasProof) {
    const problem = verifyBridgedBlock({
      ...committedFields(b, block, rawTxs),
      pool_header: b.pool_header,
      pool_coinbase: b.pool_coinbase,
      pool_merkle_branch: b.pool_merkle_branch,
    });
    if (problem) throw new Error(`Pool header verification failed: ${problem}`);
    block.poolHeader = String(b.pool_header).toLowerCase();
    block.poolCoinbase = String(b.pool_coinbase).toLowerCase();
    return;
  }
  const expected = nodeBlockHash(block);
  if (expected !== block.hash) {
    throw new Error(`Block hash does not match the block fields (expected ${expected}; the devnet recomputes hashes, the real node does not)`);
  }
}
