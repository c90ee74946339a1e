/**
 * The devnet's mempool: transactions that spend confirmed coins or earlier mempool outputs, kept in arrival
 * order (which is a valid block order: a parent is always accepted before its child). No replacement (RBF),
 * no fee-rate policy, no script checks (devnet transactions are unsigned).
 */
import { txidOf, wtxidOf, type Tx } from '../../chains/bitcoin/tx.js';
import { checkTransaction, isFinalTx, txLegacySigOps } from './checks.js';
import { isCoinbase, txWeight } from './block.js';
import { COINBASE_MATURITY } from './params.js';
import { isUnspendable, outpointKey, sequenceLocksOk, sumOutputs, type Coin, type UtxoSet } from './utxo.js';

export interface MempoolEntry {
  tx: Tx;
  /** Internal-order txid and wtxid. */
  txid: Buffer;
  wtxid: Buffer;
  fee: bigint;
  weight: number;
  sigops: number;
  /** Unix seconds when accepted. */
  time: number;
  /** The coins this transaction spends (for the wallet's fee and debit bookkeeping). */
  spentCoins: Coin[];
}

/** Where the next block would be: what mempool acceptance checks finality and maturity against. */
export interface NextBlockContext {
  height: number;
  prevMedianTime: number;
  medianTimeAt(height: number): number;
  now: number;
}

export class Mempool {
  private readonly entries = new Map<string, MempoolEntry>();
  /** outpoint key → txid hex of the mempool transaction spending it. */
  private readonly spentBy = new Map<string, string>();

  get size(): number {
    return this.entries.size;
  }

  /** Entries in arrival order (parents before children). */
  list(): MempoolEntry[] {
    return [...this.entries.values()];
  }

  get(txidInternalHex: string): MempoolEntry | undefined {
    return this.entries.get(txidInternalHex);
  }

  isSpent(key: string): boolean {
    return this.spentBy.has(key);
  }

  /** An unspent output created by a mempool transaction, as a coin at the next block's height. */
  coinFromMempool(key: string, nextHeight: number): Coin | undefined {
    const [txidHex, index] = key.split(':') as [string, string];
    const entry = this.entries.get(txidHex);
    const out = entry?.tx.outputs[Number(index)];
    if (!out || isUnspendable(out.scriptPubKey)) return undefined;
    return { value: out.value, scriptPubKey: out.scriptPubKey, height: nextHeight, coinbase: false };
  }

  /** Accepts a transaction or returns Core's mempool reject reason. */
  accept(tx: Tx, utxo: UtxoSet, ctx: NextBlockContext): { ok: true; entry: MempoolEntry } | { ok: false; reason: string } {
    if (isCoinbase(tx)) return { ok: false, reason: 'coinbase' };
    const structural = checkTransaction(tx);
    if (structural) return { ok: false, reason: structural };
    if (!isFinalTx(tx, ctx.height, ctx.prevMedianTime)) return { ok: false, reason: 'non-final' };
    const txid = txidOf(tx);
    const txidHex = txid.toString('hex');
    if (this.entries.has(txidHex)) return { ok: false, reason: 'txn-already-in-mempool' };
    const spentCoins: Coin[] = [];
    for (const input of tx.inputs) {
      const key = outpointKey(input.prevTxid, input.prevIndex);
      if (this.spentBy.has(key)) return { ok: false, reason: 'txn-mempool-conflict' };
      const coin = utxo.get(key) ?? this.coinFromMempool(key, ctx.height);
      if (!coin) return { ok: false, reason: 'bad-txns-inputs-missingorspent' };
      if (coin.coinbase && ctx.height - coin.height < COINBASE_MATURITY) {
        return { ok: false, reason: 'bad-txns-premature-spend-of-coinbase' };
      }
      spentCoins.push(coin);
    }
    const valueIn = sumOutputs(spentCoins);
    const valueOut = sumOutputs(tx.outputs);
    if (valueIn < valueOut) return { ok: false, reason: 'bad-txns-in-belowout' };
    if (
      !sequenceLocksOk(
        tx,
        spentCoins.map((c) => c.height),
        ctx,
      )
    )
      return { ok: false, reason: 'non-BIP68-final' };
    const entry: MempoolEntry = {
      tx,
      txid,
      wtxid: wtxidOf(tx),
      fee: valueIn - valueOut,
      weight: txWeight(tx),
      sigops: txLegacySigOps(tx),
      time: ctx.now,
      spentCoins,
    };
    this.entries.set(txidHex, entry);
    for (const input of tx.inputs) this.spentBy.set(outpointKey(input.prevTxid, input.prevIndex), txidHex);
    return { ok: true, entry };
  }

  /** Empties the pool and returns what it held, in order (for re-validation after the tip changed). */
  drain(): MempoolEntry[] {
    const all = this.list();
    this.entries.clear();
    this.spentBy.clear();
    return all;
  }
}
