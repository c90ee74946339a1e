/**
 * The Ethash bridge: how a standard Ethash (GPU) miner proves work on a GXC block (see BRIDGE-ETHASH.md).
 *
 *   header hash H = sha256d(str("gxc-ethash-bridge/1") ‖ block fields (as the SHA-256d bridge) ‖ u64 timestamp)
 *   miners run Ethash on (block number = GXC height, H, nonce) → mix digest, final hash
 *   GXC block `hash` = the final hash as hex (Ethash order, never reversed); the node requires floor(difficulty)
 *   leading '0's, i.e. finalHash read big-endian <= GXC target: the same target as the SHA-256d bridge.
 *
 * The submitted block carries `pool_header_hash` and `pool_mix_digest` (ignored by the node), so anyone can recompute
 * H from the block's own fields and re-run Ethash. Pure: no I/O; the Ethash computation itself is passed in.
 */
import { isHex, u64LE } from '../../core/bytes.js';
import { sha256d } from '../../core/hash.js';
import type { EthashHashResult, EthashWork } from '../types.js';
import { encodeBlockFields, str, type BridgeBlockFields } from './bridge.js';
import { gxcDifficultyToTarget } from './difficulty.js';
import type { ExactJson } from './json-text.js';

/** Names the scheme in submitted blocks (`pool_bridge`) and opens the committed bytes (domain separation). */
export const ETHASH_BRIDGE_SCHEME = 'gxc-ethash-bridge/1';
export const ETHASH_CONSENSUS_TYPE = 'pow_ethash';
export const MAX_ETHASH_NONCE = (1n << 64n) - 1n;

export interface EthashBlockFields extends BridgeBlockFields {
  /** Committed: an Ethash miner cannot roll time, so the block's timestamp is fixed by the work. */
  timestamp: number;
}

/** Canonical bytes the header hash commits to (distinct domain tag from the SHA-256d bridge). */
export function encodeEthashCommitment(f: EthashBlockFields): Buffer {
  if (!Number.isSafeInteger(f.timestamp) || f.timestamp < 0) throw new Error(`bad timestamp ${f.timestamp}`);
  return Buffer.concat([str(ETHASH_BRIDGE_SCHEME), encodeBlockFields(f), u64LE(BigInt(f.timestamp))]);
}

/** The header hash Ethash miners are given: 64 lowercase hex characters (digest order). */
export function ethashHeaderHash(f: EthashBlockFields): string {
  return sha256d(encodeEthashCommitment(f)).toString('hex');
}

/** EthashWork plus what the GXC adapter needs to assemble the block. */
export interface GxcEthashWork extends EthashWork {
  readonly gxc: { fields: EthashBlockFields };
}

export function isGxcEthashWork(work: EthashWork): work is GxcEthashWork {
  const gxc = (work as Partial<GxcEthashWork>).gxc;
  return typeof gxc === 'object' && gxc !== null && typeof gxc.fields === 'object';
}

/** Builds the Ethash work for the block fields a SHA-256d work already fixed (same transactions, same payout). */
export function buildGxcEthashWork(base: BridgeBlockFields, opts: { timestamp: number; reward: bigint; templateKey: string }): GxcEthashWork {
  const fields: EthashBlockFields = { ...base, timestamp: opts.timestamp };
  return {
    height: base.height,
    prevHashDisplay: base.previousblockhash,
    headerHash: ethashHeaderHash(fields),
    networkTarget: gxcDifficultyToTarget(base.difficulty),
    timestamp: opts.timestamp,
    reward: opts.reward,
    txCount: base.transactions.length,
    templateKey: opts.templateKey,
    gxc: { fields },
  };
}

export interface EthashSubmitParts {
  nonce: bigint;
  mixDigest: string;
  finalHash: string;
}

/** The `submitblock` BLOCK object for an Ethash solution: the node's fields first, then the proof it ignores. */
export function ethashSubmitBlockJson(fields: EthashBlockFields, parts: EthashSubmitParts): { [key: string]: ExactJson } {
  return {
    height: fields.height,
    hash: parts.finalHash,
    previousblockhash: fields.previousblockhash,
    nonce: parts.nonce,
    miner: fields.miner,
    timestamp: fields.timestamp,
    difficulty: fields.difficulty,
    transactions: fields.transactions as ExactJson[],
    consensus_type: ETHASH_CONSENSUS_TYPE,
    pool_bridge: ETHASH_BRIDGE_SCHEME,
    pool_header_hash: ethashHeaderHash(fields),
    pool_mix_digest: parts.mixDigest,
  };
}

/** The widest submission of these fields (for the 8 KB body budget): every variable part at its longest. */
export function widestEthashSubmitBlockJson(fields: BridgeBlockFields): { [key: string]: ExactJson } {
  return ethashSubmitBlockJson(
    { ...fields, timestamp: 9_999_999_999 },
    { nonce: MAX_ETHASH_NONCE, mixDigest: '0'.repeat(64), finalHash: '0'.repeat(64) },
  );
}

/** A submitted `pow_ethash` block as a verifier reads it (fields not yet trusted). */
export interface SubmittedEthashBlock extends EthashBlockFields {
  hash: string;
  nonce: bigint;
  pool_bridge: unknown;
  pool_header_hash: unknown;
  pool_mix_digest: unknown;
}

/** What to run Ethash on, or the first reason the block cannot even be evaluated. */
export type EthashProofInput = { ok: true; blockNumber: number; headerHash: string; nonce: bigint } | { ok: false; problem: string };

/** Step 1 of re-verification: the header hash must be recomputable from the block's own fields. */
export function ethashProofInput(b: SubmittedEthashBlock): EthashProofInput {
  if (b.pool_bridge !== ETHASH_BRIDGE_SCHEME) return { ok: false, problem: `pool_bridge must be "${ETHASH_BRIDGE_SCHEME}"` };
  if (typeof b.pool_header_hash !== 'string' || !isHex(b.pool_header_hash, 32))
    return { ok: false, problem: 'pool_header_hash must be 64 hex characters' };
  if (typeof b.pool_mix_digest !== 'string' || !isHex(b.pool_mix_digest, 32))
    return { ok: false, problem: 'pool_mix_digest must be 64 hex characters' };
  if (b.nonce < 0n || b.nonce > MAX_ETHASH_NONCE) return { ok: false, problem: `nonce ${b.nonce} is not a 64-bit unsigned integer` };
  let expected: string;
  try {
    expected = ethashHeaderHash(b);
  } catch (err) {
    return { ok: false, problem: `cannot compute the header hash: ${(err as Error).message}` };
  }
  if (expected !== b.pool_header_hash.toLowerCase()) {
    return {
      ok: false,
      problem: `pool_header_hash ${b.pool_header_hash} does not commit to this block (recomputed ${expected}: height, previous hash, miner, difficulty, timestamp, payout or transactions differ)`,
    };
  }
  return { ok: true, blockNumber: b.height, headerHash: expected, nonce: b.nonce };
}

/** Step 2: Ethash's own result must be the submitted mix digest and hash, and the hash must meet the target. */
export function checkEthashProof(b: SubmittedEthashBlock, computed: EthashHashResult): string | null {
  const mix = String(b.pool_mix_digest).toLowerCase();
  if (computed.mixDigest !== mix) return `pool_mix_digest ${mix} is not Ethash's mix digest ${computed.mixDigest}`;
  if (computed.finalHash !== b.hash.toLowerCase()) return `hash ${b.hash} is not Ethash's final hash ${computed.finalHash}`;
  if (BigInt(`0x${computed.finalHash}`) > gxcDifficultyToTarget(b.difficulty)) {
    return `final hash ${computed.finalHash} does not meet difficulty ${b.difficulty}`;
  }
  return null;
}

/** Both steps with a synchronous Ethash (the devnet's light verifier). Null when the proof holds. */
export function verifyEthashBridgedBlock(
  b: SubmittedEthashBlock,
  hashimoto: (blockNumber: number, headerHash: string, nonce: bigint) => EthashHashResult,
): string | null {
  const input = ethashProofInput(b);
  if (!input.ok) return input.problem;
  return checkEthashProof(b, hashimoto(input.blockNumber, input.headerHash, input.nonce));
}
