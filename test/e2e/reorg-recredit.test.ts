/**
 * A reorg and its undoing, end to end on the Bitcoin devnet (which honours invalidateblock/reconsiderblock as
 * Bitcoin Core does): a pool block is credited, the chain goes backwards and a competitor replaces it (the pool
 * sends clean work on the new tip, the ledger orphans the block and reverses its credits), then the block returns
 * to the main chain (reconsiderblock, the competitor invalidated): clean work on it again, and the ledger
 * re-credits it exactly once with new entries, the earlier ones untouched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { prevHashFromStratum } from '../../src/core/header.js';
import { difficultyToTarget, targetToBits } from '../../src/core/target.js';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import type { Ledger, LedgerTickReport } from '../../src/ledger/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRpcClient } from '../../src/rpc/client.js';
import type { RpcClient } from '../../src/rpc/types.js';
import type { Store } from '../../src/store/types.js';
import { regtestAddress, until } from './fixtures/env.js';
import { RawMiner, type KnownJob } from './fixtures/raw-miner.js';

const POOL = 'general';
const MINER = regtestAddress('reorg miner');
const OUTSIDER = regtestAddress('reorg outsider');

let dir: string;
let devnet: RunningDevnet;
let rpc: RpcClient;
let app: PoolProcess;
let store: Store;
let ledger: Ledger;
let miner: RawMiner;

function jobTip(job: KnownJob): string {
  return Buffer.from(prevHashFromStratum(job.job.prevHash)).reverse().toString('hex');
}

async function tick(): Promise<LedgerTickReport> {
  const report = await ledger.runOnce();
  expect(report.errors).toEqual([]);
  expect(report.lifecycle?.errors).toEqual([]);
  return report;
}

/** Waits for a clean job on `tip` and returns how long it took from `since`. */
async function cleanJobOn(tip: string, since: number): Promise<number> {
  const job = await miner.waitForJob((j) => jobTip(j) === tip, 5_000, `a clean job on ${tip}`);
  expect(job.clean).toBe(true);
  return Date.now() - since;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-reorg-'));
  devnet = await startDevnet({ bits: targetToBits(difficultyToTarget(0.000001)), autoTransactions: 0 });
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
      fee: 1,
      difficulty: 0.00000001,
      stratumHost: '127.0.0.1',
      webHost: '127.0.0.1',
      logLevel: 'silent',
    },
  });
  app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger, ledger: { autoStart: false } });
  store = app.store.store;
  ledger = app.ledgers[0]!;
  miner = await RawMiner.open(app.pools[0]!.stratumPort, `${MINER}.rig`);
}, 60_000);

afterAll(async () => {
  miner?.close();
  await app?.stop();
  rpc?.close();
  await devnet?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('reorg on the Bitcoin devnet', () => {
  it('orphans the replaced pool block, then re-credits it once when it returns to the main chain', async () => {
    for (let i = 0; i < 4; i++) expect((await miner.submit('share')).accepted).toBe(true);
    const found = await miner.submit('block');
    expect(found).toMatchObject({ accepted: true, isBlock: true });
    const block = await until('the block accepted by the node', 10_000, async () =>
      (await store.recentBlocks(POOL, 5)).find((b) => b.hash === found.hash && b.status === 'pending'),
    );
    await cleanJobOn(found.hash, Date.now());
    expect((await tick()).lifecycle?.changes.map((c) => [c.blockId, c.from, c.to])).toEqual([[block.id, 'pending', 'immature']]);
    const credited = await store.ledgerEntries({ blockId: block.id, limit: 50 });
    const owed = (await store.balanceOf(POOL, MINER)).immature;
    expect(owed).toBeGreaterThan(0n);

    // The chain goes backwards: the block is invalidated and a competitor takes its height.
    const backwards = Date.now();
    await rpc.call('invalidateblock', [found.hash]);
    const [competitor] = await rpc.call<string[]>('generatetoaddress', [1, OUTSIDER]);
    console.log(`clean job on the competitor ${await cleanJobOn(competitor!, backwards)} ms after the chain went backwards`);
    expect((await tick()).lifecycle?.changes.map((c) => [c.blockId, c.from, c.to])).toEqual([[block.id, 'immature', 'orphaned']]);
    expect(await store.blockById(block.id)).toMatchObject({ status: 'orphaned', creditState: 'reversed' });
    expect((await store.balanceOf(POOL, MINER)).immature).toBe(0n);

    // The block returns: reconsiderblock, and the competitor is invalidated so the block's branch is the best.
    const returned = Date.now();
    await rpc.call('reconsiderblock', [found.hash]);
    await rpc.call('invalidateblock', [competitor]);
    expect(await rpc.call<string>('getbestblockhash')).toBe(found.hash);
    console.log(`clean job on the returned block ${await cleanJobOn(found.hash, returned)} ms after it returned`);
    const report = await tick();
    expect(report.lifecycle?.changes).toEqual([
      { blockId: block.id, height: block.height, hash: found.hash, from: 'orphaned', to: 'immature', confirmations: 1 },
    ]);
    expect(await store.blockById(block.id)).toMatchObject({ status: 'immature', creditState: 'credited', reason: null });
    expect((await store.balanceOf(POOL, MINER)).immature).toBe(owed);

    // Append-only: the first credits and their reversals untouched, one new credit per address after them.
    const entries = (await store.ledgerEntries({ blockId: block.id, limit: 50 })).sort((x, y) => x.id - y.id);
    const firstIds = new Set(credited.map((e) => e.id));
    expect(entries.filter((e) => firstIds.has(e.id))).toEqual([...credited].sort((x, y) => x.id - y.id));
    expect(entries.filter((e) => e.kind === 'reversal')).toHaveLength(credited.length);
    const recredits = entries.filter((e) => !firstIds.has(e.id) && e.kind !== 'reversal');
    expect(recredits.map((e) => [e.kind, e.address, e.amount]).sort()).toEqual(credited.map((e) => [e.kind, e.address, e.amount]).sort());

    // Later runs change nothing more.
    expect((await tick()).lifecycle?.changes).toEqual([]);
    expect(await store.ledgerEntries({ blockId: block.id, limit: 50 })).toHaveLength(entries.length);
  }, 60_000);
});
