/**
 * End to end on SQLite: a Bitcoin devnet in the test, the pool pointed at it as at a real node, two miners with two
 * payout addresses submitting real shares and blocks. The ledger (driven tick by tick) takes each block pending →
 * immature → confirmed, credits exactly the PPLNS split recomputed here from the shares table, pays through ONE
 * sendmany that lands in the devnet wallet, and reverses the credits of a block orphaned by invalidateblock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { btcToSatoshi } from '../../src/chains/bitcoin/amount.js';
import { loadConfig } from '../../src/config/load.js';
import { bitsToTarget, difficultyToTarget, targetToBits, targetToDifficulty } from '../../src/core/target.js';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import type { Ledger, LedgerTickReport } from '../../src/ledger/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRpcClient } from '../../src/rpc/client.js';
import type { RpcClient } from '../../src/rpc/types.js';
import type { BlockRow, Store } from '../../src/store/types.js';
import { regtestAddress, until } from './fixtures/env.js';
import { expectedPplnsSplit, type ShareRowForSplit } from './fixtures/pplns-expectation.js';
import { RawMiner } from './fixtures/raw-miner.js';

const POOL = 'general';
// Network difficulty 1e-6 (~4 300 hashes a block): the devnet's generatetoaddress mines 100 blocks in seconds,
// while shares start 100× easier, so shares that are not blocks exist.
const NETWORK_BITS = targetToBits(difficultyToTarget(0.000001));
const SHARE_DIFFICULTY = 0.00000001;
// Window 0.1 × 1e-6: just under ten shares of 1e-8, so each block's window is cut inside its round's shares (the
// oldest counted share only partially). Each connection sends at most ten shares before the last credited block,
// so vardiff (which retargets after ten shares) keeps them all at the starting difficulty.
const WINDOW_FACTOR = 0.1;
const FEE_PERCENT = 2.5;
const FEE_BPS = 250n;

const MINER_A = regtestAddress('ledger-e2e miner A');
const MINER_B = regtestAddress('ledger-e2e miner B');
const FEE_ADDRESS = regtestAddress('ledger-e2e fee');
const OUTSIDER = regtestAddress('ledger-e2e outsider');

let dir: string;
let devnet: RunningDevnet;
let rpc: RpcClient;
let app: PoolProcess;
let store: Store;
let ledger: Ledger;
let db: Database.Database;
let a: RawMiner;
let b: RawMiner;
const foundBlocks: BlockRow[] = [];

/** Shares of the pool newest first from `fromId`, straight from the table (not through the ledger's code). */
function sharesBackFrom(fromId: number): ShareRowForSplit[] {
  return db.prepare('SELECT id, address, difficulty FROM shares WHERE pool = ? AND id <= ? ORDER BY id DESC').all(POOL, fromId) as ShareRowForSplit[];
}

function expectedSplitOf(block: BlockRow) {
  return expectedPplnsSplit({
    sharesNewestFirst: sharesBackFrom(block.shareId!),
    networkDifficulty: block.networkDifficulty,
    windowFactor: WINDOW_FACTOR,
    reward: block.reward,
    feeBasisPoints: FEE_BPS,
    finder: block.address,
  });
}

async function shares(miner: RawMiner, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await miner.submit('share');
    expect(r, JSON.stringify(r.error)).toMatchObject({ accepted: true, isBlock: false });
  }
}

/** Submits a block-meeting share, waits for the node to have it and for both miners to get the new work. */
async function findBlock(miner: RawMiner): Promise<BlockRow> {
  const r = await miner.submit('block');
  expect(r, JSON.stringify(r.error)).toMatchObject({ accepted: true, isBlock: true });
  // The miner is answered once the block row is written; the node's verdict is recorded in the background.
  const block = await until('the block recorded as accepted', 10_000, async () =>
    (await store.recentBlocks(POOL, 50)).find((x) => x.hash === r.hash && x.status === 'pending'),
  );
  expect(await rpc.call<string>('getbestblockhash')).toBe(r.hash);
  for (const m of [a, b])
    await m.waitForJob((j) => j.clean && j.job.prevHash !== miner.jobs.get(r.jobId)!.job.prevHash, 10_000, 'work on the new tip');
  foundBlocks.push(block);
  return block;
}

async function tick(opts?: { forcePayout?: boolean }): Promise<LedgerTickReport> {
  const report = await ledger.runOnce(opts);
  expect(report.errors).toEqual([]);
  expect(report.leader).toBe(true);
  return report;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-ledger-e2e-'));
  devnet = await startDevnet({ bits: NETWORK_BITS, autoTransactions: 0 });
  rpc = createRpcClient({ url: devnet.url, jsonrpc: '1.0' });
  const poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
  const cfg = loadConfig({
    env: {},
    flags: {
      nodeUrl: devnet.url,
      chain: 'bitcoin',
      network: 'regtest',
      poolAddress,
      pool: POOL,
      db: `sqlite:${path.join(dir, 'pool.db')}`,
      dataDir: dir,
      scheme: 'pplns',
      pplnsWindow: WINDOW_FACTOR,
      fee: FEE_PERCENT,
      feeAddress: FEE_ADDRESS,
      minPayout: '0.001',
      payoutInterval: 3600,
      difficulty: SHARE_DIFFICULTY,
      stratumHost: '127.0.0.1',
      webHost: '127.0.0.1',
      logLevel: 'silent',
    },
  });
  app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger, ledger: { autoStart: false } });
  store = app.store.store;
  expect(app.ledgers).toHaveLength(1);
  ledger = app.ledgers[0]!;
  db = new Database(path.join(dir, 'pool.db'), { readonly: true, fileMustExist: true });
  const port = app.pools[0]!.stratumPort;
  a = await RawMiner.open(port, `${MINER_A}.rigA`);
  b = await RawMiner.open(port, `${MINER_B}.rigB`);
}, 60_000);

afterAll(async () => {
  a?.close();
  b?.close();
  db?.close();
  await app?.stop();
  rpc?.close();
  await devnet?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('accounting and payouts on the Bitcoin devnet (SQLite)', () => {
  it('credits each found block with the PPLNS split of the shares table while it is immature', async () => {
    await shares(a, 3);
    await shares(b, 5);
    await shares(a, 2);
    const first = await findBlock(a);
    await shares(b, 2);
    await shares(a, 3);
    await shares(b, 2);
    const second = await findBlock(b);
    expect(second.height).toBe(first.height + 1);

    const report = await tick();
    expect(report.lifecycle?.changes.map((c) => [c.blockId, c.from, c.to])).toEqual([
      [first.id, 'pending', 'immature'],
      [second.id, 'pending', 'immature'],
    ]);

    const expectedImmature = new Map<string, bigint>();
    for (const block of [first, second]) {
      // The block as the node has it: reward = the coinbase's value, network difficulty = the header's bits.
      const onChain = await rpc.call<{ bits: string; tx: Array<{ vout: Array<{ value: number }> }> }>('getblock', [block.hash, 2]);
      expect(block.reward).toBe(onChain.tx[0]!.vout.reduce((s, o) => s + btcToSatoshi(o.value), 0n));
      expect(block.networkDifficulty).toBe(targetToDifficulty(bitsToTarget(onChain.bits)));

      const split = expectedSplitOf(block);
      expect(split.credits.size).toBe(2); // both miners inside each window
      expect(split.countedIds.length).toBeLessThan(sharesBackFrom(block.shareId!).length); // the window edge was reached
      const stored = await store.blockRewards(block.id);
      expect(new Map(stored.map((r) => [r.address, r.amount]))).toEqual(split.credits);
      const entries = await store.ledgerEntries({ blockId: block.id, limit: 100 });
      const fees = entries.filter((e) => e.kind === 'fee');
      expect(fees.map((e) => [e.address, e.amount])).toEqual([[FEE_ADDRESS, split.fee]]);
      const creditSum = entries.filter((e) => e.kind === 'credit').reduce((s, e) => s + e.amount, 0n);
      expect(creditSum + split.fee).toBe(block.reward); // nothing lost to rounding
      for (const [address, amount] of [...split.credits, [FEE_ADDRESS, split.fee] as const]) {
        expectedImmature.set(address, (expectedImmature.get(address) ?? 0n) + amount);
      }
      expect((await store.blockById(block.id))?.status).toBe('immature');
    }
    for (const [address, immature] of expectedImmature) {
      expect(await store.balanceOf(POOL, address)).toEqual({ address, immature, confirmed: 0n });
    }
  }, 60_000);

  it('confirms the blocks at maturity and pays every balance in one sendmany that lands in the devnet wallet', async () => {
    const [first, second] = foundBlocks as [BlockRow, BlockRow];
    // 98 blocks on top: the second block has 99 confirmations (first 100): one still immature.
    await rpc.call('generatetoaddress', [98, OUTSIDER]);
    let report = await tick();
    expect(report.lifecycle?.changes.filter((c) => c.from !== c.to).map((c) => [c.blockId, c.from, c.to])).toEqual([
      [first.id, 'immature', 'confirmed'],
    ]);
    await rpc.call('generatetoaddress', [1, OUTSIDER]);
    report = await tick();
    expect(report.lifecycle?.changes.filter((c) => c.from !== c.to).map((c) => [c.blockId, c.from, c.to])).toEqual([
      [second.id, 'immature', 'confirmed'],
    ]);

    const owed = new Map<string, bigint>();
    for (const block of [first, second]) {
      const split = expectedSplitOf(block);
      for (const [address, amount] of [...split.credits, [FEE_ADDRESS, split.fee] as const]) owed.set(address, (owed.get(address) ?? 0n) + amount);
    }
    for (const [address, confirmed] of owed) expect(await store.balanceOf(POOL, address)).toEqual({ address, immature: 0n, confirmed });

    const walletBefore = btcToSatoshi(await rpc.call<number>('getbalance'));
    report = await tick({ forcePayout: true });
    expect(report.payments?.failures).toEqual([]);
    expect(report.payments?.paid).toHaveLength(1); // one wallet call
    const { txid, ids } = report.payments!.paid[0]!;
    expect(ids).toHaveLength(3);

    const rows = await store.paymentsByStatus(POOL, ['sent']);
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(new Map(rows.map((r) => [r.address, r.amount]))).toEqual(owed);
    expect(rows.every((r) => r.txid === txid)).toBe(true);

    // The wallet: exactly one send transaction, paying each address exactly its amount.
    const tx = await rpc.call<{ details: Array<{ category: string; address: string; amount: number }>; confirmations: number }>('gettransaction', [
      txid,
    ]);
    const sent = tx.details.filter((d) => d.category === 'send');
    expect(new Map(sent.map((d) => [d.address, -btcToSatoshi(d.amount)]))).toEqual(owed);
    expect(sent).toHaveLength(3);
    const history = await rpc.call<Array<{ category: string; txid: string; address: string }>>('listtransactions', ['*', 1000]);
    const paidTo = new Set([MINER_A, MINER_B, FEE_ADDRESS]);
    expect(new Set(history.filter((h) => h.category === 'send' && paidTo.has(h.address)).map((h) => h.txid))).toEqual(new Set([txid]));
    const total = [...owed.values()].reduce((s, v) => s + v, 0n);
    expect(walletBefore - btcToSatoshi(await rpc.call<number>('getbalance'))).toBeGreaterThanOrEqual(total);

    // Balances are now zero; the payment confirms once the transaction is mined.
    for (const address of owed.keys()) expect((await store.balanceOf(POOL, address)).confirmed).toBe(0n);
    expect((await tick({ forcePayout: true })).payments?.paid).toEqual([]); // nothing owed: nothing sent again
    const [mined] = await rpc.call<string[]>('generatetoaddress', [1, OUTSIDER]);
    const block = await rpc.call<{ tx: string[] }>('getblock', [mined, 1]);
    expect(block.tx).toContain(txid);
    report = await tick();
    expect(report.payments?.confirmed.sort()).toEqual([...ids].sort());
    expect((await store.paymentsByStatus(POOL, ['confirmed'])).map((p) => p.txid)).toEqual([txid, txid, txid]);
  }, 90_000);

  it('reverses the credits of a block orphaned by invalidateblock and a competing block, keeping every entry', async () => {
    await shares(a, 2);
    await shares(b, 3);
    const doomed = await findBlock(b);
    await tick();
    expect((await store.blockById(doomed.id))?.status).toBe('immature');
    const split = expectedSplitOf(doomed);
    const before = await store.ledgerEntries({ blockId: doomed.id, limit: 100 });
    expect(before.every((e) => e.kind === 'credit' || e.kind === 'fee')).toBe(true);
    const immatureBefore = new Map<string, bigint>();
    for (const address of [MINER_A, MINER_B, FEE_ADDRESS]) immatureBefore.set(address, (await store.balanceOf(POOL, address)).immature);
    expect(immatureBefore.get(MINER_B)).toBe(split.credits.get(MINER_B));
    expect(immatureBefore.get(FEE_ADDRESS)).toBe(split.fee);

    await rpc.call('invalidateblock', [doomed.hash]);
    const [competitor] = await rpc.call<string[]>('generatetoaddress', [1, OUTSIDER]);
    expect(await rpc.call<string>('getblockhash', [doomed.height])).toBe(competitor);
    expect(competitor).not.toBe(doomed.hash);

    const report = await tick();
    expect(report.lifecycle?.changes.map((c) => [c.blockId, c.from, c.to])).toEqual([[doomed.id, 'immature', 'orphaned']]);
    const after = await store.blockById(doomed.id);
    expect(after).toMatchObject({ status: 'orphaned', creditState: 'reversed' });
    expect(after?.reason).toMatch(/not on the node's main chain/);

    // Append-only: the credits are still there, unchanged, each cancelled by a reversal entry.
    const entries = await store.ledgerEntries({ blockId: doomed.id, limit: 100 });
    const kept = entries.filter((e) => e.kind !== 'reversal');
    expect(kept.sort((x, y) => x.id - y.id)).toEqual([...before].sort((x, y) => x.id - y.id));
    const reversals = entries.filter((e) => e.kind === 'reversal');
    const net = new Map<string, bigint>();
    for (const e of entries) net.set(e.address, (net.get(e.address) ?? 0n) + e.amount);
    expect([...net.values()].every((v) => v === 0n)).toBe(true);
    expect(reversals.every((e) => e.amount < 0n && e.id > Math.max(...before.map((x) => x.id)))).toBe(true);
    for (const [address, was] of immatureBefore) {
      const now = await store.balanceOf(POOL, address);
      const credited = address === FEE_ADDRESS ? split.fee : (split.credits.get(address) ?? 0n);
      expect(now.immature).toBe(was - credited);
      expect(now.confirmed).toBe(0n); // the paid blocks are untouched
    }
    // The earlier, confirmed blocks are still confirmed; a second run changes nothing.
    for (const block of foundBlocks.slice(0, 2)) expect((await store.blockById(block.id))?.status).toBe('confirmed');
    expect((await tick()).lifecycle?.changes.filter((c) => c.from !== c.to)).toEqual([]);
  }, 60_000);
});
