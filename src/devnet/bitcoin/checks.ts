/**
 * Block checks that need no UTXO set, in Bitcoin Core's order and with its exact reject reasons:
 * CheckBlockHeader (proof of work), ContextualCheckBlockHeader, CheckBlock/CheckTransaction and
 * ContextualCheckBlock. Each returns null when the block passes, else the BIP22 reason string.
 */
import { bip34HeightPush } from '../../core/script.js';
import { decodeBits } from '../../core/target.js';
import { serializeTx, txidOf, hasWitness, type Tx } from '../../chains/bitcoin/tx.js';
import {
  blockHash,
  blockMerkleRoot,
  blockSizes,
  isCoinbase,
  serializeBlock,
  witnessCommitmentIndex,
  witnessMerkleRoot,
  type Block,
} from './block.js';
import { sha256d } from '../../core/hash.js';
import { MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT, MAX_FUTURE_BLOCK_TIME, POW_LIMIT, WITNESS_SCALE_FACTOR } from './params.js';
import { MAX_MONEY } from './amount.js';

/** What the contextual checks need to know about the block's place in the chain. */
export interface BlockContext {
  /** Height the block would have. */
  height: number;
  /** Median time past of the previous block (the last 11 blocks ending at prev). */
  prevMedianTime: number;
  /** Compact bits the chain requires at this height. */
  expectedBits: number;
  /** Node clock, unix seconds. */
  now: number;
}

/** Reasons Core files as BLOCK_MUTATED: the header may still be fine, so the block is not marked invalid. */
export const MUTATION_REASONS: ReadonlySet<string> = new Set([
  'bad-txnmrklroot',
  'bad-txns-duplicate',
  'bad-witness-nonce-size',
  'bad-witness-merkle-match',
  'unexpected-witness',
]);

/** CheckProofOfWork: bits must decode to a positive target within the pow limit and the hash must meet it. */
export function checkProofOfWork(block: Block): string | null {
  const d = decodeBits(block.header.bits);
  if (d.negative || d.overflow || d.target === 0n || d.target > POW_LIMIT) return 'high-hash';
  return blockHash(block).value > d.target ? 'high-hash' : null;
}

export function contextualCheckHeader(block: Block, ctx: BlockContext): string | null {
  const h = block.header;
  if (h.bits >>> 0 !== ctx.expectedBits >>> 0) return 'bad-diffbits';
  if (h.time <= ctx.prevMedianTime) return 'time-too-old';
  if (h.time > ctx.now + MAX_FUTURE_BLOCK_TIME) return 'time-too-new';
  // BIP34/66/65 are active from height 1, so every block after genesis needs version 4 or more.
  if (h.version < 4) return `bad-version(0x${(h.version >>> 0).toString(16).padStart(8, '0')})`;
  return null;
}

/** Core's CheckTransaction (consensus checks that need no context). */
export function checkTransaction(tx: Tx): string | null {
  if (tx.inputs.length === 0) return 'bad-txns-vin-empty';
  if (tx.outputs.length === 0) return 'bad-txns-vout-empty';
  if (serializeTx(tx, false).length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) return 'bad-txns-oversize';
  let total = 0n;
  for (const o of tx.outputs) {
    // Values are read as unsigned 64-bit; Core reads int64, so the top half of the range is "negative".
    if (o.value >= 1n << 63n) return 'bad-txns-vout-negative';
    if (o.value > MAX_MONEY) return 'bad-txns-vout-toolarge';
    total += o.value;
    if (total > MAX_MONEY) return 'bad-txns-txouttotal-toolarge';
  }
  const seen = new Set<string>();
  for (const i of tx.inputs) {
    const key = `${i.prevTxid.toString('hex')}:${i.prevIndex}`;
    if (seen.has(key)) return 'bad-txns-inputs-duplicate';
    seen.add(key);
  }
  if (isCoinbase(tx)) {
    const len = tx.inputs[0]!.scriptSig.length;
    if (len < 2 || len > 100) return 'bad-cb-length';
  } else {
    for (const i of tx.inputs) {
      if (i.prevIndex === 0xffffffff && i.prevTxid.every((b) => b === 0)) return 'bad-txns-prevout-null';
    }
  }
  return null;
}

/** Legacy (pre-segwit) sigop count of one script, counting multisig as 20 (Core's inaccurate mode). */
export function legacySigOps(script: Buffer): number {
  let n = 0;
  let p = 0;
  while (p < script.length) {
    const op = script[p]!;
    p++;
    if (op >= 0x01 && op <= 0x4b) p += op;
    else if (op === 0x4c) p += 1 + (script[p] ?? 0);
    else if (op === 0x4d) p += 2 + (p + 1 < script.length ? script.readUInt16LE(p) : 0);
    else if (op === 0x4e) p += 4 + (p + 3 < script.length ? script.readUInt32LE(p) : 0);
    else if (op === 0xac || op === 0xad) n += 1;
    else if (op === 0xae || op === 0xaf) n += 20;
    if (p > script.length) break; // a push running past the end ends the script, as GetOp fails there
  }
  return n;
}

export function txLegacySigOps(tx: Tx): number {
  let n = 0;
  for (const i of tx.inputs) n += legacySigOps(i.scriptSig);
  for (const o of tx.outputs) n += legacySigOps(o.scriptPubKey);
  return n;
}

/** Core's CheckBlock without the proof-of-work part (done before, on the header). */
export function checkBlock(block: Block): string | null {
  const { root, mutated } = blockMerkleRoot(block.txs.map((tx) => txidOf(tx)));
  if (!root.equals(block.header.merkleRoot)) return 'bad-txnmrklroot';
  if (mutated) return 'bad-txns-duplicate';
  if (
    block.txs.length === 0 ||
    block.txs.length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
    serializeBlock(block, false).length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
  ) {
    return 'bad-blk-length';
  }
  if (!isCoinbase(block.txs[0]!)) return 'bad-cb-missing';
  for (let i = 1; i < block.txs.length; i++) if (isCoinbase(block.txs[i]!)) return 'bad-cb-multiple';
  for (const tx of block.txs) {
    const reason = checkTransaction(tx);
    if (reason) return reason;
  }
  let sigops = 0;
  for (const tx of block.txs) sigops += txLegacySigOps(tx);
  if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST) return 'bad-blk-sigops';
  return null;
}

/** IsFinalTx with BIP113: time locks compare with the previous block's median time past. */
export function isFinalTx(tx: Tx, height: number, lockTimeCutoff: number): boolean {
  if (tx.locktime === 0) return true;
  if (tx.locktime < (tx.locktime < 500_000_000 ? height : lockTimeCutoff)) return true;
  return tx.inputs.every((i) => i.sequence === 0xffffffff);
}

/** Core's ContextualCheckBlock: finality, BIP34 height, witness commitment (CheckWitnessMalleation), weight. */
export function contextualCheckBlock(block: Block, ctx: BlockContext): string | null {
  for (const tx of block.txs) if (!isFinalTx(tx, ctx.height, ctx.prevMedianTime)) return 'bad-txns-nonfinal';
  const expect = bip34HeightPush(ctx.height);
  const scriptSig = block.txs[0]!.inputs[0]!.scriptSig;
  if (scriptSig.length < expect.length || !scriptSig.subarray(0, expect.length).equals(expect)) return 'bad-cb-height';
  const reason = checkWitnessMalleation(block);
  if (reason) return reason;
  if (blockSizes(block).weight > MAX_BLOCK_WEIGHT) return 'bad-blk-weight';
  return null;
}

export function checkWitnessMalleation(block: Block): string | null {
  const coinbase = block.txs[0]!;
  const pos = witnessCommitmentIndex(coinbase);
  if (pos >= 0) {
    const stack = coinbase.inputs[0]!.witness;
    if (stack.length !== 1 || stack[0]!.length !== 32) return 'bad-witness-nonce-size';
    const commitment = sha256d(Buffer.concat([witnessMerkleRoot(block.txs), stack[0]!]));
    return commitment.equals(coinbase.outputs[pos]!.scriptPubKey.subarray(6, 38)) ? null : 'bad-witness-merkle-match';
  }
  return block.txs.some((tx) => hasWitness(tx)) ? 'unexpected-witness' : null;
}

/**
 * What Core's submitblock does before validating (UpdateUncommittedBlockStructures): a coinbase that carries a
 * commitment but no witness gets the 32-zero-byte reserved value. Returns whether it changed the block.
 */
export function fillWitnessReservedValue(block: Block): boolean {
  const coinbase = block.txs[0];
  if (!coinbase || !isCoinbase(coinbase) || witnessCommitmentIndex(coinbase) < 0 || hasWitness(coinbase)) return false;
  coinbase.inputs[0]!.witness = [Buffer.alloc(32)];
  return true;
}
