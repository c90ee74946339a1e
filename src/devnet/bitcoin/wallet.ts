/**
 * The devnet wallet: the scripts it owns (its own mining/change addresses, addresses from getnewaddress, and
 * addresses handed to it with `walletAddresses` / importaddress — spendable too, since nothing is signed on the
 * devnet), the transactions touching them, and sends built from its coins.
 *
 * Like Bitcoin Core's wallet, it spends a coinbase only once it is 101 deep (consensus allows 100) and
 * spends its own unconfirmed change.
 */
import { txidOf, type Tx } from '../../chains/bitcoin/tx.js';
import { addressToScript, scriptToAddress, type BitcoinNetwork } from '../../chains/bitcoin/address.js';
import { isCoinbase, txWeight } from './block.js';
import type { BitcoinDevnetChain, BlockEntry, ChainListener } from './chain.js';
import type { MempoolEntry } from './mempool.js';
import { COINBASE_MATURITY } from './params.js';
import { isUnspendable, outpointKey, type Coin } from './utxo.js';
import { fillUnlocking, kindOfScript, newPubkey, scriptForPubkey, type ScriptKind } from './keys.js';

export interface OwnedScript {
  address: string;
  scriptHex: string;
  kind: ScriptKind;
  /** Public-key-shaped bytes the address was derived from (null for imported addresses). */
  pubkey: Buffer | null;
  /** The devnet's own address (mining, change, auto transactions): not listed as a receive, never spent for RPC sends first. */
  internal: boolean;
  label: string;
}

export interface WalletTx {
  txid: string;
  tx: Tx;
  timeReceived: number;
  comment: string | null;
  /** Sum of the wallet's own coins this transaction spent. */
  debit: bigint;
  /** Sum of all inputs when every input was the wallet's (so the fee is known), else null. */
  inputsValue: bigint | null;
}

export class WalletError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'WalletError';
  }
}

const MINING_LABEL = 'devnet-mining';

/** Core's fallback fee on regtest: 10 sat/vB. */
export const FEE_RATE_SAT_PER_VB = 10n;
/** Change below this is left to the fee (Core's dust threshold for P2WPKH change is 294 sat). */
const MIN_CHANGE = 1_000n;

interface SpendableCoin {
  key: string;
  prevTxid: Buffer;
  prevIndex: number;
  coin: Coin;
  owner: OwnedScript;
  confirmed: boolean;
}

export class DevnetWallet implements ChainListener {
  private readonly owned = new Map<string, OwnedScript>();
  private readonly txs = new Map<string, WalletTx>();
  /** Values of outputs that paid the wallet, by outpoint (to compute debits of later spends). */
  private readonly ownedOutputs = new Map<string, bigint>();
  private miningIndex = 0;
  private readonly miningScripts: OwnedScript[] = [];

  constructor(
    private readonly chain: BitcoinDevnetChain,
    readonly network: BitcoinNetwork = 'regtest',
  ) {
    chain.addListener(this);
  }

  /** Creates a fresh address of `kind` the wallet owns. */
  newAddress(kind: Exclude<ScriptKind, 'other'> = 'p2wpkh', opts: { internal?: boolean; label?: string } = {}): string {
    const pubkey = newPubkey();
    const script = scriptForPubkey(kind, pubkey);
    const address = scriptToAddress(script, this.network)!;
    this.owned.set(script.toString('hex'), {
      address,
      scriptHex: script.toString('hex'),
      kind,
      pubkey,
      internal: opts.internal ?? false,
      label: opts.label ?? '',
    });
    return address;
  }

  /** Puts back an owned script from a saved state. */
  restoreScript(s: Omit<OwnedScript, 'scriptHex'>): void {
    const script = addressToScript(s.address, this.network);
    const owned: OwnedScript = { ...s, scriptHex: script.toString('hex') };
    this.owned.set(owned.scriptHex, owned);
    if (s.internal && s.label === MINING_LABEL) this.miningScripts.push(owned);
  }

  /** Puts back when the wallet first saw a transaction and its comment (saved state). */
  restoreTxMeta(txid: string, time: number, comment: string | null): void {
    const wtx = this.txs.get(txid);
    if (wtx) {
      wtx.timeReceived = time;
      wtx.comment = comment;
    }
  }

  /** Internal addresses with `label`, one per script kind, created on first use (stable across restarts). */
  internalScripts(label: string): OwnedScript[] {
    const found = this.ownedScripts().filter((s) => s.internal && s.label === label);
    if (found.length > 0) return found;
    for (const kind of ['p2wpkh', 'p2pkh', 'p2sh-p2wpkh', 'p2tr'] as const) this.newAddress(kind, { internal: true, label });
    return this.ownedScripts().filter((s) => s.internal && s.label === label);
  }

  /** importaddress: the wallet owns (and may spend) this address from now on; past payments are rescanned. */
  importAddress(address: string, label = '', internal = false): void {
    const script = addressToScript(address, this.network); // throws AddressError
    const hex = script.toString('hex');
    if (!this.owned.has(hex)) {
      this.owned.set(hex, { address, scriptHex: hex, kind: kindOfScript(script), pubkey: null, internal, label });
    }
    this.rescan();
  }

  /** The devnet's mining addresses (one per script type), rotated per block. */
  miningScript(): Buffer {
    if (this.miningScripts.length === 0) this.miningScripts.push(...this.internalScripts(MINING_LABEL));
    const s = this.miningScripts[this.miningIndex++ % this.miningScripts.length]!;
    return Buffer.from(s.scriptHex, 'hex');
  }

  ownedScripts(): OwnedScript[] {
    return [...this.owned.values()];
  }

  ownerOf(script: Buffer): OwnedScript | undefined {
    return this.owned.get(script.toString('hex'));
  }

  walletTx(txid: string): WalletTx | undefined {
    return this.txs.get(txid.toLowerCase());
  }

  /** Wallet transactions in the order the wallet learned of them. */
  walletTxs(): WalletTx[] {
    return [...this.txs.values()];
  }

  // ChainListener: record every transaction that pays or spends the wallet.
  blockConnected(entry: BlockEntry): void {
    for (const tx of entry.block!.txs) this.consider(tx, entry.receivedTime);
  }

  txAccepted(entry: MempoolEntry): void {
    this.consider(entry.tx, entry.time);
  }

  private consider(tx: Tx, time: number, comment: string | null = null): WalletTx | undefined {
    const txid = txidOf(tx);
    const display = Buffer.from(txid).reverse().toString('hex');
    const existing = this.txs.get(display);
    if (existing) return existing;
    let debit = 0n;
    let allMine = !isCoinbase(tx);
    let inputsValue = 0n;
    for (const i of tx.inputs) {
      const v = this.ownedOutputs.get(outpointKey(i.prevTxid, i.prevIndex));
      if (v === undefined) allMine = false;
      else {
        debit += v;
        inputsValue += v;
      }
    }
    const paysMe = tx.outputs.some((o) => this.owned.has(o.scriptPubKey.toString('hex')));
    if (debit === 0n && !paysMe) return undefined;
    tx.outputs.forEach((o, n) => {
      if (this.owned.has(o.scriptPubKey.toString('hex'))) this.ownedOutputs.set(outpointKey(txid, n), o.value);
    });
    const wtx: WalletTx = { txid: display, tx, timeReceived: time, comment, debit, inputsValue: allMine ? inputsValue : null };
    this.txs.set(display, wtx);
    return wtx;
  }

  /** Walks the main chain and mempool again (after an import) to find payments to newly owned scripts. */
  rescan(): void {
    for (let h = 0; h <= this.chain.height; h++) this.blockConnected(this.chain.atHeight(h)!);
    for (const e of this.chain.mempool.list()) this.txAccepted(e);
  }

  /** Coins the wallet may spend now, confirmed (mature) first by value, then unconfirmed change. */
  spendableCoins(onlyInternal = false): SpendableCoin[] {
    const nextHeight = this.chain.height + 1;
    const out: SpendableCoin[] = [];
    for (const [key, coin] of this.chain.utxo.entries()) {
      const owner = this.owned.get(coin.scriptPubKey.toString('hex'));
      if (!owner || (onlyInternal && !owner.internal) || this.chain.mempool.isSpent(key)) continue;
      if (coin.coinbase && nextHeight - coin.height < COINBASE_MATURITY + 1) continue;
      out.push({ key, ...splitKey(key), coin, owner, confirmed: true });
    }
    out.sort((a, b) => (a.coin.value === b.coin.value ? 0 : a.coin.value > b.coin.value ? -1 : 1));
    for (const e of this.chain.mempool.list()) {
      e.tx.outputs.forEach((o, n) => {
        const key = outpointKey(e.txid, n);
        const owner = this.owned.get(o.scriptPubKey.toString('hex'));
        if (!owner || (onlyInternal && !owner.internal) || isUnspendable(o.scriptPubKey) || this.chain.mempool.isSpent(key)) return;
        out.push({
          key,
          prevTxid: e.txid,
          prevIndex: n,
          coin: { value: o.value, scriptPubKey: o.scriptPubKey, height: nextHeight, coinbase: false },
          owner,
          confirmed: false,
        });
      });
    }
    return out;
  }

  /** Core's getbalance: spendable coins (mature confirmed + own unconfirmed change). */
  balance(): bigint {
    return this.spendableCoins().reduce((s, c) => s + c.coin.value, 0n);
  }

  /**
   * Builds, "signs" (placeholder unlocking data) and broadcasts a transaction paying `outputs`, funded from the
   * wallet's coins, change to a fresh internal address. Returns the display txid.
   */
  send(outputs: Array<{ script: Buffer; value: bigint }>, opts: { comment?: string; onlyInternal?: boolean; changeScript?: Buffer } = {}): string {
    const target = outputs.reduce((s, o) => s + o.value, 0n);
    const coins = this.spendableCoins(opts.onlyInternal ?? false);
    const chosen: SpendableCoin[] = [];
    let total = 0n;
    const changeScript = opts.changeScript ?? addressToScript(this.newAddress('p2wpkh', { internal: true, label: 'change' }), this.network);
    for (const c of coins) {
      chosen.push(c);
      total += c.coin.value;
      const tx = this.buildTx(chosen, outputs, changeScript, 0n);
      const fee = feeFor(tx);
      if (total >= target + fee) {
        const change = total - target - fee;
        const final = this.buildTx(chosen, outputs, change >= MIN_CHANGE ? changeScript : null, change);
        const reason = this.chain.acceptToMempool(final);
        if (reason) throw new WalletError(-4, `Transaction rejected by the devnet mempool: ${reason}`);
        const display = Buffer.from(txidOf(final)).reverse().toString('hex');
        const wtx = this.txs.get(display);
        if (wtx && opts.comment) wtx.comment = opts.comment;
        return display;
      }
    }
    throw new WalletError(-6, 'Insufficient funds');
  }

  private buildTx(coins: SpendableCoin[], outputs: Array<{ script: Buffer; value: bigint }>, change: Buffer | null, changeValue: bigint): Tx {
    const tx: Tx = {
      version: 2,
      inputs: coins.map((c) => ({ prevTxid: c.prevTxid, prevIndex: c.prevIndex, scriptSig: Buffer.alloc(0), sequence: 0xfffffffd, witness: [] })),
      outputs: outputs.map((o) => ({ value: o.value, scriptPubKey: o.script })),
      // Anti-fee-sniping locktime, as Core's wallet writes it.
      locktime: this.chain.height,
    };
    if (change) tx.outputs.push({ value: changeValue, scriptPubKey: change });
    tx.inputs.forEach((input, i) => {
      fillUnlocking(input, coins[i]!.owner.kind, coins[i]!.owner.pubkey);
    });
    return tx;
  }

  /** Confirmations as Core's gettransaction reports them: >0 in the main chain, 0 unconfirmed, -1 conflicted. */
  confirmations(wtx: WalletTx): { confirmations: number; entry: BlockEntry | null; index: number } {
    const found = this.chain.findTransaction(wtx.txid);
    if (found?.entry && this.chain.isOnMainChain(found.entry)) {
      return { confirmations: this.chain.confirmations(found.entry), entry: found.entry, index: found.index };
    }
    if (found && found.entry === null) return { confirmations: 0, entry: null, index: -1 };
    // Neither confirmed nor in the mempool: it can never confirm if an input is gone (spent elsewhere or orphaned).
    const dead = isCoinbase(wtx.tx) || wtx.tx.inputs.some((i) => !this.chain.utxo.has(outpointKey(i.prevTxid, i.prevIndex)));
    return { confirmations: dead ? -1 : 0, entry: found?.entry ?? null, index: found?.index ?? -1 };
  }
}

function splitKey(key: string): { prevTxid: Buffer; prevIndex: number } {
  const [hex, n] = key.split(':') as [string, string];
  return { prevTxid: Buffer.from(hex, 'hex'), prevIndex: Number(n) };
}

function feeFor(tx: Tx): bigint {
  // vsize = ceil(weight / 4); the estimate carries the change output even when it is dropped later.
  return BigInt(Math.ceil(txWeight(tx) / 4)) * FEE_RATE_SAT_PER_VB;
}
