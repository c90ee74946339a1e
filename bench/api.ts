/**
 * The dashboard's server side on a busy pool's database: the once-a-minute series rollup, the catch-up after a
 * restart, API latency under concurrent requests, and the live events' fan-out under a share flood.
 *
 *   node bin/run-ts.js bench/api.ts [--shares=200000] [--miners=100] [--seconds=3] [--concurrency=8]
 *       [--clients=200] [--store=sqlite|postgres]
 *
 * Seeds --shares shares over the last 24 h (--miners miners × 4 workers, 40 % of them in the last hour), 200
 * blocks and their credits, on a real SQLite file (WAL, synchronous=FULL) or a throwaway PostgreSQL. Each
 * request phase stops after --seconds or 50 000 requests; the SSE phase runs --seconds with --clients streams.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createApiServer } from '../src/api/server.js';
import { silentLogger } from '../src/log/logger.js';
import { createStore } from '../src/store/index.js';
import type { NewShare, Store } from '../src/store/types.js';
import { startTestPostgres, type TestPostgres } from '../test/helpers/pg.js';
import { makeView } from '../test/api/fixtures.js';
import { numberArg, stringArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { fmt, fmtInt, LoopDelay, summarize } from './support/stats.js';

const shareCount = Math.floor(numberArg('shares', 200_000));
const miners = Math.floor(numberArg('miners', 100));
const seconds = numberArg('seconds', 3);
const concurrency = Math.floor(numberArg('concurrency', 8));
const clients = Math.floor(numberArg('clients', 200));
const storeKind = stringArg('store', ['sqlite', 'postgres'] as const, 'sqlite');
const MAX_REQUESTS = 50_000;
const DAY = 86_400_000;

const address = (i: number): string => `tGXC${String(i).padStart(28, '0')}`;

async function seed(store: Store, now: number): Promise<void> {
  const batch: NewShare[] = [];
  for (let i = 0; i < shareCount; i++) {
    const recent = i % 5 < 2;
    const createdAt = recent ? now - Math.floor(((i * 7919) % 3_600_000) + 1) : now - Math.floor(((i * 104_729) % DAY) + 1);
    batch.push({
      pool: 'asic',
      instanceId: 0,
      address: address(i % miners),
      worker: `w${i % 4}`,
      jobId: 'j',
      height: 1000,
      difficulty: 1024,
      networkDifficulty: 1e9,
      actualDifficulty: 1024 + (i % 997),
      hash: i.toString(16).padStart(64, '0'),
      isBlock: false,
      createdAt,
    });
    if (batch.length === 5000) await store.insertShares(batch.splice(0));
  }
  if (batch.length) await store.insertShares(batch);
  for (let b = 0; b < 200; b++) {
    const id = await store.insertBlock({
      pool: 'asic',
      chain: 'gxc',
      height: 1000 + b,
      hash: (b + 1).toString(16).padStart(64, 'a'),
      prevHash: '00'.repeat(32),
      headerHex: '00'.repeat(80),
      submission: '',
      address: address(b % miners),
      worker: 'w0',
      reward: 5_000_000_000n,
      networkDifficulty: 1e9,
      shareId: Math.floor(((b + 1) * shareCount) / 201),
      createdAt: now - DAY + b * 60_000,
    });
    await store.updateBlock(id, { status: 'confirmed' });
  }
}

function requestLoop(port: number, paths: readonly string[]): Promise<{ latencies: number[]; errors: number; elapsed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const one = (p: string): Promise<void> =>
    new Promise((resolve) => {
      const t = performance.now();
      http
        .get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - t);
            resolve();
          });
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  const worker = async (k: number): Promise<void> => {
    while (performance.now() < deadline && issued < MAX_REQUESTS) {
      issued++;
      await one(paths[(issued + k) % paths.length] as string);
    }
  };
  return Promise.all(Array.from({ length: concurrency }, (_, k) => worker(k))).then(() => {
    agent.destroy();
    return { latencies, errors, elapsed: (performance.now() - started) / 1000 };
  });
}

async function main(): Promise<void> {
  printMachine(`bench/api.ts: ${fmtInt(shareCount)} shares, ${miners} miners, store ${storeKind}`);
  let pg: TestPostgres | undefined;
  let dir: string | undefined;
  let store: Store;
  if (storeKind === 'postgres') {
    pg = await startTestPostgres();
    store = await createStore((await pg.newDatabase()).url);
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-bench-api-'));
    store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
  }
  try {
    await store.migrate();
    const now = Date.now();
    let t = performance.now();
    await seed(store, now);
    console.log(`seeded in ${fmt((performance.now() - t) / 1000, 1)} s`);

    t = performance.now();
    await store.rollupSeries('asic', 60, now - DAY, now, 1e9);
    await store.rollupSeries('asic', 3600, now - 30 * DAY, now, 1e9);
    console.log(`catch-up rollup (24 h of minutes + 30 days of hours): ${fmt(performance.now() - t, 0)} ms`);
    const ticks: number[] = [];
    for (let i = 0; i < 10; i++) {
      t = performance.now();
      await store.rollupSeries('asic', 60, now - 3 * 60_000, now, 1e9);
      await store.rollupHoursFromMinutes('asic', now - 3_600_000, now);
      ticks.push(performance.now() - t);
    }
    const tick = summarize(ticks);
    console.log(
      `per-minute rollup tick (3 minutes from shares + 2 hours from minutes): p50 ${fmt(tick.p50, 1)} ms, max ${fmt(tick.max, 1)} ms (10 runs)`,
    );

    const { view } = makeView('asic', now);
    const app = createApiServer({ view, store, logger: silentLogger, events: { maxClients: clients + 10 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const phases: Array<[string, string[]]> = [
      ['/api/stats', ['/api/stats']],
      ['/api/stats/history?range=24h', ['/api/stats/history?range=24h']],
      ['/api/miners/X/workers', Array.from({ length: 10 }, (_, i) => `/api/miners/${address(i)}/workers`)],
      ['/api/top-miners', ['/api/top-miners']],
      ['/api/blocks?limit=50', ['/api/blocks?limit=50']],
    ];
    for (const [name, paths] of phases) {
      const loop = new LoopDelay();
      loop.start();
      const r = await requestLoop(port, paths);
      const delay = loop.stop();
      const s = summarize(r.latencies);
      console.log(
        `${name.padEnd(32)} ${fmtInt(s.count / r.elapsed).padStart(6)} req/s  p50 ${fmt(s.p50, 1)} ms  p99 ${fmt(s.p99, 1)} ms  ` +
          `errors ${r.errors}  loop delay p99 ${fmt(delay.p99Ms, 1)} ms (concurrency ${concurrency})`,
      );
    }

    // Live events: many streams, a share flood through the counters; count what each client receives.
    const received: number[] = Array.from({ length: clients }, () => 0);
    const requests = Array.from({ length: clients }, (_, i) =>
      http
        .get({ host: '127.0.0.1', port, path: '/api/events' }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (received[i] = (received[i] ?? 0) + (chunk.match(/^event: /gm)?.length ?? 0)));
          res.on('error', () => undefined);
        })
        .on('error', () => undefined),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const base = received.reduce((a, b) => a + b, 0);
    const loop = new LoopDelay();
    loop.start();
    const floodEnd = performance.now() + seconds * 1000;
    let flood = 0;
    while (performance.now() < floodEnd) {
      for (let i = 0; i < 2000; i++) view.counters.accepted++;
      flood += 2000;
      await new Promise((r) => setImmediate(r));
    }
    const delay = loop.stop();
    const perClient = (received.reduce((a, b) => a + b, 0) - base) / clients / seconds;
    console.log(
      `SSE: ${clients} clients, ${fmtInt(flood / seconds)} shares/s counted: ${fmt(perClient, 2)} events/s per client, ` +
        `loop delay p99 ${fmt(delay.p99Ms, 1)} ms`,
    );
    for (const r of requests) r.destroy();
    await app.close();
  } finally {
    await store.close();
    await pg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
