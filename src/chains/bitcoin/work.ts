/** getblocktemplate result -> Stratum work (Sha256dWork), keeping what block assembly needs. */
import { createHash } from 'node:crypto';
import type { Sha256dWork } from '../types.js';
import { hexToBuf, reverseBuf } from '../../core/bytes.js';
import { merkleBranchForFirst } from '../../core/merkle.js';
import { bitsToTarget } from '../../core/target.js';
import { type BlockTemplate, segwitActive } from './template.js';
import { buildCoinbase, type CoinbaseParts, witnessCommitmentScript } from './coinbase.js';
import { displayHex, txHashesOfRaw } from './tx.js';

export interface BitcoinWorkOptions {
  payoutScript: Buffer;
  poolTag: string;
  /** extranonce1 + extranonce2 bytes. */
  extranonceSize: number;
}

/** A template transaction, checked against its own bytes. */
export interface WorkTransaction {
  data: Buffer;
  txidInternal: Buffer;
  wtxidInternal: Buffer;
  hasWitness: boolean;
}

export class BitcoinWork implements Sha256dWork {
  readonly height: number;
  readonly prevHashDisplay: string;
  readonly prevHashInternal: Buffer;
  readonly version: number;
  readonly bits: number;
  readonly networkTarget: bigint;
  readonly curtime: number;
  readonly mintime: number;
  readonly coinb1: Buffer;
  readonly coinb2: Buffer;
  readonly merkleBranch: Buffer[];
  readonly reward: bigint;
  readonly txCount: number;
  readonly templateKey: string;
  /** Coinbase split, extranonce size and whether the block carries a witness commitment. */
  readonly coinbase: CoinbaseParts;
  /** Commitment output script, or null when the block has none. */
  readonly witnessCommitment: Buffer | null;
  readonly transactions: readonly WorkTransaction[];
  readonly longpollid: string | null;

  constructor(
    readonly template: BlockTemplate,
    opts: BitcoinWorkOptions,
  ) {
    const t = template;
    this.transactions = t.transactions.map((tx, i) => checkTemplateTx(tx.data, tx.txid, tx.hash, i));
    this.height = t.height;
    this.prevHashDisplay = t.previousblockhash.toLowerCase();
    this.prevHashInternal = reverseBuf(hexToBuf(t.previousblockhash));
    this.version = t.version >>> 0;
    this.bits = parseInt(t.bits, 16) >>> 0;
    try {
      this.networkTarget = bitsToTarget(this.bits);
    } catch (err) {
      throw new Error(`template bits: ${(err as Error).message}`);
    }
    if (t.target !== undefined && BigInt('0x' + t.target) !== this.networkTarget) {
      throw new Error(`template target ${t.target} does not match bits ${t.bits}`);
    }
    this.curtime = t.curtime;
    this.mintime = t.mintime;
    this.reward = BigInt(t.coinbasevalue);
    this.txCount = 1 + this.transactions.length;
    this.longpollid = t.longpollid ?? null;
    this.witnessCommitment = chooseWitnessCommitment(t, this.transactions);
    this.coinbase = buildCoinbase({
      height: t.height,
      value: this.reward,
      payoutScript: opts.payoutScript,
      witnessCommitment: this.witnessCommitment,
      extranonceSize: opts.extranonceSize,
      poolTag: opts.poolTag,
    });
    this.coinb1 = this.coinbase.coinb1;
    this.coinb2 = this.coinbase.coinb2;
    this.merkleBranch = merkleBranchForFirst(this.transactions.map((x) => x.txidInternal));
    this.templateKey = templateKeyOf(t);
  }
}

export function buildBitcoinWork(template: BlockTemplate, opts: BitcoinWorkOptions): BitcoinWork {
  return new BitcoinWork(template, opts);
}

/** Hashes the raw bytes and checks the node's txid/hash, so a wrong field can never make a bad merkle root. */
function checkTemplateTx(dataHex: string, txid: string, hash: string | undefined, index: number): WorkTransaction {
  const data = hexToBuf(dataHex);
  let hashes: ReturnType<typeof txHashesOfRaw>;
  try {
    hashes = txHashesOfRaw(data);
  } catch (err) {
    throw new Error(`template transactions[${index}].data: ${(err as Error).message}`);
  }
  if (displayHex(hashes.txid) !== txid.toLowerCase()) {
    throw new Error(`template transactions[${index}].txid ${txid} does not match its data (${displayHex(hashes.txid)})`);
  }
  if (hash !== undefined && displayHex(hashes.wtxid) !== hash.toLowerCase()) {
    throw new Error(`template transactions[${index}].hash ${hash} does not match its data (${displayHex(hashes.wtxid)})`);
  }
  return { data, txidInternal: hashes.txid, wtxidInternal: hashes.wtxid, hasWitness: hashes.hasWitness };
}

/**
 * The node's default_witness_commitment when given (checked against the wtxids), else one computed with a zero
 * reserved value when segwit is active or any transaction has a witness; null for a pre-segwit block.
 */
function chooseWitnessCommitment(t: BlockTemplate, txs: readonly WorkTransaction[]): Buffer | null {
  const needed = segwitActive(t) || txs.some((x) => x.hasWitness) || t.default_witness_commitment !== undefined;
  if (!needed) return null;
  const computed = witnessCommitmentScript(txs.map((x) => x.wtxidInternal));
  if (t.default_witness_commitment !== undefined) {
    const given = hexToBuf(t.default_witness_commitment);
    if (!given.equals(computed)) {
      throw new Error(
        `template default_witness_commitment ${t.default_witness_commitment} does not match the transactions' wtxids (${computed.toString('hex')})`,
      );
    }
    return given;
  }
  return computed;
}

/** Content identity of a template: what a job depends on, not curtime. */
function templateKeyOf(t: BlockTemplate): string {
  const h = createHash('sha256');
  h.update(`${t.previousblockhash}|${t.height}|${t.bits}|${t.version}|${t.coinbasevalue}|`);
  for (const tx of t.transactions) h.update(tx.txid);
  return h.digest('hex').slice(0, 32);
}
