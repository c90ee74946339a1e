/**
 * The UTXO set and Core's ConnectBlock checks against it (inputs exist and are unspent, coinbase maturity,
 * BIP68 sequence locks, input ≥ output, coinbase ≤ subsidy + fees), with undo data for reorgs.
 *
 * Scripts and signatures are NOT verified: devnet transactions are unsigned (its wallet fills witnesses and
 * scriptSigs with placeholder bytes), so any spend of an existing, mature, unspent output is accepted.
 * BIP30 is not checked either: BIP34 heights in coinbases make duplicate txids impossible, as in Core.
 */
import { txidOf, type Tx, type TxOutput } from '../../chains/bitcoin/tx.js';
import { isCoinbase, type Block } from './block.js';
import { COINBASE_MATURITY, blockSubsidy } from './params.js';
import { MAX_MONEY } from './amount.js';

export interface Coin {
  value: bigint;
  scriptPubKey: Buffer;
  /** Height of the block that created it. */
  height: number;
  coinbase: boolean;
}

export function outpointKey(txidInternal: Buffer, index: number): string {
  return `${txidInternal.toString('hex')}:${index}`;
}

/** Outputs that can never be spent are not stored (OP_RETURN or oversized scripts), as in Core. */
export function isUnspendable(script: Buffer): boolean {
  return (script.length > 0 && script[0] === 0x6a) || script.length > 10_000;
}

export interface BlockUndo {
  /** Coins the block spent, in spending order, with their outpoint keys. */
  spent: Array<{ key: string; coin: Coin }>;
  /** Outpoints the block created. */
  created: string[];
}

export interface ConnectContext {
  height: number;
  /** Median time past of the previous block. */
  prevMedianTime: number;
  /** Median time past of the main-chain block at `height` (for time-based BIP68 locks). */
  medianTimeAt(height: number): number;
}

export type ConnectResult = { ok: true; undo: BlockUndo; fees: bigint } | { ok: false; reason: string };

/** BIP68 (sequence locks) for a transaction whose inputs were created at `prevHeights`. */
export function sequenceLocksOk(tx: Tx, prevHeights: readonly number[], ctx: ConnectContext): boolean {
  if (tx.version < 2) return true;
  let minHeight = -1;
  let minTime = -1;
  tx.inputs.forEach((input, i) => {
    const seq = input.sequence >>> 0;
    if ((seq & 0x80000000) !== 0) return;
    const coinHeight = prevHeights[i]!;
    if ((seq & 0x00400000) !== 0) {
      const coinTime = ctx.medianTimeAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(minTime, coinTime + (seq & 0xffff) * 512 - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + (seq & 0xffff) - 1);
    }
  });
  return !(minHeight >= ctx.height || minTime >= ctx.prevMedianTime);
}

export class UtxoSet {
  private readonly coins = new Map<string, Coin>();

  get size(): number {
    return this.coins.size;
  }

  get(key: string): Coin | undefined {
    return this.coins.get(key);
  }

  has(key: string): boolean {
    return this.coins.has(key);
  }

  entries(): IterableIterator<[string, Coin]> {
    return this.coins.entries();
  }

  /**
   * Applies a block on top of the set if every ConnectBlock rule holds; on failure the set is unchanged.
   * (Core's order: per transaction inputs → maturity → in ≥ out → sequence locks, then the coinbase amount.)
   */
  connect(block: Block, ctx: ConnectContext): ConnectResult {
    const undo: BlockUndo = { spent: [], created: [] };
    let fees = 0n;
    const fail = (reason: string): ConnectResult => {
      this.disconnect(undo);
      return { ok: false, reason };
    };
    for (const tx of block.txs) {
      const txid = txidOf(tx);
      if (!isCoinbase(tx)) {
        const prevHeights: number[] = [];
        let valueIn = 0n;
        for (const input of tx.inputs) {
          const coin = this.coins.get(outpointKey(input.prevTxid, input.prevIndex));
          if (!coin) return fail('bad-txns-inputs-missingorspent');
          if (coin.coinbase && ctx.height - coin.height < COINBASE_MATURITY) {
            return fail('bad-txns-premature-spend-of-coinbase');
          }
          valueIn += coin.value;
          if (valueIn > MAX_MONEY) return fail('bad-txns-inputvalues-outofrange');
          prevHeights.push(coin.height);
        }
        const valueOut = sumOutputs(tx.outputs);
        if (valueIn < valueOut) return fail('bad-txns-in-belowout');
        if (!sequenceLocksOk(tx, prevHeights, ctx)) return fail('bad-txns-nonfinal');
        fees += valueIn - valueOut;
        for (const input of tx.inputs) {
          const key = outpointKey(input.prevTxid, input.prevIndex);
          undo.spent.push({ key, coin: this.coins.get(key)! });
          this.coins.delete(key);
        }
      }
      tx.outputs.forEach((o, index) => {
        if (isUnspendable(o.scriptPubKey)) return;
        const key = outpointKey(txid, index);
        this.coins.set(key, { value: o.value, scriptPubKey: o.scriptPubKey, height: ctx.height, coinbase: isCoinbase(tx) });
        undo.created.push(key);
      });
    }
    if (sumOutputs(block.txs[0]!.outputs) > fees + blockSubsidy(ctx.height)) return fail('bad-cb-amount');
    return { ok: true, undo, fees };
  }

  /** Reverts a connected block (or a partial connect) from its undo data. */
  disconnect(undo: BlockUndo): void {
    // Restore first, then delete: an output created and spent inside the block must end up absent.
    for (let i = undo.spent.length - 1; i >= 0; i--) {
      const { key, coin } = undo.spent[i]!;
      this.coins.set(key, coin);
    }
    for (const key of undo.created) this.coins.delete(key);
  }
}

export function sumOutputs(outputs: readonly TxOutput[]): bigint {
  return outputs.reduce((s, o) => s + o.value, 0n);
}
