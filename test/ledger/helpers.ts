/**
 * Test doubles for the chain side of the ledger (the node's main chain and wallet) and a real SQLite store in a
 * temp dir. The wallet double keeps a history like a node wallet (newest first, times in unix seconds) and can
 * "crash" the caller: a send that never returns, before or after the money left.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  BlockSolution,
  BlockStatus,
  ChainAdapter,
  ChainKind,
  ChainWallet,
  NodeSyncState,
  Sha256dWork,
  SubmitOutcome,
  WalletPayment,
  WalletTransaction,
} from '../../src/chains/types.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { NewShare, Store } from '../../src/store/types.js';

export class Clock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export type SendMode = 'ok' | 'throw-before' | 'throw-after' | 'hang-before' | 'hang-after';

export interface RecordedSend extends WalletPayment {
  txid: string;
  time: number;
  comment: string;
}

export class FakeWallet implements ChainWallet {
  /** Every send that left the wallet, oldest first. */
  readonly history: RecordedSend[] = [];
  /** Every call to send(), whatever its outcome. */
  readonly calls: Array<{ payments: WalletPayment[]; comment: string }> = [];
  readonly confirmations = new Map<string, number>();
  mode: SendMode = 'ok';
  funds = 10n ** 15n;
  /** Report comments in recentSends (Bitcoin Core does; not every adapter can). */
  reportComments = false;
  private seq = 0;

  constructor(
    readonly batchesPayments: boolean,
    private readonly clock: Clock,
  ) {}

  async balance(): Promise<bigint> {
    return this.funds;
  }

  async send(payments: readonly WalletPayment[], comment: string): Promise<string[]> {
    this.calls.push({ payments: payments.map((p) => ({ ...p })), comment });
    const mode = this.mode;
    if (mode === 'throw-before') throw new Error('wallet: connection reset');
    if (mode === 'hang-before') return new Promise<string[]>(() => undefined);
    const addresses = new Set(payments.map((p) => p.address));
    if (addresses.size !== payments.length) throw new Error('Invalid parameter, duplicated address');
    const total = payments.reduce((s, p) => s + p.amount, 0n);
    if (total > this.funds) throw new Error('Insufficient funds');
    const txids: string[] = [];
    const time = Math.floor(this.clock.now() / 1000);
    const onePerRecipient = !this.batchesPayments;
    let txid = `tx${++this.seq}`;
    for (const p of payments) {
      if (onePerRecipient && txids.length > 0) txid = `tx${++this.seq}`;
      this.history.push({ ...p, txid, time, comment });
      this.confirmations.set(txid, 0);
      txids.push(txid);
    }
    this.funds -= total;
    if (mode === 'throw-after') throw new Error('wallet: request timed out');
    if (mode === 'hang-after') return new Promise<string[]>(() => undefined);
    return txids;
  }

  async transaction(txid: string): Promise<WalletTransaction | null> {
    const confirmations = this.confirmations.get(txid);
    return confirmations === undefined ? null : { txid, confirmations };
  }

  async recentSends(count: number): Promise<Array<WalletPayment & { txid: string; time: number }>> {
    return [...this.history]
      .reverse()
      .slice(0, count)
      .map((s) => ({ address: s.address, amount: s.amount, txid: s.txid, time: s.time, ...(this.reportComments ? { comment: s.comment } : {}) }));
  }

  /** Sends to one address, in order. */
  paidTo(address: string): bigint[] {
    return this.history.filter((s) => s.address === address).map((s) => s.amount);
  }
}

export class FakeChain implements ChainAdapter {
  readonly kind: ChainKind;
  readonly coinSymbol = 'GXC';
  /** The node's main chain: height → hash. */
  readonly mainChain = new Map<number, string>();
  tipHeight = 0;
  synced = true;
  readonly wallet: FakeWallet;

  constructor(opts: { kind?: ChainKind; coinbaseMaturity: number; batches: boolean; clock: Clock }) {
    this.kind = opts.kind ?? 'gxc';
    this.coinbaseMaturity = opts.coinbaseMaturity;
    this.wallet = new FakeWallet(opts.batches, opts.clock);
  }
  readonly coinbaseMaturity: number;

  /** Puts `hash` at `height` and moves the tip so the block has `confirmations`. */
  place(height: number, hash: string, confirmations: number): void {
    this.mainChain.set(height, hash);
    this.tipHeight = height + confirmations - 1;
  }

  validateAddress(address: string): string | null {
    return address.startsWith('bad') ? 'not a valid address' : null;
  }
  async getWork(): Promise<Sha256dWork> {
    throw new Error('getWork is not used by the ledger');
  }
  async getBestBlockHash(): Promise<string> {
    return this.mainChain.get(this.tipHeight) ?? '00';
  }
  async submitBlock(_work: Sha256dWork, _solution: BlockSolution): Promise<SubmitOutcome> {
    throw new Error('submitBlock is not used by the ledger');
  }
  async blockStatus(height: number, hash: string): Promise<BlockStatus> {
    const onMainChain = height <= this.tipHeight && this.mainChain.get(height) === hash;
    return { onMainChain, confirmations: onMainChain ? this.tipHeight - height + 1 : 0 };
  }
  async syncState(): Promise<NodeSyncState> {
    return { tipHeight: this.tipHeight, synced: this.synced };
  }
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-ledger-'));
}

export async function openStore(dir: string, clock: Clock): Promise<Store> {
  const store = createSqliteStore(path.join(dir, 'pool.db'), { now: clock.now });
  await store.migrate();
  return store;
}

export const POOL = 'general';

export async function addShares(store: Store, clock: Clock, shares: Array<[address: string, difficulty: number]>, height = 100): Promise<number[]> {
  const rows: NewShare[] = shares.map(([address, difficulty], i) => ({
    pool: POOL,
    instanceId: 0,
    address,
    worker: 'w1',
    jobId: 'j1',
    height,
    difficulty,
    networkDifficulty: 1,
    actualDifficulty: difficulty,
    hash: `share-${clock.t}-${i}-${Math.random()}`,
    isBlock: false,
    createdAt: clock.t,
  }));
  return store.insertShares(rows);
}

/** A block the node accepted ('pending'), found by `finder` with share `shareId`. */
export async function addPendingBlock(
  store: Store,
  clock: Clock,
  b: { height: number; hash: string; finder: string; shareId: number | null; reward: bigint; networkDifficulty: number },
): Promise<number> {
  const id = await store.insertBlock({
    pool: POOL,
    chain: 'gxc',
    height: b.height,
    hash: b.hash,
    prevHash: '00',
    headerHex: '00',
    submission: '{}',
    address: b.finder,
    worker: 'w1',
    reward: b.reward,
    networkDifficulty: b.networkDifficulty,
    shareId: b.shareId,
    createdAt: clock.t,
  });
  await store.updateBlock(id, { status: 'pending' });
  return id;
}

/** Waits (bounded) until `cond` holds: for a "crashed" run whose promise never settles. */
export async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
