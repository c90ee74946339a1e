/** Miners: the seed's list, one miner's page (balances, payments, rewards), its workers, and the top miners. */
import type { FastifyInstance } from 'fastify';
import { unitsToCoinString } from '../core/amount.js';
import type { WorkerLiveStats } from '../pool/worker-stats.js';
import { paymentJson } from './ledger-routes.js';
import {
  ApiError,
  type ApiContext,
  CURSOR_PARAM,
  LIMIT_PARAM,
  POOL_PARAM,
  beforeIdOf,
  nextCursor,
  pageOf,
  selectPool,
  validAddressOr400,
} from './params.js';
import { arr, errorResponses, minerDetailSchema, minerListItemSchema, topMinerSchema, workerSchema } from './schemas.js';
import { HASHRATE_WINDOW_MS, hashrate } from './view.js';

/** A worker counts as online with a live session here, or a share (on any instance) within the hashrate window. */
const BEST_SHARE_WINDOW_MS = 24 * 3600 * 1000;
const addressParams = { type: 'object', properties: { address: { type: 'string', maxLength: 200 } } } as const;
const listQuery = { type: 'object', properties: { pool: POOL_PARAM, limit: LIMIT_PARAM, cursor: CURSOR_PARAM } } as const;
type ListQuery = { pool?: string; limit?: number; cursor?: string };

export function registerMinerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<{ Querystring: ListQuery }>(
    '/api/miners',
    {
      schema: {
        summary: 'Miners with shares in the hashrate window or seen by this process (seed field names)',
        querystring: listQuery,
        response: { 200: arr(minerListItemSchema), ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const since = Date.now() - HASHRATE_WINDOW_MS;
      const summaries = await store.minerSummaries(view.name, since, 10_000);
      const counters = new Map(view.minerCounters().map((m) => [m.address, m]));
      const sessions = view.connectedSessions();
      const bySummary = new Map(summaries.map((s) => [s.address, s]));
      const addresses = [...new Set([...summaries.map((s) => s.address), ...counters.keys()])];
      const all = addresses.map((address) => {
        const s = bySummary.get(address);
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
      return pageOf(reply, all, req.query.limit ?? 500, req.query.cursor);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/top-miners',
    {
      schema: {
        summary: 'Miners ranked by hashrate over the hashrate window (pool-wide)',
        querystring: listQuery,
        response: { 200: arr(topMinerSchema), ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const limit = req.query.limit ?? 20;
      const offset = req.query.cursor === undefined ? 0 : Number(req.query.cursor);
      // One more than asked tells whether a next page exists.
      const rows = await store.minerSummaries(view.name, Date.now() - HASHRATE_WINDOW_MS, offset + limit + 1);
      nextCursor(reply, rows.length > offset + limit ? offset + limit : null);
      return rows.slice(offset, offset + limit).map((m, i) => ({
        rank: offset + i + 1,
        address: m.address,
        hashrate: hashrate(m.shareDifficultySum, HASHRATE_WINDOW_MS),
        shares_in_window: m.shareCount,
        workers: m.workers,
        last_share: new Date(m.lastShareAt).toISOString(),
      }));
    },
  );

  app.get<{ Params: { address: string }; Querystring: { pool?: string; limit?: number; cursor?: string } }>(
    '/api/miners/:address',
    {
      schema: {
        summary: "A miner's balances (immature / confirmed), payments with txids, and the block rewards that paid it",
        description: 'Payments are paginated: X-Next-Cursor is the cursor of the next page of payments.',
        params: addressParams,
        querystring: listQuery,
        response: { 200: minerDetailSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const { address } = req.params;
      validAddressOr400(view, address);
      const limit = req.query.limit ?? 50;
      const now = Date.now();
      const [balance, payments, credits, workers] = await Promise.all([
        store.balanceOf(view.name, address),
        store.paymentsPage(view.name, { address, limit, beforeId: beforeIdOf(req.query.cursor) }),
        store.ledgerEntries({ pool: view.name, address, limit: 100 }),
        store.workerSummaries(view.name, address, { since: now - BEST_SHARE_WINDOW_MS, hashrateSince: now - HASHRATE_WINDOW_MS, limit: 1000 }),
      ]);
      const live = view.workers?.(address) ?? [];
      const online = onlineWorkers(ctx, view.name, address, workers, now);
      if (credits.length === 0 && payments.length === 0 && workers.length === 0 && live.length === 0 && req.query.cursor === undefined) {
        throw new ApiError(404, `no miner ${address} in the ${view.name} pool (no shares in 24 h, no balance, no payments)`);
      }
      const last = payments.at(-1);
      nextCursor(reply, payments.length === limit && last ? last.id : null);
      return {
        address,
        immature: unitsToCoinString(balance.immature),
        confirmed: unitsToCoinString(balance.confirmed),
        immature_units: balance.immature.toString(),
        confirmed_units: balance.confirmed.toString(),
        payments: payments.map(paymentJson),
        hashrate: hashrate(
          workers.reduce((s, w) => s + w.shareDifficultySum, 0),
          HASHRATE_WINDOW_MS,
        ),
        workers_online: online.size,
        rewards: credits
          .filter((e) => e.kind === 'credit' && e.blockId !== null)
          .map((e) => ({
            block_id: e.blockId,
            amount: unitsToCoinString(e.amount),
            amount_units: e.amount.toString(),
            created_at: new Date(e.createdAt).toISOString(),
          })),
      };
    },
  );

  app.get<{ Params: { address: string }; Querystring: ListQuery }>(
    '/api/miners/:address/workers',
    {
      schema: {
        summary: "A miner's workers: online, hashrate, current difficulty, best share, last share, rejects by reason",
        params: addressParams,
        querystring: listQuery,
        response: { 200: arr(workerSchema), ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const { address } = req.params;
      validAddressOr400(view, address);
      const now = Date.now();
      const stored = await store.workerSummaries(view.name, address, {
        since: now - BEST_SHARE_WINDOW_MS,
        hashrateSince: now - HASHRATE_WINDOW_MS,
        limit: 10_000,
      });
      const live = new Map((view.workers?.(address) ?? []).map((w) => [w.worker, w]));
      const sessions = (view.admin?.sessions() ?? []).filter((s) => s.address === address);
      const legacySessions = view.connectedSessions().filter((s) => s.address === address);
      const names = [...new Set([...stored.map((w) => w.worker), ...live.keys(), ...legacySessions.map((s) => s.worker ?? '')])].sort();
      if (names.length === 0) throw new ApiError(404, `no worker of ${address} in the ${view.name} pool in the last 24 h`);
      const byName = new Map(stored.map((w) => [w.worker, w]));
      const rows = names.map((worker) => {
        const s = byName.get(worker);
        const l: WorkerLiveStats | undefined = live.get(worker);
        const own = legacySessions.filter((x) => x.worker === worker);
        const detailed = sessions.filter((x) => x.worker === worker);
        const lastShareAt = Math.max(s?.lastShareAt ?? 0, l?.lastShareAt ?? 0);
        const accepted = l?.accepted ?? 0;
        const rejected = l?.rejected ?? 0;
        return {
          worker,
          online: own.length > 0 || lastShareAt >= now - HASHRATE_WINDOW_MS,
          hashrate: hashrate(s?.shareDifficultySum ?? 0, HASHRATE_WINDOW_MS),
          current_difficulty: own.length ? Math.max(...own.map((x) => x.difficulty)) : null,
          best_share: Math.max(s?.bestShareDifficulty ?? 0, l?.bestShareDifficulty ?? 0),
          last_share: lastShareAt > 0 ? new Date(lastShareAt).toISOString() : null,
          shares: s?.sharesSince ?? 0,
          shares_in_window: s?.shareCount ?? 0,
          accepted,
          rejected,
          rejected_percent: accepted + rejected > 0 ? (100 * rejected) / (accepted + rejected) : 0,
          rejected_by_reason: l?.rejectsByReason ?? { stale: 0, duplicate: 0, low_difficulty: 0, other: 0 },
          connections: own.length,
          user_agent: detailed.find((x) => x.userAgent !== null)?.userAgent ?? null,
        };
      });
      return pageOf(reply, rows, req.query.limit ?? 100, req.query.cursor);
    },
  );
}

function onlineWorkers(
  ctx: ApiContext,
  pool: string,
  address: string,
  stored: ReadonlyArray<{ worker: string; lastShareAt: number }>,
  now: number,
): Set<string> {
  const view = ctx.pools().find((p) => p.name === pool) ?? ctx.own;
  const online = new Set(stored.filter((w) => w.lastShareAt >= now - HASHRATE_WINDOW_MS).map((w) => w.worker));
  for (const s of view.connectedSessions()) if (s.address === address && s.worker !== null) online.add(s.worker);
  return online;
}
