/** Pool-level answers: the seed's /api/stats, every pool of the process, the node/network, health, blocknotify. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentRoundEffort } from './block-routes.js';
import { type ApiContext, POOL_PARAM, selectPool } from './params.js';
import { arr, bool, errorResponses, int, networkSchema, nullable, obj, poolSchema, statsSchema, str } from './schemas.js';
import { HASHRATE_WINDOW_MS, type PoolView, hashrate, windowStats } from './view.js';

const poolQuery = { type: 'object', properties: { pool: POOL_PARAM } } as const;
type PoolQuery = { Querystring: { pool?: string } };

/** The host name the browser used (without port), for stratum URLs a miner can paste. */
function requestHost(req: FastifyRequest): string {
  const host = req.hostname.replace(/:\d+$/, '');
  return host === '' ? '127.0.0.1' : host;
}

export function poolJson(view: PoolView, host: string, own: boolean): Record<string, unknown> {
  const p = view.payout;
  return {
    name: view.name,
    algorithms: view.algorithms,
    chain: view.chain,
    coin: view.coinSymbol,
    stratum_port: view.stratumPort,
    stratum_url: `stratum+tcp://${host}:${view.stratumPort}`,
    web_port: view.webPort ?? null,
    fee_percent: p?.feePercent ?? null,
    scheme: p?.scheme ?? null,
    pplns_window: p?.scheme === 'pplns' ? p.pplnsWindow : null,
    min_payout: p?.minPayout ?? null,
    maturity: p?.maturity ?? null,
    payout_interval_seconds: p?.intervalSeconds ?? null,
    starting_difficulty: view.startingDifficulty,
    own,
  };
}

export function registerPoolRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<PoolQuery>(
    '/api/stats',
    {
      schema: {
        summary: "The pool's figures now (the seed's fields first)",
        querystring: poolQuery,
        response: { 200: statsSchema, ...errorResponses },
      },
    },
    async (req) => {
      const view = selectPool(ctx, req.query.pool);
      const job = view.currentJob();
      const [stats, blocks, effort] = await Promise.all([
        windowStats(store, view.name),
        store.recentBlocks(view.name, 1000),
        currentRoundEffort(store, view.name, job?.networkDifficulty ?? null),
      ]);
      const c = view.counters;
      const sessions = view.connectedSessions();
      const found = blocks.filter((b) => b.status !== 'candidate' && b.status !== 'rejected');
      const last = found[0];
      return {
        // The seed's fields.
        pool_name: view.name,
        algorithm: view.algorithms.join(','),
        active_miners: new Set(sessions.filter((s) => s.address).map((s) => s.address)).size,
        total_shares: c.accepted + c.rejected,
        accepted_shares: c.accepted,
        rejected_shares: c.rejected,
        blocks_found: found.length,
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
        rejected_by_reason: {
          stale: c.stale,
          duplicate: c.duplicate,
          low_difficulty: c.lowDifficulty,
          other: Math.max(0, c.rejected - c.stale - c.duplicate - c.lowDifficulty),
        },
        blocks_rejected_by_node: blocks.filter((b) => b.status === 'rejected').length,
        // Submitted without a verdict yet (answer lost, or held but not the tip): the chain decides.
        blocks_awaiting_verdict: blocks.filter((b) => b.status === 'candidate').length,
        height: job?.height ?? null,
        network_difficulty: job?.networkDifficulty ?? null,
        node_ok: view.nodeError() === null,
        node_error: view.nodeError(),
        round_effort: effort,
        last_block: last ? { hash: last.hash, height: last.height, status: last.status, found_at: new Date(last.createdAt).toISOString() } : null,
      };
    },
  );

  app.get(
    '/api/pools',
    { schema: { summary: 'Every pool this process runs (the dashboard serves them all on every web port)', response: { 200: arr(poolSchema) } } },
    async (req) => ctx.pools().map((p) => poolJson(p, requestHost(req), p.name === ctx.own.name)),
  );

  app.get<PoolQuery>(
    '/api/network',
    {
      schema: {
        summary: 'The node: reachable, height, network difficulty and hashrate, template age',
        querystring: poolQuery,
        response: { 200: networkSchema, ...errorResponses },
      },
    },
    async (req) => {
      const view = selectPool(ctx, req.query.pool);
      const job = view.currentJob();
      const net = view.network?.() ?? null;
      const interval = net?.blockIntervalSeconds ?? null;
      const now = Date.now();
      return {
        pool: view.name,
        node_reachable: view.nodeError() === null,
        node_error: view.nodeError(),
        node: net?.node ?? null,
        dialect: net?.dialect ?? view.chain,
        chain: view.chain,
        height: job?.height ?? null,
        network_difficulty: job?.networkDifficulty ?? null,
        // Work per block over the observed block interval: an estimate that settles after a few blocks.
        network_hashrate: job && interval !== null && interval > 0 ? (job.networkDifficulty * 2 ** 32) / interval : null,
        block_interval_seconds: interval,
        last_template_at: net?.lastTemplateAt ? new Date(net.lastTemplateAt).toISOString() : null,
        last_template_age_seconds: net?.lastTemplateAt ? (now - net.lastTemplateAt) / 1000 : null,
      };
    },
  );

  app.get<PoolQuery>(
    '/api/health',
    {
      schema: {
        summary: 'Whether the pool has work from a reachable node',
        querystring: poolQuery,
        response: {
          200: obj({
            ok: bool,
            node_error: nullable(str),
            has_work: bool,
            // null without a spool (SQLite); depth > 0: PostgreSQL was unreachable and shares wait in the journal.
            spool: nullable(obj({ depth: int, journal_bytes: int, replayed: int, cause: nullable(str) })),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const view = selectPool(ctx, req.query.pool);
      const spool = ctx.spool?.() ?? null;
      return {
        ok: view.nodeError() === null && view.currentJob() !== null,
        node_error: view.nodeError(),
        has_work: view.currentJob() !== null,
        spool: spool === null ? null : { depth: spool.depth, journal_bytes: spool.journalBytes, replayed: spool.replayed, cause: spool.cause },
      };
    },
  );

  app.post<PoolQuery>(
    '/api/blocknotify',
    {
      schema: {
        summary: "The node's new-block hook: fetch a template now",
        querystring: poolQuery,
        response: { 200: obj({ ok: bool, height: nullable(int), node_error: nullable(str) }), ...errorResponses },
      },
    },
    async (req) => {
      const view = selectPool(ctx, req.query.pool);
      await view.refreshWork('blocknotify');
      const job = view.currentJob();
      return { ok: view.nodeError() === null, height: job?.height ?? null, node_error: view.nodeError() };
    },
  );
}
