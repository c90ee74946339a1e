/**
 * The devnet's chain state: block index (every block seen, by hash), the main chain, the UTXO set and the mempool.
 * Blocks go through Bitcoin Core's pipeline — header checks, body checks, storage, then activation of the
 * most-work valid chain (reorgs included) — and submitblock answers with Core's BIP22 strings.
 * Everything is checked as Core checks it except scripts and signatures: devnet transactions are unsigned.
 */
import { hexToBuf, isHex, reverseBuf } from '../../core/bytes.js';
import { txidOf, type Tx } from '../../chains/bitcoin/tx.js';
import { blockHash, parseBlock, BlockDecodeError, type Block } from './block.js';
import {
  checkBlock,
  checkProofOfWork,
  contextualCheckBlock,
  contextualCheckHeader,
  fillWitnessReservedValue,
  MUTATION_REASONS,
  type BlockContext,
} from './checks.js';
import { Mempool, type NextBlockContext } from './mempool.js';
import { blockProof, DEFAULT_BITS, DEFAULT_BOOTSTRAP_HEIGHT, expectedBits, normalizeBits, type ChainParams } from './params.js';
import { UtxoSet } from './utxo.js';
import { buildGenesis } from './genesis.js';
import { ChangeNotifier } from './notify.js';
import type { BlockEntry, ChainListener, ChainOptions } from './entry.js';

export { BlockDecodeError };
export type { BlockEntry, ChainListener, ChainOptions };

export class BitcoinDevnetChain {
  readonly params: ChainParams;
  readonly genesis: BlockEntry;
  readonly utxo = new UtxoSet();
  readonly mempool = new Mempool();
  private readonly index = new Map<string, BlockEntry>();
  /** Internal txid hex → blocks (any branch) holding that transaction, with its position. */
  private readonly txIndex = new Map<string, Array<{ entry: BlockEntry; index: number }>>();
  private readonly main: BlockEntry[] = [];
  private readonly listeners: ChainListener[] = [];
  private readonly notifier = new ChangeNotifier();
  private sequence = 0;
  /** Core's nTransactionsUpdated: bumps whenever the mempool changes (part of the longpollid). */
  private mempoolUpdates = 0;
  /** Connect results of the current submit (Core's BlockChecked callback). */
  private readonly connectResults = new Map<string, string | null>();
  readonly now: () => number;

  constructor(opts: ChainOptions = {}) {
    this.params = {
      bits: normalizeBits(opts.bits ?? DEFAULT_BITS),
      bootstrapHeight: opts.bootstrapHeight ?? DEFAULT_BOOTSTRAP_HEIGHT,
    };
    if (!Number.isSafeInteger(this.params.bootstrapHeight) || this.params.bootstrapHeight < 0) {
      throw new Error(`bootstrapHeight must be a non-negative integer, got ${this.params.bootstrapHeight}`);
    }
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    const block = buildGenesis();
    const genesis: BlockEntry = {
      hash: blockHash(block).displayHex,
      height: 0,
      prev: null,
      header: block.header,
      block,
      chainWork: blockProof(block.header.bits),
      medianTime: block.header.time,
      sequence: this.sequence++,
      failure: null,
      manuallyInvalidated: false,
      fullyValidated: true,
      undo: { spent: [], created: [] }, // the genesis coinbase is not spendable, as in Core
      receivedTime: block.header.time,
    };
    this.genesis = genesis;
    this.index.set(genesis.hash, genesis);
    this.indexTransactions(genesis, block);
    this.main.push(genesis);
  }

  addListener(l: ChainListener): void {
    this.listeners.push(l);
  }

  get tip(): BlockEntry {
    return this.main[this.main.length - 1]!;
  }

  get height(): number {
    return this.tip.height;
  }

  /** Core's longpollid: tip hash + mempool update counter. */
  get longPollId(): string {
    return `${this.tip.hash}${this.mempoolUpdates}`;
  }

  get(hash: string): BlockEntry | undefined {
    return this.index.get(hash.toLowerCase());
  }

  atHeight(height: number): BlockEntry | undefined {
    return this.main[height];
  }

  isOnMainChain(e: BlockEntry): boolean {
    return this.main[e.height] === e;
  }

  /** Core's confirmations: tip = 1, -1 when not on the main chain. */
  confirmations(e: BlockEntry): number {
    return this.isOnMainChain(e) ? this.tip.height - e.height + 1 : -1;
  }

  /** All known blocks (for persistence and getchaintips-like views), in arrival order. */
  allEntries(): BlockEntry[] {
    return [...this.index.values()].sort((a, b) => a.sequence - b.sequence);
  }

  contextAfter(prev: BlockEntry): BlockContext {
    const height = prev.height + 1;
    return {
      height,
      prevMedianTime: prev.medianTime,
      expectedBits: parseInt(expectedBits(this.params, height), 16),
      now: this.now(),
    };
  }

  nextBlockContext(): NextBlockContext {
    return {
      height: this.tip.height + 1,
      prevMedianTime: this.tip.medianTime,
      medianTimeAt: (h) => this.main[h]?.medianTime ?? 0,
      now: this.now(),
    };
  }

  /**
   * submitblock: null when the block became part of the main chain, else Core's answer ('duplicate',
   * 'duplicate-invalid', 'inconclusive' or a reject reason). Throws BlockDecodeError for undecodable hex.
   */
  submitBlock(hex: string): string | null {
    if (typeof hex !== 'string' || !isHex(hex)) throw new BlockDecodeError('not hex');
    const block = parseBlock(hexToBuf(hex));
    const hash = blockHash(block).displayHex;
    const known = this.index.get(hash);
    if (known?.failure) return 'duplicate-invalid';
    if (known?.block) return 'duplicate';
    if (this.index.has(reverseBuf(block.header.prevHash).toString('hex'))) fillWitnessReservedValue(block);
    return this.processBlock(block, hash);
  }

  /** BIP23 proposal: full validation without proof of work, against the current tip only. */
  proposeBlock(hex: string): string | null {
    if (typeof hex !== 'string' || !isHex(hex)) throw new BlockDecodeError('not hex');
    const block = parseBlock(hexToBuf(hex));
    const known = this.index.get(blockHash(block).displayHex);
    if (known) return known.failure ? 'duplicate-invalid' : known.fullyValidated ? 'duplicate' : 'duplicate-inconclusive';
    if (!reverseBuf(block.header.prevHash).equals(hexToBuf(this.tip.hash))) return 'inconclusive-not-best-prevblk';
    const ctx = this.contextAfter(this.tip);
    const reason = contextualCheckHeader(block, ctx) ?? checkBlock(block) ?? contextualCheckBlock(block, ctx);
    if (reason) return reason;
    const result = this.utxo.connect(block, { ...ctx, medianTimeAt: (h) => this.main[h]?.medianTime ?? 0 });
    if (!result.ok) return result.reason;
    this.utxo.disconnect(result.undo);
    return null;
  }

  private processBlock(block: Block, hash: string): string | null {
    let entry = this.index.get(hash);
    const prevHash = reverseBuf(block.header.prevHash).toString('hex');
    if (!entry) {
      const pow = checkProofOfWork(block);
      if (pow) return pow;
      const prev = this.index.get(prevHash);
      if (!prev) return 'prev-blk-not-found';
      if (prev.failure) return 'bad-prevblk';
      const headerReason = contextualCheckHeader(block, this.contextAfter(prev));
      if (headerReason) return headerReason;
      entry = this.addHeader(block, hash, prev);
    }
    const prev = entry.prev!;
    const reason = checkBlock(block) ?? contextualCheckBlock(block, this.contextAfter(prev));
    if (reason) {
      // A mutated body says nothing about the header: keep it valid so the right body can still arrive.
      if (!MUTATION_REASONS.has(reason)) this.markFailed(entry, reason);
      return reason;
    }
    entry.block = block;
    entry.receivedTime = this.now();
    this.indexTransactions(entry, block);
    this.connectResults.clear();
    this.activateBestChain();
    const checked = this.connectResults.get(hash);
    this.connectResults.clear();
    if (checked !== undefined) return checked;
    return entry.failure ?? 'inconclusive';
  }

  private addHeader(block: Block, hash: string, prev: BlockEntry): BlockEntry {
    const times: number[] = [block.header.time];
    for (let a: BlockEntry | null = prev; a && times.length < 11; a = a.prev) times.push(a.header.time);
    times.sort((x, y) => x - y);
    const entry: BlockEntry = {
      hash,
      height: prev.height + 1,
      prev,
      header: block.header,
      block: null,
      chainWork: prev.chainWork + blockProof(block.header.bits),
      medianTime: times[Math.floor(times.length / 2)]!,
      sequence: this.sequence++,
      failure: null,
      manuallyInvalidated: false,
      fullyValidated: false,
      undo: null,
      receivedTime: this.now(),
    };
    this.index.set(hash, entry);
    return entry;
  }

  private markFailed(entry: BlockEntry, reason: string): void {
    entry.failure = reason;
    for (const e of this.index.values()) {
      if (e !== entry && !e.failure && this.descendsFrom(e, entry)) e.failure = 'bad-prevblk';
    }
  }

  private descendsFrom(e: BlockEntry, ancestor: BlockEntry): boolean {
    for (let a = e.prev; a && a.height >= ancestor.height; a = a.prev) if (a === ancestor) return true;
    return false;
  }

  /** A block can become the tip when it and all its ancestors have data and none failed. */
  private isCandidate(e: BlockEntry): boolean {
    for (let a: BlockEntry | null = e; a; a = a.prev) {
      if (!a.block || a.failure) return false;
      if (this.isOnMainChain(a)) return true;
    }
    return false;
  }

  private bestCandidate(): BlockEntry {
    let best = this.tip;
    for (const e of this.index.values()) {
      if (e.chainWork < best.chainWork) continue;
      if (e.chainWork === best.chainWork && (best === this.tip || e.sequence >= best.sequence)) continue;
      if (this.isCandidate(e)) best = e;
    }
    return best;
  }

  private activateBestChain(): void {
    const disconnected: Tx[][] = [];
    const tipBefore = this.tip;
    for (let guard = 0; guard < 10_000; guard++) {
      const best = this.bestCandidate();
      if (best === this.tip) break;
      const path: BlockEntry[] = [];
      let fork: BlockEntry = best;
      while (!this.isOnMainChain(fork)) {
        path.push(fork);
        fork = fork.prev!;
      }
      while (this.tip !== fork) disconnected.unshift(this.disconnectTip());
      for (const e of path.reverse()) if (!this.connectTip(e)) break;
    }
    if (this.tip !== tipBefore) this.afterTipChange(disconnected.flat());
  }

  private connectTip(e: BlockEntry): boolean {
    const ctx = this.contextAfter(e.prev!);
    const result = this.utxo.connect(e.block!, { ...ctx, medianTimeAt: (h) => this.main[h]?.medianTime ?? 0 });
    if (!result.ok) {
      this.markFailed(e, result.reason);
      this.connectResults.set(e.hash, result.reason);
      return false;
    }
    e.undo = result.undo;
    e.fullyValidated = true;
    this.main.push(e);
    this.connectResults.set(e.hash, null);
    for (const l of this.listeners) l.blockConnected?.(e);
    return true;
  }

  /** Returns the non-coinbase transactions of the block taken off, for the mempool. */
  private disconnectTip(): Tx[] {
    const e = this.main.pop()!;
    this.utxo.disconnect(e.undo!);
    e.undo = null;
    for (const l of this.listeners) l.blockDisconnected?.(e);
    return e.block!.txs.slice(1);
  }

  /** Re-validates the mempool on the new tip: blocks' transactions leave, disconnected ones come back. */
  private afterTipChange(disconnected: Tx[]): void {
    const old = this.mempool.drain();
    const ctx = this.nextBlockContext();
    for (const tx of [...disconnected, ...old.map((m) => m.tx)]) {
      const r = this.mempool.accept(tx, this.utxo, ctx);
      if (r.ok) for (const l of this.listeners) l.txAccepted?.(r.entry);
    }
    this.mempoolUpdates++;
    this.notifyChange();
  }

  /** Adds a transaction to the mempool (the wallet's sends); returns null or the reject reason. */
  acceptToMempool(tx: Tx): string | null {
    const r = this.mempool.accept(tx, this.utxo, this.nextBlockContext());
    if (!r.ok) return r.reason;
    this.mempoolUpdates++;
    for (const l of this.listeners) l.txAccepted?.(r.entry);
    this.notifyChange();
    return null;
  }

  /** invalidateblock: marks the block and its descendants invalid and moves the tip off them. */
  invalidateBlock(hash: string): void {
    const e = this.requireEntry(hash);
    if (e === this.genesis) throw new Error('cannot invalidate the genesis block');
    const tipBefore = this.tip;
    const disconnected: Tx[][] = [];
    while (this.isOnMainChain(e)) disconnected.unshift(this.disconnectTip());
    e.manuallyInvalidated = true;
    this.markFailed(e, 'invalidated');
    this.activateBestChain();
    if (this.tip !== tipBefore && disconnected.length > 0) this.afterTipChange(disconnected.flat());
  }

  /** reconsiderblock: clears failure flags on the block, its descendants and its ancestors, then re-activates. */
  reconsiderBlock(hash: string): void {
    const e = this.requireEntry(hash);
    for (const x of this.index.values()) {
      if (x === e || this.descendsFrom(x, e) || this.descendsFrom(e, x)) {
        x.failure = null;
        x.manuallyInvalidated = false;
      }
    }
    this.activateBestChain();
  }

  private requireEntry(hash: string): BlockEntry {
    const e = this.get(hash);
    if (!e) throw new BlockNotFoundError(hash);
    return e;
  }

  private indexTransactions(entry: BlockEntry, block: Block): void {
    block.txs.forEach((tx, index) => {
      const key = txidOf(tx).toString('hex');
      const list = this.txIndex.get(key) ?? [];
      list.push({ entry, index });
      this.txIndex.set(key, list);
    });
  }

  /**
   * Finds a transaction by display txid: in a main-chain block first, then in the mempool (entry null), then in
   * a block off the main chain.
   */
  findTransaction(txidDisplay: string): { tx: Tx; entry: BlockEntry | null; index: number } | null {
    if (!isHex(txidDisplay, 32)) return null;
    const key = reverseBuf(hexToBuf(txidDisplay)).toString('hex');
    const places = this.txIndex.get(key) ?? [];
    const main = places.find((p) => this.isOnMainChain(p.entry));
    const pick = (p: { entry: BlockEntry; index: number }) => ({ tx: p.entry.block!.txs[p.index]!, ...p });
    if (main) return pick(main);
    const pooled = this.mempool.get(key);
    if (pooled) return { tx: pooled.tx, entry: null, index: -1 };
    return places[0] ? pick(places[0]) : null;
  }

  /** Resolves when the tip or mempool changes (or at the timeout / abort). */
  waitForChange(since: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.notifier.wait(since, () => this.longPollId, timeoutMs, signal);
  }

  private notifyChange(): void {
    this.notifier.notify();
  }
}

export class BlockNotFoundError extends Error {
  constructor(readonly hash: string) {
    super(`Block not found: ${hash}`);
    this.name = 'BlockNotFoundError';
  }
}
