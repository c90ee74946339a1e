/**
 * Two pool instances, one PostgreSQL, one Bitcoin devnet: each instance gets its own instance id (the first byte of
 * every extranonce1 it hands out), the shares of both land in one ledger that either API shows pool-wide, exactly
 * one instance (the lease holder) judges blocks and pays, and when the leader loses its database the other takes
 * over once the lease has expired, and pays what follows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { btcToSatoshi } from '../../src/chains/bitcoin/amount.js';
import { loadConfig } from '../../src/config/load.js';
import { difficultyToTarget, targetToBits } from '../../src/core/target.js';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import type { RpcClient } from '../../src/rpc/types.js';
import type { BlockRow, PaymentRow } from '../../src/store/types.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { regtestAddress, until } from './fixtures/env.js';
import { memoryLogger, type MemoryLogger } from './fixtures/memory-logger.js';
import { expectedPplnsSplit, type ShareRowForSplit } from './fixtures/pplns-expectation.js';
import { RawMiner } from './fixtures/raw-miner.js';

const POOL = 'general';
const ROLE = `ledger:${POOL}`;
const NETWORK_BITS = targetToBits(difficultyToTarget(0.000001));
const WINDOW_FACTOR = 0.1;
const FEE_BPS = 100n;
// Short enough for a quick fail-over, long enough that a busy machine's event-loop stalls never cost the lease.
const LEASE_TTL_MS = 3000;
const TICK_MS = 200;

const MINER_A = regtestAddress('multi-instance miner A');
const MINER_B = regtestAddress('multi-instance miner B');
const FEE_ADDRESS = regtestAddress('multi-instance fee');
const OUTSIDER = regtestAddress('multi-instance outsider');

let postgres: TestPostgres;
let database: { url: string; drop(): Promise<void> };
let sql: pg.Client;
let devnet: RunningDevnet;
let rpc: RpcClient;
const dirs: string[] = [];
const apps: PoolProcess[] = [];
const logs: MemoryLogger[] = [];
/** minerOn[i] is connected to apps[i]: A to the first instance, B to the second. */
const minerOn: RawMiner[] = [];
const stopped = new Set<number>();

async function sharesBackFrom(fromId: number): Promise<ShareRowForSplit[]> {
  const { rows } = await sql.query('SELECT id, address, difficulty FROM shares WHERE pool = $1 AND id <= $2 ORDER BY id DESC', [POOL, fromId]);
  return rows.map((r: { id: string | number; address: string; difficulty: number }) => ({
    id: Number(r.id),
    address: r.address,
    difficulty: Number(r.difficulty),
  }));
}

async function expectedPayouts(block: BlockRow): Promise<Map<string, bigint>> {
  const split = expectedPplnsSplit({
    sharesNewestFirst: await sharesBackFrom(block.shareId!),
    networkDifficulty: block.networkDifficulty,
    windowFactor: WINDOW_FACTOR,
    reward: block.reward,
    feeBasisPoints: FEE_BPS,
    finder: block.address,
  });
  return new Map([...split.credits, [FEE_ADDRESS, split.fee]]);
}

async function shares(miner: RawMiner, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const r = await miner.submit('share');
    expect(r, JSON.stringify(r.error)).toMatchObject({ accepted: true, isBlock: false });
  }
}

async function findBlock(miner: RawMiner, app: PoolProcess): Promise<BlockRow> {
  const r = await miner.submit('block');
  expect(r, JSON.stringify(r.error)).toMatchObject({ accepted: true, isBlock: true });
  // The miner is answered once the block row is written; the node's verdict is recorded in the background.
  return until('the block recorded as accepted', 10_000, async () =>
    (await app.store.store.recentBlocks(POOL, 50)).find((x) => x.hash === r.hash && x.status === 'pending'),
  );
}

async function paymentsSent(): Promise<PaymentRow[]> {
  const live = apps.find((_, i) => !stopped.has(i))!;
  return live.store.store.paymentsByStatus(POOL, ['sent', 'confirmed']);
}

/** Sends from the devnet wallet to the paid addresses, grouped by txid. */
async function walletSends(): Promise<Map<string, Map<string, bigint>>> {
  const history = await rpc.call<Array<{ category: string; txid: string; address: string; amount: number }>>('listtransactions', ['*', 1000]);
  const byTxid = new Map<string, Map<string, bigint>>();
  for (const h of history) {
    if (h.category !== 'send' || h.address === undefined) continue;
    const outputs = byTxid.get(h.txid) ?? new Map<string, bigint>();
    outputs.set(h.address, -btcToSatoshi(h.amount));
    byTxid.set(h.txid, outputs);
  }
  return byTxid;
}

/**
 * Mines `count` blocks on the devnet in small batches. The devnet lives in this process and grinds each batch
 * without yielding; one call of 100 blocks would stall both instances' timers (lease renewals included) for seconds,
 * which no real node does to its pool.
 */
async function mineBlocks(count: number): Promise<void> {
  for (let left = count; left > 0; left -= 10) {
    await rpc.call('generatetoaddress', [Math.min(10, left), OUTSIDER]);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function leaderIndex(holder: string): number {
  const i = apps.findIndex((a) => a.ledgers[0]!.holder === holder);
  expect(i, `lease holder ${holder} is one of the two instances`).toBeGreaterThanOrEqual(0);
  return i;
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  database = await postgres.newDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  devnet = await startDevnet({ bits: NETWORK_BITS, autoTransactions: 0 });
  rpc = createRpcClient({ url: devnet.url, jsonrpc: '1.0' });
  const poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
  // Both instances start at once: migrations and instance registration must cope with each other.
  const started = await Promise.all(
    [0, 1].map(async (i) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gxc-multi-${i}-`));
      dirs.push(dir);
      const cfg = loadConfig({
        env: {},
        flags: {
          nodeUrl: devnet.url,
          chain: 'bitcoin',
          network: 'regtest',
          poolAddress,
          pool: POOL,
          db: database.url,
          dataDir: dir,
          scheme: 'pplns',
          pplnsWindow: WINDOW_FACTOR,
          fee: 1,
          feeAddress: FEE_ADDRESS,
          minPayout: '0.001',
          payoutInterval: 1,
          difficulty: 0.00000001,
          stratumHost: '127.0.0.1',
          webHost: '127.0.0.1',
        },
      });
      const log = memoryLogger();
      const app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: log.logger, ledger: { tickMs: TICK_MS, leaseTtlMs: LEASE_TTL_MS } });
      return { app, log };
    }),
  );
  for (const s of started) {
    apps.push(s.app);
    logs.push(s.log);
  }
  minerOn.push(await RawMiner.open(apps[0]!.pools[0]!.stratumPort, `${MINER_A}.on0`));
  minerOn.push(await RawMiner.open(apps[1]!.pools[0]!.stratumPort, `${MINER_B}.on1`));
}, 120_000);

afterAll(async () => {
  for (const m of minerOn) m.close();
  for (const app of apps) await app.stop().catch(() => undefined);
  await sql?.end();
  rpc?.close();
  await devnet?.stop();
  await database?.drop();
  await postgres?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('two pool instances sharing one PostgreSQL', () => {
  it('gives each instance its own id, the first byte of every extranonce1 it hands out', async () => {
    const ids = apps.map((a) => a.store.instanceId);
    expect(new Set(ids).size).toBe(2);
    expect(minerOn.map((m) => parseInt(m.extranonce1.slice(0, 2), 16))).toEqual(ids);
    const { rows } = await sql.query('SELECT id FROM instances WHERE lease_until > $1 ORDER BY id', [Date.now()]);
    expect(rows.map((r: { id: string | number }) => Number(r.id))).toEqual([...ids].sort((x, y) => x - y));
  });

  it('puts the shares of both instances in one ledger, which either API shows pool-wide', async () => {
    await shares(minerOn[0]!, 4);
    await shares(minerOn[1]!, 3);
    await shares(minerOn[0]!, 2);
    const { rows } = await sql.query('SELECT instance_id, address, count(*) AS n FROM shares GROUP BY instance_id, address ORDER BY instance_id');
    expect(rows.map((r: { instance_id: string | number; address: string; n: string }) => [Number(r.instance_id), r.address, Number(r.n)])).toEqual(
      [
        [apps[0]!.store.instanceId, MINER_A, 6],
        [apps[1]!.store.instanceId, MINER_B, 3],
      ].sort((x, y) => (x[0] as number) - (y[0] as number)),
    );
    for (const [i, app] of apps.entries()) {
      const stats = (await (await fetch(`http://127.0.0.1:${app.pools[0]!.webPort}/api/stats`)).json()) as Record<string, number>;
      expect(stats.shares_in_window).toBe(9); // from the store: both instances
      expect(stats.miners_in_window).toBe(2);
      expect(stats.hashrate).toBeGreaterThan(0);
      expect(stats.accepted_shares).toBe(i === 0 ? 6 : 3); // this process's own counter
    }
  });

  it('lets exactly one instance (the lease holder) judge blocks and pay, once', async () => {
    const block = await findBlock(minerOn[1]!, apps[1]!);
    await until('the block credited', 20_000, async () => (await apps[0]!.store.store.blockById(block.id))?.status === 'immature');
    await mineBlocks(100);
    const paid = await until('the payout', 30_000, async () => {
      const rows = await paymentsSent();
      return rows.length > 0 ? rows : null;
    });
    const lease = (await apps[0]!.store.store.leaseOf(ROLE))!;
    const leader = leaderIndex(lease.holder);
    // Several payout intervals and lease renewals later, still one payment batch, one wallet transaction.
    await new Promise((r) => setTimeout(r, 2500));
    const rows = await paymentsSent();
    expect(rows.map((r) => r.id)).toEqual(paid.map((r) => r.id));
    expect(new Set(rows.map((r) => r.txid)).size).toBe(1);
    const expected = await expectedPayouts(block);
    expect(new Map(rows.map((r) => [r.address, r.amount]))).toEqual(expected);
    expect([...expected.values()].reduce((s, v) => s + v, 0n)).toBe(block.reward);
    const sends = await walletSends();
    expect([...sends.keys()]).toEqual([rows[0]!.txid]);
    expect(sends.get(rows[0]!.txid!)).toEqual(expected);
    expect((await apps[1]!.store.store.leaseOf(ROLE))?.holder).toBe(lease.holder);

    // Only the leader's ledger did anything.
    expect(logs[leader]!.entries('block credited')).toHaveLength(1);
    expect(logs[leader]!.entries('payout sent')).toHaveLength(1);
    expect(logs[1 - leader]!.entries('block credited')).toHaveLength(0);
    expect(logs[1 - leader]!.entries('payout sent')).toHaveLength(0);
    expect(logs[1 - leader]!.entries('ledger leadership taken')).toHaveLength(0);
  }, 90_000);

  it('fails over once the leader, cut off from the database, lets its lease expire; the new leader pays', async () => {
    const leader = leaderIndex((await apps[0]!.store.store.leaseOf(ROLE))!.holder);
    const follower = 1 - leader;
    const survivor = apps[follower]!;
    // The leader loses its database: it can neither renew nor release its lease (as if it had died).
    await apps[leader]!.store.store.close();
    stopped.add(leader);
    const lastLease = (await survivor.store.store.leaseOf(ROLE))!;
    expect(lastLease.holder).toBe(apps[leader]!.ledgers[0]!.holder);
    expect(lastLease.expiresAt - Date.now()).toBeLessThanOrEqual(LEASE_TTL_MS);

    const taken = await until('the follower holding the lease', LEASE_TTL_MS * 10, async () => {
      const l = await survivor.store.store.leaseOf(ROLE);
      return l?.holder === survivor.ledgers[0]!.holder ? l : null;
    });
    expect(taken.acquiredAt).toBeGreaterThanOrEqual(lastLease.expiresAt); // not one moment before the lease expired
    await until('the takeover logged', 5_000, () => logs[follower]!.entries('ledger leadership taken').length === 1);

    // The new leader judges and pays a block found through its own instance, and pays nothing twice.
    const before = await paymentsSent();
    await shares(minerOn[follower]!, 2);
    const block = await findBlock(minerOn[follower]!, survivor);
    await mineBlocks(100);
    const rows = await until('the second payout', 30_000, async () => {
      const all = await paymentsSent();
      return all.length > before.length ? all : null;
    });
    const fresh = rows.filter((r) => !before.some((b) => b.id === r.id));
    expect(new Set(fresh.map((r) => r.txid)).size).toBe(1);
    expect(new Map(fresh.map((r) => [r.address, r.amount]))).toEqual(await expectedPayouts(block));
    expect(logs[follower]!.entries('payout sent')).toHaveLength(1);
    expect(logs[leader]!.entries('payout sent')).toHaveLength(1);
    const sends = await walletSends();
    expect(sends.size).toBe(2);
    expect(sends.get(fresh[0]!.txid!)).toEqual(await expectedPayouts(block));
    // The first payment confirmed meanwhile (its transaction was mined) and stays as it was.
    expect((await survivor.store.store.paymentsByStatus(POOL, ['confirmed'])).map((p) => p.id).sort()).toEqual(before.map((p) => p.id).sort());
  }, 90_000);
});
