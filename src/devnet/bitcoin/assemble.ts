/**
 * Block assembly on the devnet's own tip: transaction selection (shared with getblocktemplate), the coinbase
 * Bitcoin Core would write, and a nonce grinder that yields to the event loop so the RPC server stays responsive
 * while the devnet mines (bootstrap, generatetoaddress).
 */
import { randomBytes } from 'node:crypto';
import { bitsToTarget } from '../../core/target.js';
import { bip34HeightPush, pushData } from '../../core/script.js';
import type { Tx } from '../../chains/bitcoin/tx.js';
import { blockHash, serializeBlock, txMerkleRoot, witnessCommitmentScript, type Block } from './block.js';
import type { BitcoinDevnetChain } from './chain.js';
import type { MempoolEntry } from './mempool.js';
import { BLOCK_VERSION, MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT, WITNESS_SCALE_FACTOR, blockSubsidy, expectedBits } from './params.js';
import { merkleRoot } from '../../core/merkle.js';

/** Weight and sigops Core keeps free for the coinbase (its block assembler's reservation). */
const COINBASE_RESERVED_WEIGHT = 4000;
const COINBASE_RESERVED_SIGOPS = 400;

export const DEVNET_COINBASE_TAG = '/gxc-pool devnet/';

export interface Selection {
  entries: MempoolEntry[];
  fees: bigint;
  height: number;
  coinbaseValue: bigint;
  bits: string;
  /** Earliest valid header time (median time past + 1) and the time a miner should use now. */
  minTime: number;
  curTime: number;
  /** The empty-witness-root-aware commitment script for these transactions. */
  witnessCommitment: Buffer;
}

/** Mempool transactions in arrival order (parents first) while they fit the block's weight and sigop limits. */
export function selectTransactions(chain: BitcoinDevnetChain): Selection {
  const entries: MempoolEntry[] = [];
  let weight = COINBASE_RESERVED_WEIGHT;
  let sigops = COINBASE_RESERVED_SIGOPS;
  let fees = 0n;
  const included = new Set<string>();
  for (const e of chain.mempool.list()) {
    const cost = e.sigops * WITNESS_SCALE_FACTOR;
    if (weight + e.weight > MAX_BLOCK_WEIGHT || sigops + cost > MAX_BLOCK_SIGOPS_COST) continue;
    // A child whose parent was left out cannot go in either.
    const parentsOk = e.tx.inputs.every((i) => !chain.mempool.get(i.prevTxid.toString('hex')) || included.has(i.prevTxid.toString('hex')));
    if (!parentsOk) continue;
    entries.push(e);
    included.add(e.txid.toString('hex'));
    weight += e.weight;
    sigops += cost;
    fees += e.fee;
  }
  const height = chain.height + 1;
  const minTime = chain.tip.medianTime + 1;
  const witnessRoot = merkleRoot([Buffer.alloc(32), ...entries.map((e) => e.wtxid)]);
  return {
    entries,
    fees,
    height,
    coinbaseValue: blockSubsidy(height) + fees,
    bits: expectedBits(chain.params, height),
    minTime,
    curTime: Math.max(chain.now(), minTime),
    witnessCommitment: witnessCommitmentScript(witnessRoot),
  };
}

/** The coinbase the devnet writes for its own blocks (BIP34 height, random extranonce, commitment, reserved value). */
export function buildDevnetCoinbase(height: number, payoutScript: Buffer, value: bigint, commitment: Buffer): Tx {
  const scriptSig = Buffer.concat([bip34HeightPush(height), pushData(randomBytes(8)), pushData(Buffer.from(DEVNET_COINBASE_TAG))]);
  return {
    version: 2,
    inputs: [{ prevTxid: Buffer.alloc(32), prevIndex: 0xffffffff, scriptSig, sequence: 0xfffffffe, witness: [Buffer.alloc(32)] }],
    outputs: [
      { value, scriptPubKey: payoutScript },
      { value: 0n, scriptPubKey: commitment },
    ],
    locktime: height - 1,
  };
}

/** A block on the current tip paying `payoutScript`, with the mempool's transactions, nonce not yet ground. */
export function assembleBlock(chain: BitcoinDevnetChain, payoutScript: Buffer): Block {
  const sel = selectTransactions(chain);
  const coinbase = buildDevnetCoinbase(sel.height, payoutScript, sel.coinbaseValue, sel.witnessCommitment);
  const all = [coinbase, ...sel.entries.map((e) => e.tx)];
  return {
    header: {
      version: BLOCK_VERSION,
      prevHash: Buffer.from(chain.tip.hash, 'hex').reverse(),
      merkleRoot: txMerkleRoot(all),
      time: sel.curTime,
      bits: parseInt(sel.bits, 16),
      nonce: 0,
    },
    txs: all,
  };
}

/**
 * Grinds the nonce until the header meets its bits (bumping the time when the nonce space runs out), in
 * slices so other work proceeds. Resolves with the block, or null when aborted.
 */
export async function grindBlock(block: Block, signal?: AbortSignal, sliceSize = 20_000): Promise<Block | null> {
  const target = bitsToTarget(block.header.bits);
  for (;;) {
    for (let i = 0; i < sliceSize; i++) {
      if (blockHash(block).value <= target) return block;
      if (block.header.nonce === 0xffffffff) {
        block.header.nonce = 0;
        block.header.time++;
      } else block.header.nonce++;
    }
    if (signal?.aborted) return null;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Assembles, grinds and submits one block; returns its hash and the chain's answer (null = new tip). */
export async function mineOneBlock(
  chain: BitcoinDevnetChain,
  payoutScript: Buffer,
  signal?: AbortSignal,
): Promise<{ hash: string; answer: string | null } | null> {
  const block = await grindBlock(assembleBlock(chain, payoutScript), signal);
  if (!block) return null;
  const hash = blockHash(block).displayHex;
  return { hash, answer: chain.submitBlock(serializeBlock(block).toString('hex')) };
}
