/**
 * The dashboard API over real HTTP on a seeded database, on SQLite and on PostgreSQL: shapes and figures
 * (hashrates from known shares, effort, pagination edges), the pool switch, 400/404 messages, cache headers,
 * CORS, and the OpenAPI document (valid, and listing every route the server has).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { startTestPostgres, type TestPostgres } from '../helpers/pg.js';
import { A, B, NOBODY, makeView, seed, type Seeded } from './fixtures.js';

const H = 2 ** 32;

interface Backend {
  name: string;
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

let pgServer: TestPostgres | undefined;
const backends: Backend[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-api-routes-'));
      const store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
      return { store, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    async open() {
      pgServer ??= await startTestPostgres();
      const db = await pgServer.newDatabase();
      return { store: createPostgresStore(db.url, { maxConnections: 4 }), cleanup: db.drop };
    },
  },
];

afterAll(async () => {
  await pgServer?.stop();
});

describe.each(backends)('API on $name', (backend) => {
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let seeded: Seeded;
  let cleanup: () => Promise<void>;
  const routes: Array<{ method: string; url: string }> = [];
  const now = Date.now();

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    await store.migrate();
    seeded = await seed(store, now);
    const asic = makeView('asic', now);
    const gpu = makeView('gpu', now);
    app = createApiServer({
      view: asic.view,
      pools: () => [gpu.view, asic.view],
      store,
      logger: silentLogger,
      web: { cors: ['http://localhost:5173'] },
    });
    app.addHook('onRoute', (r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      const hidden = (r.schema as { hide?: boolean } | undefined)?.hide === true;
      for (const method of methods) if (method !== 'HEAD' && !hidden && !r.url.startsWith('/api/docs')) routes.push({ method, url: r.url });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    cleanup = async () => {
      await app.close();
      await store.close();
      await opened.cleanup();
    };
  }, 120_000);

  afterAll(async () => {
    await cleanup?.();
  });

  const get = async (p: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + p, { headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> & unknown[] };
  };

  it('lists every pool of the process with its payout terms, and switches pool by ?pool=', async () => {
    const pools = (await get('/api/pools')).body as unknown as Array<Record<string, unknown>>;
    expect(pools.map((p) => p.name)).toEqual(['gpu', 'asic']);
    expect(pools[1]).toMatchObject({
      name: 'asic',
      own: true,
      stratum_url: 'stratum+tcp://127.0.0.1:3335',
      web_port: 6002,
      scheme: 'pplns',
      pplns_window: 2,
      fee_percent: 1,
      min_payout: '0.01',
      maturity: 6,
      starting_difficulty: 16,
    });
    expect((await get('/api/stats?pool=gpu')).body.pool_name).toBe('gpu');
    expect(await get('/api/stats?pool=solo')).toMatchObject({ status: 400, body: { error: "unknown pool 'solo': this process runs gpu, asic" } });
  });

  it('/api/stats: hashrate from the window shares, round effort, last block, no-store', async () => {
    const res = await get('/api/stats');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      pool_name: 'asic',
      shares_in_window: 7,
      miners_in_window: 2,
      workers_in_window: 3,
      blocks_found: 3,
      confirmed_blocks: 1,
    });
    expect(res.body.hashrate).toBeCloseTo((22 * H) / 600, 3);
    // Shares after the last block: A.w2's difficulty 2, over network difficulty 64.
    expect(res.body.round_effort).toBeCloseTo(2 / 64, 9);
    expect(res.body.last_block).toMatchObject({ hash: seeded.blockHashes[2], height: 12, status: 'confirmed' });
  });

  it('/api/stats/history: minute points with the seeded bucket, zeros elsewhere, short max-age', async () => {
    const res = await get('/api/stats/history?range=1h');
    expect(res.headers.get('cache-control')).toBe('public, max-age=15');
    const body = res.body as unknown as { resolution_seconds: number; points: Array<Record<string, number>> };
    expect(body.resolution_seconds).toBe(60);
    expect(body.points.length).toBeGreaterThanOrEqual(59);
    expect(body.points.length).toBeLessThanOrEqual(60);
    const point = body.points.find((p) => p.t === seeded.minute);
    expect(point).toMatchObject({ shares: 7, accepted_difficulty: 22, miners: 2, workers: 3, network_difficulty: 64 });
    expect(point?.hashrate).toBeCloseTo((22 * H) / 60, 3);
    expect(body.points.filter((p) => p.t !== seeded.minute).every((p) => p.shares === 0 && p.hashrate === 0)).toBe(true);
    const month = (await get('/api/stats/history?range=30d')).body as unknown as { resolution_seconds: number; points: unknown[] };
    expect(month.resolution_seconds).toBe(3600);
    expect(month.points.length).toBeGreaterThanOrEqual(719);
    expect(await get('/api/stats/history?range=2y')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/range must be equal to one of the allowed values/) },
    });
  });

  it("a miner's history, workers and page", async () => {
    const history = (await get(`/api/miners/${A}/history?range=24h`)).body as unknown as { points: Array<Record<string, number>> };
    expect(history.points.length).toBeGreaterThanOrEqual(1439);
    expect(history.points.find((p) => p.t === seeded.minute)).toMatchObject({ accepted_difficulty: 14, shares: 4, workers: 2, miners: 1 });
    const w2 = (await get(`/api/miners/${A}/history?range=1h&worker=w2`)).body as unknown as { points: Array<Record<string, number>> };
    expect(w2.points.find((p) => p.t === seeded.minute)).toMatchObject({ accepted_difficulty: 2, shares: 1 });

    const workers = (await get(`/api/miners/${A}/workers`)).body as unknown as Array<Record<string, unknown>>;
    expect(workers.map((w) => w.worker)).toEqual(['w1', 'w2']);
    expect(workers[0]).toMatchObject({
      online: true,
      current_difficulty: 4,
      best_share: 120,
      shares: 4,
      shares_in_window: 3,
      accepted: 3,
      rejected: 1,
      rejected_percent: 25,
      rejected_by_reason: { stale: 1, duplicate: 0, low_difficulty: 0, other: 0 },
      connections: 1,
      user_agent: 'cgminer/4.12',
    });
    expect(workers[0]?.hashrate).toBeCloseTo((12 * H) / 600, 3);
    expect(workers[1]).toMatchObject({ online: true, current_difficulty: null, best_share: 3, connections: 0 });

    const page = await get(`/api/miners/${A}?limit=1`);
    expect(page.body).toMatchObject({ address: A, confirmed: '27.00000000', workers_online: 2 });
    expect(page.body.hashrate).toBeCloseTo((14 * H) / 600, 3);
    expect((page.body.payments as unknown[]).length).toBe(1);
    expect(page.body.rewards).toEqual([expect.objectContaining({ block_id: seeded.blockIds[2], amount: '30.00000000' })]);
    const cursor = page.headers.get('x-next-cursor');
    expect(cursor).toBe(String(seeded.paymentIds[1]));
    const second = await get(`/api/miners/${A}?limit=1&cursor=${cursor}`);
    expect((second.body.payments as Array<Record<string, unknown>>)[0]).toMatchObject({ txid: 'ee'.repeat(32), status: 'sent' });

    expect(await get(`/api/miners/${NOBODY}`)).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/^no miner tGXCc+ in the asic pool/) },
    });
    expect(await get(`/api/miners/${NOBODY}/workers`)).toMatchObject({ status: 404 });
    expect(await get('/api/miners/bogus/workers')).toMatchObject({
      status: 400,
      body: { error: 'not a valid address: expected tGXC and 22-58 letters or digits' },
    });
  });

  it('top miners and the seed miner list are ranked and paginated', async () => {
    const first = await get('/api/top-miners?limit=1');
    expect(first.body).toEqual([expect.objectContaining({ rank: 1, address: A, shares_in_window: 4, workers: 2 })]);
    expect((first.body[0] as { hashrate: number }).hashrate).toBeCloseTo((14 * H) / 600, 3);
    expect(first.headers.get('x-next-cursor')).toBe('1');
    const second = await get('/api/top-miners?limit=1&cursor=1');
    expect(second.body).toEqual([expect.objectContaining({ rank: 2, address: B })]);
    expect(second.headers.get('x-next-cursor')).toBeNull();
    const miners = await get('/api/miners?limit=1');
    expect(miners.body).toHaveLength(1);
    expect(miners.headers.get('x-next-cursor')).toBe('1');
    expect(await get('/api/miners?limit=1001')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/limit must be <= 1000/) } });
    expect(await get('/api/top-miners?cursor=-1')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/cursor must match pattern/) },
    });
  });

  it('blocks: pages by cursor to the end, effort per round, one block by hash with its reward split', async () => {
    const first = await get('/api/blocks?limit=2');
    expect((first.body as unknown as Array<{ height: number }>).map((b) => b.height)).toEqual([12, 11]);
    const efforts = (first.body as unknown as Array<{ effort: number }>).map((b) => b.effort);
    expect(efforts[0]).toBeCloseTo(12 / 64, 9);
    expect(efforts[1]).toBeCloseTo(4 / 64, 9);
    const cursor = first.headers.get('x-next-cursor');
    expect(cursor).toBe(String(seeded.blockIds[1]));
    const last = await get(`/api/blocks?limit=2&cursor=${cursor}`);
    expect(last.body).toEqual([expect.objectContaining({ height: 10, effort: (100 + 4) / 64 })]);
    expect(last.headers.get('x-next-cursor')).toBeNull();
    expect((await get(`/api/blocks?before=${seeded.blockIds[0]}`)).body).toEqual([]);

    const detail = await get(`/api/blocks/${seeded.blockHashes[2]}`);
    expect(detail.body).toMatchObject({ credit_state: 'credited', block: { height: 12, status: 'confirmed', miner: `${B}.rig` } });
    expect(detail.body.rewards).toEqual([
      expect.objectContaining({ address: A, amount: '30.00000000', share_count: 1 }),
      expect.objectContaining({ address: B, amount: '19.50000000', share_difficulty_sum: 8 }),
    ]);
    expect((await get(`/api/blocks/${seeded.blockIds[0]}`)).body).toMatchObject({ block: { height: 10 }, rewards: [] });
    expect(await get(`/api/blocks/${'f'.repeat(64)}`)).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/^no block f+ in the asic pool$/) },
    });
    expect(await get(`/api/blocks/${seeded.blockHashes[2]}?pool=gpu`)).toMatchObject({ status: 404 });
    expect(await get('/api/blocks/xyz')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/hash must match pattern/) } });
    expect((await get(`/api/blocks/${seeded.blockIds[2]}/rewards`)).body).toMatchObject({ block: { credit_state: 'credited' } });
  });

  it('payments and balances paginate; the network answer carries the node figures', async () => {
    const payments = await get('/api/payments?limit=1');
    expect(payments.body).toEqual([expect.objectContaining({ id: seeded.paymentIds[1], status: 'pending' })]);
    const next = await get(`/api/payments?limit=1&cursor=${payments.headers.get('x-next-cursor')}`);
    expect(next.body).toEqual([expect.objectContaining({ id: seeded.paymentIds[0], status: 'sent' })]);
    expect(await get('/api/payments?status=lost')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/unknown payment status 'lost'/) },
    });
    const balances = await get('/api/balances?limit=1');
    expect(balances.body).toHaveLength(1);
    expect(balances.headers.get('x-next-cursor')).toBe('1');

    const net = (await get('/api/network')).body;
    expect(net).toMatchObject({
      pool: 'asic',
      node_reachable: true,
      node: 'devnet (gxc)',
      dialect: 'gxc',
      height: 13,
      network_difficulty: 64,
      block_interval_seconds: 30,
    });
    expect(net.network_hashrate).toBeCloseTo((64 * H) / 30, 3);
    expect(net.last_template_age_seconds as number).toBeGreaterThanOrEqual(2);
  });

  it('CORS only for the configured origins, with the cursor header exposed', async () => {
    const allowed = await fetch(`${base}/api/stats`, { headers: { origin: 'http://localhost:5173' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/x-next-cursor/i);
    const other = await fetch(`${base}/api/stats`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the OpenAPI document validates and lists every route; /api/docs is served locally', async () => {
    const doc = (await get('/api/openapi.json')).body as unknown as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const served = routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual([...new Set(served)].sort());
    for (const p of ['/api/pools', '/api/stats/history', '/api/miners/{address}/workers', '/api/blocks/{hash}', '/api/events', '/api/top-miners']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const page = await fetch(`${base}/api/docs/static/index.html`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/swagger-ui/i);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });
});

describe('admin routes without web.adminToken', () => {
  it('do not exist', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-api-noadmin-'));
    const store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
    await store.migrate();
    const app = createApiServer({ view: makeView('asic', Date.now()).view, store, logger: silentLogger });
    try {
      for (const [method, url] of [
        ['GET', '/api/admin/sessions'],
        ['POST', '/api/admin/sessions/s1/kick'],
        ['GET', '/api/admin/rejects'],
        ['GET', '/api/admin/bans'],
        ['POST', '/api/admin/bans'],
        ['DELETE', '/api/admin/bans/1.2.3.4'],
        ['GET', '/api/admin/payouts/plan'],
        ['POST', '/api/admin/payouts'],
        ['GET', '/api/admin/node-errors'],
      ] as const) {
        const res = await app.inject({ method, url, headers: { authorization: 'Bearer whatever-token-123' } });
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
      const doc = (await app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin'))).toEqual([]);
    } finally {
      await app.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
