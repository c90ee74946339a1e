/**
 * Live updates for the dashboard (Server-Sent Events, `GET /api/events?pool=NAME[&miner=ADDRESS]`). Nothing is
 * sent per share: once a tick the hub turns the pool's counters into one `share-summary`, and every few ticks it
 * sends `stats`, the `block` changes it sees in the store (so blocks found by other instances show too) and, to
 * clients that named a miner, a `miner` event. So a client gets at most ~2 events a second whatever the share
 * rate. A client that cannot keep up is skipped (the next aggregate supersedes what it missed); the number of
 * clients is bounded; a comment line every 15 s keeps proxies from closing idle streams. Browsers' EventSource
 * reconnects by itself (the `retry:` line sets its delay).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { LedgerBlockRow } from '../store/types.js';
import { blockJson, currentRoundEffort } from './block-routes.js';
import type { ApiContext } from './params.js';
import { HASHRATE_WINDOW_MS, type PoolView, hashrate } from './view.js';

export interface EventHubOptions {
  ctx: ApiContext;
  logger: Logger;
  /** Most clients at once per web port (default 256); past it new streams get 503. */
  maxClients?: number;
  /** share-summary period (default 1000 ms). */
  tickMs?: number;
  /** stats / block / miner events every this many ticks (default 5). */
  slowEvery?: number;
  heartbeatMs?: number;
}

interface Client {
  res: ServerResponse;
  pool: string;
  miner: string | null;
  sent: number;
  skipped: number;
}

interface PoolState {
  accepted: number;
  rejected: number;
  acceptedDifficulty: number;
  at: number;
  blocks: Map<number, string> | null;
}

export class EventHub {
  private readonly clients = new Set<Client>();
  private readonly state = new Map<string, PoolState>();
  private readonly timer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private ticks = 0;
  private busy = false;
  readonly maxClients: number;

  constructor(private readonly opts: EventHubOptions) {
    this.maxClients = opts.maxClients ?? 256;
    this.timer = setInterval(() => void this.tick(), opts.tickMs ?? 1000);
    this.timer.unref();
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.write(c, ': ping\n\n');
    }, opts.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes the request over as an event stream (the caller checked the pool and the client bound). */
  attach(reply: FastifyReply, view: PoolView, miner: string | null): void {
    const res = reply.raw;
    reply.hijack();
    // Headers set by hooks (CORS) are on the reply object, not yet on the raw response.
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const client: Client = { res, pool: view.name, miner, sent: 0, skipped: 0 };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    this.write(client, 'retry: 3000\n\n');
    void this.statsOf(view).then(
      (stats) => this.send(client, 'stats', stats),
      () => undefined,
    );
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private write(c: Client, text: string): void {
    if (c.res.writableEnded || c.res.destroyed) return;
    // A slow reader is skipped rather than buffered without bound.
    if (c.res.writableNeedDrain) {
      c.skipped++;
      return;
    }
    c.res.write(text);
  }

  private send(c: Client, event: string, data: unknown): void {
    c.sent++;
    this.write(c, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcast(pool: string, event: string, data: unknown): void {
    for (const c of this.clients) if (c.pool === pool) this.send(c, event, data);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.clients.size === 0) return;
    this.busy = true;
    this.ticks++;
    const slow = this.ticks % (this.opts.slowEvery ?? 5) === 0;
    try {
      const pools = new Set([...this.clients].map((c) => c.pool));
      for (const name of pools) {
        const view = this.opts.ctx.pools().find((p) => p.name === name);
        if (!view) continue;
        this.shareSummary(view);
        if (slow) {
          this.broadcast(name, 'stats', await this.statsOf(view));
          await this.blockChanges(view);
          await this.minerEvents(view);
        }
      }
    } catch (err) {
      this.opts.logger.warn({ event: 'live_events_failed', err: err instanceof Error ? err.message : String(err) }, 'live events tick failed');
    } finally {
      this.busy = false;
    }
  }

  private shareSummary(view: PoolView): void {
    const now = Date.now();
    const c = view.counters;
    const difficulty = view.acceptedDifficultyTotal?.() ?? 0;
    const prev = this.state.get(view.name);
    if (!prev) {
      this.state.set(view.name, { accepted: c.accepted, rejected: c.rejected, acceptedDifficulty: difficulty, at: now, blocks: null });
      return;
    }
    const accepted = c.accepted - prev.accepted;
    const rejected = c.rejected - prev.rejected;
    const acceptedDifficulty = difficulty - prev.acceptedDifficulty;
    const intervalMs = now - prev.at;
    Object.assign(prev, { accepted: c.accepted, rejected: c.rejected, acceptedDifficulty: difficulty, at: now });
    if (accepted === 0 && rejected === 0) return;
    this.broadcast(view.name, 'share-summary', {
      pool: view.name,
      t: now,
      interval_ms: intervalMs,
      accepted,
      rejected,
      accepted_difficulty: acceptedDifficulty,
      accepted_total: c.accepted,
      rejected_total: c.rejected,
    });
  }

  private async statsOf(view: PoolView): Promise<Record<string, unknown>> {
    const { store } = this.opts.ctx;
    const job = view.currentJob();
    const [stats, effort] = await Promise.all([
      store.poolStats(view.name, Date.now() - HASHRATE_WINDOW_MS),
      currentRoundEffort(store, view.name, job?.networkDifficulty ?? null),
    ]);
    const sessions = view.connectedSessions();
    return {
      pool: view.name,
      t: Date.now(),
      hashrate: hashrate(stats.shareDifficultySum, HASHRATE_WINDOW_MS),
      miners_in_window: stats.miners,
      workers_in_window: stats.workers,
      connections: sessions.length,
      active_miners: new Set(sessions.filter((s) => s.address).map((s) => s.address)).size,
      accepted_shares: view.counters.accepted,
      rejected_shares: view.counters.rejected,
      height: job?.height ?? null,
      network_difficulty: job?.networkDifficulty ?? null,
      node_ok: view.nodeError() === null,
      round_effort: effort,
    };
  }

  /** Blocks that are new or changed status/confirmations since the last look (at most 20 newest are watched). */
  private async blockChanges(view: PoolView): Promise<void> {
    const state = this.state.get(view.name);
    if (!state) return;
    const blocks = await this.opts.ctx.store.recentBlocks(view.name, 20);
    const key = (b: LedgerBlockRow): string => `${b.status}:${b.confirmations}:${b.hash}`;
    const known = state.blocks;
    state.blocks = new Map(blocks.map((b) => [b.id, key(b)]));
    if (known === null) return;
    for (const b of blocks.filter((x) => known.get(x.id) !== key(x)).reverse()) {
      this.broadcast(view.name, 'block', { pool: view.name, change: known.has(b.id) ? 'updated' : 'new', block: blockJson(b, null) });
    }
  }

  private async minerEvents(view: PoolView): Promise<void> {
    const miners = new Set([...this.clients].filter((c) => c.pool === view.name && c.miner !== null).map((c) => c.miner as string));
    const now = Date.now();
    for (const address of miners) {
      const stored = await this.opts.ctx.store.workerSummaries(view.name, address, {
        since: now - HASHRATE_WINDOW_MS,
        hashrateSince: now - HASHRATE_WINDOW_MS,
        limit: 1000,
      });
      const live = view.workers?.(address) ?? [];
      const sessions = view.connectedSessions().filter((s) => s.address === address);
      const data = {
        pool: view.name,
        address,
        t: now,
        hashrate: hashrate(
          stored.reduce((s, w) => s + w.shareDifficultySum, 0),
          HASHRATE_WINDOW_MS,
        ),
        workers: [...new Set([...stored.map((w) => w.worker), ...live.map((w) => w.worker)])].sort().map((worker) => {
          const s = stored.find((w) => w.worker === worker);
          const l = live.find((w) => w.worker === worker);
          const own = sessions.filter((x) => x.worker === worker);
          return {
            worker,
            online: own.length > 0 || (s?.lastShareAt ?? 0) >= now - HASHRATE_WINDOW_MS,
            hashrate: hashrate(s?.shareDifficultySum ?? 0, HASHRATE_WINDOW_MS),
            current_difficulty: own.length ? Math.max(...own.map((x) => x.difficulty)) : null,
            best_share: Math.max(s?.bestShareDifficulty ?? 0, l?.bestShareDifficulty ?? 0),
            accepted: l?.accepted ?? 0,
            rejected: l?.rejected ?? 0,
            last_share: Math.max(s?.lastShareAt ?? 0, l?.lastShareAt ?? 0) || null,
          };
        }),
      };
      for (const c of this.clients) if (c.pool === view.name && c.miner === address) this.send(c, 'miner', data);
    }
  }
}
