/**
 * Each pool's web port: the JSON API (the seed's /api/stats, /api/miners, /api/blocks with its field names,
 * plus the figures a serious pool shows), the blocknotify hook, and the dashboard's static files (src/web).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { BlockRow, Store } from '../store/types.js';
import { registerLedgerRoutes } from './ledger-routes.js';
import { registerMetricsRoute } from './metrics.js';
import { registerWebRoutes } from '../web/serve.js';

/** What the API reads from a running pool; kept narrow so the API can be tested on its own. */
export interface PoolView {
  name: string;
  algorithms: string[];
  chain: string;
  coinSymbol: string;
  stratumPort: number;
  counters: {
    accepted: number;
    rejected: number;
    stale: number;
    duplicate: number;
    lowDifficulty: number;
    blocksFound: number;
    blocksRejected: number;
    blocksUncertain?: number;
  };
  /** Per miner address, since this process started. */
  minerCounters(): Array<{ address: string; accepted: number; rejected: number; lastShareAt: number; workers: number }>;
  connectedSessions(): Array<{ address: string | null; worker: string | null; difficulty: number; connectedAt: number; remote: string }>;
  startingDifficulty: number;
  currentJob(): { id: string; height: number; networkDifficulty: number; prevHash: string } | null;
  nodeError(): string | null;
  /** Null when the address is valid for the chain, else the reason. */
  validateAddress(address: string): string | null;
  /** Triggers an immediate template refresh (blocknotify). */
  refreshWork(reason: string): Promise<void>;
}

/** Hashrate estimation window. */
export const HASHRATE_WINDOW_MS = 10 * 60 * 1000;

export function hashrate(shareDifficultySum: number, windowMs: number): number {
  return (shareDifficultySum * 2 ** 32) / (windowMs / 1000);
}

function blockJson(b: BlockRow, coinDecimals = 8): Record<string, unknown> {
  return {
    // Seed field names first.
    hash: b.hash,
    number: b.height,
    miner: `${b.address}.${b.worker}`,
    found_at: new Date(b.createdAt).toISOString(),
    confirmed: b.status === 'confirmed',
    reward: Number(b.reward) / 10 ** coinDecimals,
    // Then the full picture.
    id: b.id,
    height: b.height,
    address: b.address,
    worker: b.worker,
    status: b.status,
    reason: b.reason,
    confirmations: b.confirmations,
    reward_units: b.reward.toString(),
    network_difficulty: b.networkDifficulty,
    prev_hash: b.prevHash,
    header_hex: b.headerHex,
    chain: b.chain,
  };
}

export interface ApiServerOptions {
  view: PoolView;
  store: Store;
  logger: Logger;
}

export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const { view, store } = opts;
  const app = Fastify({
    // Request lines stay out of the log (one line per pool event, not per HTTP hit); errors still show.
    loggerInstance: opts.logger.child({ component: 'api' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
  });

  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) opts.logger.error({ event: 'api_error', err: err.message }, 'API request failed');
    void reply.status(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` });
  });

  app.get('/api/stats', async () => {
    const since = Date.now() - HASHRATE_WINDOW_MS;
    const [stats, blocks] = await Promise.all([store.poolStats(view.name, since), store.recentBlocks(view.name, 1000)]);
    const job = view.currentJob();
    const c = view.counters;
    const sessions = view.connectedSessions();
    return {
      // The seed's fields.
      pool_name: view.name,
      algorithm: view.algorithms.join(','),
      active_miners: new Set(sessions.filter((s) => s.address).map((s) => s.address)).size,
      total_shares: c.accepted + c.rejected,
      accepted_shares: c.accepted,
      rejected_shares: c.rejected,
      blocks_found: blocks.filter((b) => b.status !== 'candidate' && b.status !== 'rejected').length,
      confirmed_blocks: blocks.filter((b) => b.status === 'confirmed').length,
      // What miners actually start at: the preset, capped at the network difficulty.
      difficulty: job ? Math.min(view.startingDifficulty, job.networkDifficulty) : view.startingDifficulty,
      current_job: job?.id ?? null,
      // Beyond the seed.
      chain: view.chain,
      coin: view.coinSymbol,
      stratum_port: view.stratumPort,
      connections: sessions.length,
      hashrate: hashrate(stats.shareDifficultySum, HASHRATE_WINDOW_MS),
      hashrate_window_seconds: HASHRATE_WINDOW_MS / 1000,
      shares_in_window: stats.shareCount,
      miners_in_window: stats.miners,
      workers_in_window: stats.workers,
      rejected_by_reason: { stale: c.stale, duplicate: c.duplicate, low_difficulty: c.lowDifficulty },
      blocks_rejected_by_node: blocks.filter((b) => b.status === 'rejected').length,
      // Submitted without a verdict yet (answer lost, or held but not the tip): the chain decides.
      blocks_awaiting_verdict: blocks.filter((b) => b.status === 'candidate').length,
      height: job?.height ?? null,
      network_difficulty: job?.networkDifficulty ?? null,
      node_ok: view.nodeError() === null,
      node_error: view.nodeError(),
    };
  });

  app.get('/api/miners', async () => {
    const since = Date.now() - HASHRATE_WINDOW_MS;
    const summaries = await store.minerSummaries(view.name, since, 500);
    const counters = new Map(view.minerCounters().map((m) => [m.address, m]));
    const sessions = view.connectedSessions();
    const addresses = new Set([...summaries.map((s) => s.address), ...counters.keys()]);
    return [...addresses].map((address) => {
      const s = summaries.find((x) => x.address === address);
      const c = counters.get(address);
      const own = sessions.filter((x) => x.address === address);
      return {
        id: address,
        username: address,
        address,
        total_shares: (c?.accepted ?? 0) + (c?.rejected ?? 0),
        accepted_shares: c?.accepted ?? 0,
        rejected_shares: c?.rejected ?? 0,
        hash_rate: hashrate(s?.shareDifficultySum ?? 0, HASHRATE_WINDOW_MS),
        connected_at: own.length ? new Date(Math.min(...own.map((x) => x.connectedAt))).toISOString() : null,
        last_seen: new Date(Math.max(s?.lastShareAt ?? 0, c?.lastShareAt ?? 0)).toISOString(),
        workers: Math.max(s?.workers ?? 0, c?.workers ?? 0, own.length),
        connections: own.length,
        shares_in_window: s?.shareCount ?? 0,
      };
    });
  });

  app.get<{ Querystring: { limit?: string } }>('/api/blocks', async (req, reply) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return reply.status(400).send({ error: `limit must be an integer 1..1000, got ${JSON.stringify(req.query.limit)}` });
    }
    const blocks = await store.recentBlocks(view.name, limit);
    return blocks.map((b) => blockJson(b));
  });

  registerLedgerRoutes(app, { pool: view.name, store, validateAddress: (a) => view.validateAddress(a) });
  registerMetricsRoute(app, view);

  app.get('/api/health', async () => ({
    ok: view.nodeError() === null && view.currentJob() !== null,
    node_error: view.nodeError(),
    has_work: view.currentJob() !== null,
  }));

  app.post('/api/blocknotify', async () => {
    await view.refreshWork('blocknotify');
    const job = view.currentJob();
    return { ok: view.nodeError() === null, height: job?.height ?? null, node_error: view.nodeError() };
  });

  // The dashboard: the whole site for every pool of this process (src/web).
  registerWebRoutes(app);

  return app;
}
