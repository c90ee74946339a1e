/** Each pool's JSON API over real HTTP, on a real SQLite store: seed fields, balances, payments, block rewards, 4xx. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type PoolView } from '../../src/api/server.js';
import { silentLogger } from '../../src/log/logger.js';
import { createStore } from '../../src/store/index.js';
import type { NewBlock, Store } from '../../src/store/types.js';

const A = 'tGXCaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'tGXCbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('pool API', () => {
  let dir: string;
  let store: Store;
  let base: string;
  let close: () => Promise<void>;
  let blockId: number;
  let refreshed = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-api-'));
    store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
    await store.migrate();
    const now = Date.now();
    const ids = await store.insertShares(
      [A, A, B].map((address, i) => ({
        pool: 'asic',
        instanceId: 0,
        address,
        worker: 'w',
        jobId: '1',
        height: 5,
        difficulty: 2,
        networkDifficulty: 10,
        actualDifficulty: 3,
        hash: `${i}`.padStart(64, '0'),
        isBlock: i === 2,
        createdAt: now,
      })),
    );
    const block: NewBlock = {
      pool: 'asic',
      chain: 'gxc',
      height: 5,
      hash: 'ab'.repeat(32),
      prevHash: 'cd'.repeat(32),
      headerHex: '00'.repeat(80),
      submission: '',
      address: B,
      worker: 'w',
      reward: 5_000_000_000n,
      networkDifficulty: 10,
      shareId: ids[2]!,
      createdAt: now,
    };
    blockId = await store.insertBlock(block);
    await store.updateBlock(blockId, { status: 'pending' });
    await store.creditBlock({
      blockId,
      credits: [
        { address: A, amount: 3_300_000_000n, shareDifficultySum: 4, shareCount: 2 },
        { address: B, amount: 1_650_000_000n, shareDifficultySum: 2, shareCount: 1 },
      ],
      fees: [{ address: B, amount: 50_000_000n }],
      status: 'confirmed',
    });
    const [payment] = await store.createPayments('asic', [{ address: A, amount: 1_000_000_000n }]);
    await store.markPaymentsSent([payment!.id], 'ee'.repeat(32));

    const view: PoolView = {
      name: 'asic',
      algorithms: ['sha256d'],
      chain: 'gxc',
      coinSymbol: 'GXC',
      stratumPort: 3335,
      counters: { accepted: 3, rejected: 1, stale: 1, duplicate: 0, lowDifficulty: 0, blocksFound: 1, blocksRejected: 0 },
      minerCounters: () => [{ address: A, accepted: 2, rejected: 1, lastShareAt: now, workers: 1 }],
      connectedSessions: () => [{ address: A, worker: 'w', difficulty: 2, connectedAt: now - 1000, remote: '127.0.0.1' }],
      startingDifficulty: 1024,
      currentJob: () => ({ id: '00000007', height: 6, networkDifficulty: 10, prevHash: 'ab'.repeat(32) }),
      nodeError: () => null,
      validateAddress: (a) => (/^tGXC[0-9A-Za-z]{22,58}$/.test(a) ? null : 'expected tGXC and 22-58 letters or digits'),
      refreshWork: async () => void refreshed++,
    };
    const app = createApiServer({ view, store, logger: silentLogger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    close = async () => {
      await app.close();
      await store.close();
    };
  });

  afterAll(async () => {
    await close?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = async (p: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(base + p);
    return { status: res.status, body: await res.json() };
  };

  it('/api/stats carries the seed fields and the store figures', async () => {
    const { body } = await get('/api/stats');
    expect(body).toMatchObject({
      pool_name: 'asic',
      algorithm: 'sha256d',
      active_miners: 1,
      total_shares: 4,
      accepted_shares: 3,
      rejected_shares: 1,
      blocks_found: 1,
      confirmed_blocks: 1,
      difficulty: 10,
      current_job: '00000007',
      height: 6,
      shares_in_window: 3,
    });
    // 6 difficulty-units of shares over 600 s.
    expect((body as { hashrate: number }).hashrate).toBeCloseTo((6 * 2 ** 32) / 600, 3);
  });

  it('/api/miners and /api/blocks use the seed names', async () => {
    const miners = (await get('/api/miners')).body as Array<Record<string, unknown>>;
    expect(miners.find((m) => m.address === A)).toMatchObject({
      username: A,
      accepted_shares: 2,
      rejected_shares: 1,
      total_shares: 3,
      connections: 1,
    });
    const blocks = (await get('/api/blocks')).body as Array<Record<string, unknown>>;
    expect(blocks[0]).toMatchObject({ hash: 'ab'.repeat(32), number: 5, miner: `${B}.w`, confirmed: true, reward: 50, status: 'confirmed' });
  });

  it('balances, a miner page with its payments and txid, and who earned what in a block', async () => {
    const balances = (await get('/api/balances')).body as Array<Record<string, string>>;
    expect(balances.find((b) => b.address === A)).toMatchObject({ confirmed: '23.00000000', immature: '0.00000000' });
    expect(balances.find((b) => b.address === B)).toMatchObject({ confirmed: '17.00000000' });
    const miner = (await get(`/api/miners/${A}`)).body as { payments: Array<Record<string, unknown>>; confirmed: string };
    expect(miner.confirmed).toBe('23.00000000');
    expect(miner.payments[0]).toMatchObject({ amount: '10.00000000', status: 'sent', txid: 'ee'.repeat(32) });
    const payments = (await get('/api/payments?status=sent')).body as unknown[];
    expect(payments).toHaveLength(1);
    const rewards = (await get(`/api/blocks/${blockId}/rewards`)).body as { rewards: Array<Record<string, unknown>>; share_difficulty_unit: string };
    expect(rewards.share_difficulty_unit).toMatch(/DIFF1_TARGET \/ share target/);
    expect(rewards.rewards).toEqual([
      // Difficulty 4 in the shared unit: 4 x 2^256 / DIFF1_TARGET = 4 x 2^48 / 65535 hashes.
      expect.objectContaining({
        address: A,
        amount: '33.00000000',
        share_difficulty_sum: 4,
        expected_hashes: Math.round((4 * 2 ** 48) / 65535),
        share_count: 2,
      }),
      expect.objectContaining({ address: B, amount: '16.50000000', share_count: 1 }),
    ]);
  });

  it('/metrics exposes the pool counters to Prometheus', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('gxc_pool_shares_total{result="accepted",pool="asic"} 3');
    expect(text).toContain('gxc_pool_shares_total{result="stale",pool="asic"} 1');
    expect(text).toContain('gxc_pool_blocks_total{outcome="accepted",pool="asic"} 1');
    expect(text).toContain('gxc_pool_connections{pool="asic"} 1');
    expect(text).toContain('gxc_pool_node_up{pool="asic"} 1');
    expect(text).toContain('gxc_pool_height{pool="asic"} 6');
  });

  it('answers bad requests with 4xx and a message', async () => {
    expect(await get('/api/payments?status=lost')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/unknown payment status 'lost'/) },
    });
    expect(await get('/api/miners/bogus')).toMatchObject({
      status: 400,
      body: { error: 'not a valid address: expected tGXC and 22-58 letters or digits' },
    });
    expect(await get('/api/blocks/abc/rewards')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/positive integer/) } });
    expect(await get('/api/blocks/999/rewards')).toMatchObject({ status: 404 });
    expect(await get('/api/blocks?limit=0')).toMatchObject({ status: 400 });
    expect(await get('/api/nope')).toMatchObject({ status: 404, body: { error: 'no such endpoint: GET /api/nope' } });
    const res = await fetch(`${base}/api/blocknotify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad json' });
    expect(res.status).toBe(400);
    const ok = await fetch(`${base}/api/blocknotify`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(refreshed).toBe(1);
  });
});
