/**
 * Live events (SSE): one share-summary per tick however many shares arrive (the aggregation bound), totals that
 * add up, block events from the store, miner events, heartbeats, the client bound and bad parameters.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/server.js';
import { silentLogger } from '../../src/log/logger.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { A, makeView, type ViewHandles } from './fixtures.js';

const TICK_MS = 100;

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

/** Opens an event stream and collects what arrives until close(). */
function listen(
  url: string,
): Promise<{ events: SseEvent[]; comments: string[]; retries: string[]; status: number; headers: http.IncomingHttpHeaders; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const retries: string[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const name = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (name && data) events.push({ event: name, data: JSON.parse(data) as Record<string, unknown>, at: Date.now() });
          for (const l of lines) if (l.startsWith(':')) comments.push(l);
          for (const l of lines) if (l.startsWith('retry: ')) retries.push(l);
          end = buffer.indexOf('\n\n');
        }
      });
      resolve({ events, comments, retries, status: res.statusCode ?? 0, headers: res.headers, close: () => req.destroy() });
    });
    req.on('error', (err) => (err.message.includes('socket hang up') ? undefined : reject(err)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('live events', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  let asic: ViewHandles;
  let difficultyTotal = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-api-events-'));
    store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
    await store.migrate();
    asic = makeView('asic', Date.now());
    asic.view.acceptedDifficultyTotal = () => difficultyTotal;
    app = createApiServer({
      view: asic.view,
      store,
      logger: silentLogger,
      events: { tickMs: TICK_MS, slowEvery: 3, heartbeatMs: 300, maxClients: 3 },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('aggregates any share rate into at most one share-summary per tick, with exact totals', async () => {
    const stream = await listen(`${base}/api/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');
    await waitFor(() => stream.events.some((e) => e.event === 'stats'), 10_000);
    // EventSource reconnects by itself after this delay.
    expect(stream.retries).toEqual(['retry: 3000']);
    // Let the hub take its baseline of the counters before the flood.
    await sleep(3 * TICK_MS);
    const counters = asic.view.counters;
    const startAccepted = counters.accepted;
    const started = Date.now();
    let sent = 0;
    // 30 000 shares in bursts over ~1.5 s: far more than one per tick.
    for (let burst = 0; burst < 30 && Date.now() - started < 20_000; burst++) {
      for (let i = 0; i < 1000; i++) {
        counters.accepted++;
        difficultyTotal += 2;
        sent++;
      }
      counters.rejected++;
      await sleep(50);
    }
    const elapsed = Date.now() - started;
    await waitFor(() => {
      const summaries = stream.events.filter((e) => e.event === 'share-summary');
      return summaries.at(-1)?.data.accepted_total === startAccepted + sent;
    }, 10_000);
    const summaries = stream.events.filter((e) => e.event === 'share-summary');
    stream.close();
    expect(summaries.reduce((s, e) => s + (e.data.accepted as number), 0)).toBe(sent);
    expect(summaries.reduce((s, e) => s + (e.data.rejected as number), 0)).toBe(30);
    expect(summaries.reduce((s, e) => s + (e.data.accepted_difficulty as number), 0)).toBe(2 * sent);
    // One per tick at most (plus slack for the wait after the flood), never one per share.
    expect(summaries.length).toBeLessThanOrEqual(Math.ceil((elapsed + 2_000) / TICK_MS) + 2);
    expect(summaries.length).toBeGreaterThan(1);
    const all = stream.events.filter((e) => e.at >= started && e.at <= started + elapsed);
    const perSecond = all.length / Math.max(1, elapsed / 1000);
    expect(perSecond).toBeLessThan(2 * (1000 / TICK_MS));
  }, 60_000);

  it('sends block events for new blocks and status changes, miner events, and heartbeats', async () => {
    const stream = await listen(`${base}/api/events?miner=${A}`);
    await waitFor(() => stream.events.some((e) => e.event === 'miner'), 10_000);
    const miner = stream.events.find((e) => e.event === 'miner');
    expect(miner?.data).toMatchObject({
      address: A,
      workers: [expect.objectContaining({ worker: 'w1', online: true, best_share: 41, current_difficulty: 4 })],
    });
    // The hub has seen the (empty) block list by now; a new block then shows as 'new'.
    await sleep(4 * 3 * TICK_MS);
    const id = await store.insertBlock({
      pool: 'asic',
      chain: 'gxc',
      height: 20,
      hash: '77'.repeat(32),
      prevHash: '66'.repeat(32),
      headerHex: '00'.repeat(80),
      submission: '',
      address: A,
      worker: 'w1',
      reward: 1n,
      networkDifficulty: 64,
      shareId: null,
      createdAt: Date.now(),
    });
    await waitFor(() => stream.events.some((e) => e.event === 'block'), 10_000);
    await store.updateBlock(id, { status: 'pending' });
    await waitFor(() => stream.events.filter((e) => e.event === 'block').length >= 2, 10_000);
    const blocks = stream.events
      .filter((e) => e.event === 'block')
      .map((e) => e.data as { change: string; block: { status: string; height: number } });
    expect(blocks.slice(0, 2)).toEqual([
      expect.objectContaining({ change: 'new', block: expect.objectContaining({ height: 20, status: 'candidate' }) }),
      expect.objectContaining({ change: 'updated', block: expect.objectContaining({ status: 'pending' }) }),
    ]);
    await waitFor(() => stream.comments.includes(': ping'), 10_000);
    stream.close();
  }, 60_000);

  it('bounds the clients and refuses bad parameters', async () => {
    const streams = await Promise.all([0, 1, 2].map(() => listen(`${base}/api/events`)));
    await waitFor(() => streams.every((s) => s.events.length > 0), 10_000);
    const res = await fetch(`${base}/api/events`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'too many live clients (3); retry later' });
    for (const s of streams) s.close();
    expect((await fetch(`${base}/api/events?miner=bogus`)).status).toBe(400);
    expect((await fetch(`${base}/api/events?pool=nope`)).status).toBe(400);
  }, 30_000);
});
