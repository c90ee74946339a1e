/**
 * The SHA-256d bridge: how a standard Bitcoin-style miner proves work on a GXC block (see BRIDGE.md).
 *
 *   commitment C = sha256d(encodeBridgeCommitment(height, previousblockhash, miner, difficulty,
 *                                                  coinbase payout address + amount, every GXC txid in order))
 *   bridge coinbase = a Bitcoin-format transaction: one input (null prevout) whose scriptSig is
 *       BIP34 height push ‖ push(pool tag) ‖ push(extranonce1 ‖ extranonce2)
 *     and one output of value 0: OP_RETURN push("GXC" 0x01 ‖ C)
 *   header = version ‖ prevhash ‖ merkle root ‖ ntime ‖ bits ‖ nonce (the standard 80 bytes), with
 *       prevhash = the GXC previous hash read as display hex (bytes reversed, exactly as Bitcoin RPC shows a hash),
 *       merkle root = txid of the bridge coinbase (the tree has this one leaf: the Stratum branch is empty,
 *         because C already commits to the GXC transactions),
 *       bits = compact form of the GXC target (informational), ntime = GXC `timestamp`, nonce = GXC `nonce`.
 *   GXC block `hash` = display hex of sha256d(header); the node requires floor(difficulty) leading '0's of it,
 *   i.e. the same test as sha256d(header) <= GXC target.
 *
 * Anyone holding the submitted block (it carries `pool_header`, `pool_coinbase` and `pool_merkle_branch`, which
 * the GXC node ignores) can re-run verifyBridgedBlock. Pure: no I/O.
 */
import { isHex, reverseBuf, u32LE, u64LE, varInt } from '../../core/bytes.js';
import { sha256d } from '../../core/hash.js';
import { hashHeader } from '../../core/header.js';
import { merkleRootFromBranch } from '../../core/merkle.js';
import { bip34HeightPush, pushData } from '../../core/script.js';
import { parseTx } from '../bitcoin/tx.js';
import { gxcAmountToUnits } from './amounts.js';
import { gxcTargetBits } from './difficulty.js';
import { gxcTxId, isCoinbaseJson, type GxcTransactionJson } from './template.js';

/** Names the scheme in submitted blocks (`pool_bridge`) so a verifier knows how to read the proof. */
export const BRIDGE_SCHEME = 'gxc-sha256d-bridge/1';
/** Header version: BIP9's base so ASICs' version rolling (BIP310) has its usual bits to roll. */
export const BRIDGE_HEADER_VERSION = 0x20000000;
export const COMMITMENT_MAGIC = Buffer.from([0x47, 0x58, 0x43, 0x01]); // "GXC" v1
const DOMAIN_TAG = Buffer.from(BRIDGE_SCHEME, 'ascii');
export const MAX_POOL_TAG_BYTES = 40;

export interface BridgeBlockFields {
  height: number;
  previousblockhash: string;
  miner: string;
  difficulty: number;
  /** GXC transactions, coinbase first, exactly as submitted. */
  transactions: readonly GxcTransactionJson[];
}

export function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([varInt(b.length), b]);
}

function f64LE(x: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
}

/** Canonical, unambiguous bytes (length-prefixed strings, fixed-width numbers) that the commitment hashes. */
export function encodeBridgeCommitment(f: BridgeBlockFields): Buffer {
  return Buffer.concat([str(DOMAIN_TAG.toString('ascii')), encodeBlockFields(f)]);
}

/**
 * The block fields every bridge commits to, after its domain tag: height, previous hash, miner, difficulty,
 * coinbase payout (address, amount) and every transaction id in submitted order.
 */
export function encodeBlockFields(f: BridgeBlockFields): Buffer {
  const coinbase = f.transactions[0];
  if (!coinbase || !isCoinbaseJson(coinbase)) throw new Error('bridge commitment needs the GXC coinbase at index 0');
  const out0 = Array.isArray(coinbase.outputs) ? (coinbase.outputs[0] as { address?: unknown; amount?: unknown } | undefined) : undefined;
  if (!out0 || typeof out0.address !== 'string' || typeof out0.amount !== 'number') {
    throw new Error('bridge commitment needs coinbase outputs[0] with address and amount');
  }
  if (!Number.isSafeInteger(f.height) || f.height < 0) throw new Error(`bad height ${f.height}`);
  return Buffer.concat([
    u64LE(BigInt(f.height)),
    str(f.previousblockhash),
    str(f.miner),
    f64LE(f.difficulty),
    str(out0.address),
    u64LE(gxcAmountToUnits(out0.amount)),
    varInt(f.transactions.length),
    ...f.transactions.map((tx) => str(gxcTxId(tx))),
  ]);
}

export function bridgeCommitment(f: BridgeBlockFields): Buffer {
  return sha256d(encodeBridgeCommitment(f));
}

export function commitmentScript(commitment: Buffer): Buffer {
  if (commitment.length !== 32) throw new Error('commitment must be 32 bytes');
  return Buffer.concat([Buffer.from([0x6a]), pushData(Buffer.concat([COMMITMENT_MAGIC, commitment]))]);
}

export interface BridgeCoinbase {
  coinb1: Buffer;
  coinb2: Buffer;
}

/** coinbase = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2 (non-witness Bitcoin serialization). */
export function buildBridgeCoinbase(opts: { height: number; poolTag: string; extranonceSize: number; commitment: Buffer }): BridgeCoinbase {
  const tag = Buffer.from(opts.poolTag, 'utf8');
  if (tag.length > MAX_POOL_TAG_BYTES) throw new Error(`pool tag is ${tag.length} bytes; at most ${MAX_POOL_TAG_BYTES}`);
  if (!Number.isInteger(opts.extranonceSize) || opts.extranonceSize < 1 || opts.extranonceSize > 32) {
    throw new Error(`extranonce size must be 1-32 bytes, got ${opts.extranonceSize}`);
  }
  const height = bip34HeightPush(opts.height);
  const tagPush = tag.length > 0 ? pushData(tag) : Buffer.alloc(0);
  // The extranonce is one direct push; coinb1 ends with its length byte so the miner's bytes are the data.
  const scriptSigLen = height.length + tagPush.length + 1 + opts.extranonceSize;
  if (scriptSigLen > 100) throw new Error(`coinbase scriptSig would be ${scriptSigLen} bytes (max 100)`);
  const coinb1 = Buffer.concat([
    u32LE(1),
    varInt(1),
    Buffer.alloc(32, 0),
    u32LE(0xffffffff),
    varInt(scriptSigLen),
    height,
    tagPush,
    Buffer.from([opts.extranonceSize]),
  ]);
  const script = commitmentScript(opts.commitment);
  const coinb2 = Buffer.concat([u32LE(0xffffffff), varInt(1), u64LE(0n), varInt(script.length), script, u32LE(0)]);
  return { coinb1, coinb2 };
}

/** What a submitted block carries so the proof can be re-checked (extra fields the GXC node ignores). */
export interface BridgeProof {
  pool_bridge: string;
  /** The 80-byte header the miner hashed, hex. */
  pool_header: string;
  /** The full bridge coinbase (with the miner's extranonces), hex. */
  pool_coinbase: string;
  /** Stratum merkle branch, internal-order hex (empty in this scheme). */
  pool_merkle_branch: string[];
}

export interface SubmittedBridgeBlock extends BridgeBlockFields {
  hash: string;
  nonce: number | bigint;
  timestamp: number;
  pool_header: unknown;
  pool_coinbase: unknown;
  pool_merkle_branch: unknown;
}

/**
 * Re-verifies a submitted block's proof of work against its header commitment. Null when everything holds,
 * else the first failed check.
 */
export function verifyBridgedBlock(b: SubmittedBridgeBlock): string | null {
  if (typeof b.pool_header !== 'string' || !isHex(b.pool_header, 80)) return 'pool_header must be the 80-byte header as 160 hex characters';
  if (typeof b.pool_coinbase !== 'string' || !isHex(b.pool_coinbase) || b.pool_coinbase.length === 0) return 'pool_coinbase must be hex';
  const branchHex = b.pool_merkle_branch;
  if (!Array.isArray(branchHex) || !branchHex.every((h) => typeof h === 'string' && isHex(h, 32))) {
    return 'pool_merkle_branch must be an array of 32-byte hex hashes';
  }
  const header = Buffer.from(b.pool_header, 'hex');
  const hashed = hashHeader(header);
  if (hashed.displayHex !== b.hash.toLowerCase()) return `hash ${b.hash} is not sha256d(pool_header) = ${hashed.displayHex}`;
  const prevDisplay = reverseBuf(header.subarray(4, 36)).toString('hex');
  if (prevDisplay !== b.previousblockhash.toLowerCase()) return `header prevhash ${prevDisplay} is not previousblockhash ${b.previousblockhash}`;
  const time = header.readUInt32LE(68);
  if (time !== b.timestamp) return `header time ${time} is not the block timestamp ${b.timestamp}`;
  const nonce = header.readUInt32LE(76);
  if (BigInt(nonce) !== BigInt(b.nonce)) return `header nonce ${nonce} is not the block nonce ${b.nonce}`;
  const bits = header.readUInt32LE(72);
  if (bits !== gxcTargetBits(b.difficulty)) return `header bits ${bits.toString(16)} do not encode difficulty ${b.difficulty}`;

  const coinbase = Buffer.from(b.pool_coinbase, 'hex');
  let tx: ReturnType<typeof parseTx>['tx'];
  try {
    const parsed = parseTx(coinbase);
    if (parsed.size !== coinbase.length) return 'pool_coinbase has trailing bytes';
    tx = parsed.tx;
  } catch (err) {
    return `pool_coinbase does not parse: ${(err as Error).message}`;
  }
  const root = merkleRootFromBranch(
    sha256d(coinbase),
    branchHex.map((h) => Buffer.from(h, 'hex')),
  );
  if (!root.equals(header.subarray(36, 68))) return 'header merkle root does not commit to pool_coinbase';
  const input = tx.inputs[0];
  if (tx.inputs.length !== 1 || !input || !input.prevTxid.equals(Buffer.alloc(32)) || input.prevIndex !== 0xffffffff) {
    return 'pool_coinbase is not a coinbase (one null-prevout input)';
  }
  const heightPush = bip34HeightPush(b.height);
  if (!input.scriptSig.subarray(0, heightPush.length).equals(heightPush)) return `pool_coinbase scriptSig does not start with height ${b.height}`;
  let expected: Buffer;
  try {
    expected = commitmentScript(bridgeCommitment(b));
  } catch (err) {
    return `cannot compute the commitment: ${(err as Error).message}`;
  }
  const committed = tx.outputs.filter((o) => o.scriptPubKey.subarray(0, 6).equals(expected.subarray(0, 6)));
  if (committed.length !== 1) return `pool_coinbase must carry exactly one GXC commitment output, found ${committed.length}`;
  if (!committed[0]!.scriptPubKey.equals(expected))
    return 'pool_coinbase commitment does not match this block (height, previous hash, miner, difficulty, payout or transactions differ)';
  return null;
}
