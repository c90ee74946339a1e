/**
 * The devnet's money: transactions, the unspent-output set rebuilt from the chain, coinbase maturity, and
 * wallet spends. Amounts are bigint units of 1e-8 GXC; the JSON views turn them into the node's doubles.
 */
import { nodeTextHash } from './node-hash.js';

export const UNITS = 100_000_000n;
/** The node's flat wallet fee (its Insufficient-funds message shows "fee: 0.001000"). */
export const WALLET_FEE_UNITS = 100_000n;

export interface DevInput {
  txHash: string;
  outputIndex: number;
  units: bigint;
}

export interface DevOutput {
  address: string;
  units: bigint;
}

export interface DevTx {
  txid: string;
  coinbase: boolean;
  from: string;
  to: string;
  inputs: DevInput[];
  outputs: DevOutput[];
  feeUnits: bigint;
  timestamp: number;
}

export interface Utxo {
  txid: string;
  index: number;
  address: string;
  units: bigint;
  /** Height of the block that created it. */
  height: number;
  coinbase: boolean;
}

export const outpoint = (txid: string, index: number): string => `${txid}_${index}`;

export function p2pkhScript(address: string): string {
  return `OP_DUP OP_HASH160 ${address} OP_EQUALVERIFY OP_CHECKSIG`;
}

/** A deterministic id over every field (the node's ids add a random nonce; the devnet needs none). */
export function devTxId(tx: Omit<DevTx, 'txid'>, salt = ''): string {
  const ins = tx.inputs.map((i) => `${i.txHash}:${i.outputIndex}:${i.units}`).join(',');
  const outs = tx.outputs.map((o) => `${o.address}:${o.units}`).join(',');
  return nodeTextHash(`gxc-devnet-tx|${tx.coinbase}|${tx.from}|${tx.to}|${ins}|${outs}|${tx.feeUnits}|${tx.timestamp}|${salt}`);
}

export class UtxoSet {
  private readonly unspent = new Map<string, Utxo>();

  clone(): UtxoSet {
    const copy = new UtxoSet();
    for (const [k, v] of this.unspent) copy.unspent.set(k, v);
    return copy;
  }

  get(key: string): Utxo | undefined {
    return this.unspent.get(key);
  }

  /** Applies a confirmed transaction at `height`; returns the reason it cannot apply, or null. */
  apply(tx: DevTx, height: number): string | null {
    for (const input of tx.inputs) {
      if (!this.unspent.has(outpoint(input.txHash, input.outputIndex))) return `input ${input.txHash}:${input.outputIndex} is spent or unknown`;
    }
    for (const input of tx.inputs) this.unspent.delete(outpoint(input.txHash, input.outputIndex));
    // Only outputs[0] of a coinbase counts, as on the node.
    const outs = tx.coinbase ? tx.outputs.slice(0, 1) : tx.outputs;
    outs.forEach((o, index) => {
      this.unspent.set(outpoint(tx.txid, index), { txid: tx.txid, index, address: o.address, units: o.units, height, coinbase: tx.coinbase });
    });
    return null;
  }

  /** Outputs of `address` spendable at tip `tipHeight` (a coinbase needs `maturity` confirmations; genesis needs none). */
  spendable(address: string, tipHeight: number, maturity: number, reserved: ReadonlySet<string>): Utxo[] {
    const out: Utxo[] = [];
    for (const [key, u] of this.unspent) {
      if (u.address !== address || reserved.has(key)) continue;
      if (u.coinbase && u.height > 0 && tipHeight - u.height + 1 < maturity) continue;
      out.push(u);
    }
    return out;
  }
}

/** Builds a spend of `units` from `from` to `to` with the flat fee, change back to `from`; null when short. */
export function buildSpend(opts: { from: string; to: string; units: bigint; available: Utxo[]; timestamp: number; salt: string }): DevTx | null {
  const need = opts.units + WALLET_FEE_UNITS;
  const picked: Utxo[] = [];
  let total = 0n;
  for (const u of opts.available) {
    if (total >= need) break;
    picked.push(u);
    total += u.units;
  }
  if (total < need) return null;
  const outputs: DevOutput[] = [{ address: opts.to, units: opts.units }];
  if (total > need) outputs.push({ address: opts.from, units: total - need });
  const body = {
    coinbase: false,
    from: opts.from,
    to: opts.to,
    inputs: picked.map((u) => ({ txHash: u.txid, outputIndex: u.index, units: u.units })),
    outputs,
    feeUnits: WALLET_FEE_UNITS,
    timestamp: opts.timestamp,
  };
  return { ...body, txid: devTxId(body, opts.salt) };
}

/** C++ std::to_string(double): six decimals. */
export function sixDecimals(units: bigint): string {
  return (Number(units) / 1e8).toFixed(6);
}
