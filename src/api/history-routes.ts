/**
 * Charts: the pool's and a miner's (or one worker's) time series, from the per-minute / per-hour buckets the
 * series recorder keeps (src/pool/series-recorder.ts). Missing buckets inside the range are answered as zeros
 * (no share was accepted then), so a chart's x axis is regular.
 */
import type { FastifyInstance } from 'fastify';
import type { SeriesPoint, SeriesResolution } from '../store/types.js';
import { type ApiContext, POOL_PARAM, selectPool, validAddressOr400 } from './params.js';
import { errorResponses, historySchema } from './schemas.js';
import { hashrate } from './view.js';

export const HISTORY_RANGES = {
  '1h': { ms: 3_600_000, resolution: 60 },
  '24h': { ms: 86_400_000, resolution: 60 },
  '7d': { ms: 7 * 86_400_000, resolution: 3600 },
  '30d': { ms: 30 * 86_400_000, resolution: 3600 },
} as const satisfies Record<string, { ms: number; resolution: SeriesResolution }>;
export type HistoryRange = keyof typeof HISTORY_RANGES;
const RANGE_NAMES = Object.keys(HISTORY_RANGES);

/** Cache lifetime of a history answer: a fraction of its bucket size (buckets close once a minute or hour). */
const HISTORY_MAX_AGE_SECONDS: Record<SeriesResolution, number> = { 60: 15, 3600: 300 };

export interface HistoryPoint {
  t: number;
  hashrate: number;
  shares: number;
  accepted_difficulty: number;
  network_difficulty: number | null;
  miners: number;
  workers: number;
}

/** The closed buckets of [now - range, now): stored ones as they are, missing ones as zeros. */
export function fillSeries(stored: readonly SeriesPoint[], resolution: SeriesResolution, fromMs: number, toMs: number): HistoryPoint[] {
  const size = resolution * 1000;
  const byT = new Map(stored.map((p) => [p.t, p]));
  const points: HistoryPoint[] = [];
  for (let t = Math.ceil(fromMs / size) * size; t + size <= toMs; t += size) {
    const p = byT.get(t);
    points.push({
      t,
      hashrate: hashrate(p?.difficultySum ?? 0, size),
      shares: p?.shares ?? 0,
      accepted_difficulty: p?.difficultySum ?? 0,
      network_difficulty: p?.networkDifficulty ?? null,
      miners: p?.miners ?? 0,
      workers: p?.workers ?? 0,
    });
  }
  return points;
}

const rangeParam = { type: 'string', enum: RANGE_NAMES, default: '24h', description: '1h and 24h: 1-minute points; 7d and 30d: hourly points' };

export function registerHistoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<{ Querystring: { pool?: string; range: HistoryRange } }>(
    '/api/stats/history',
    {
      schema: {
        summary: "The pool's hashrate, shares, network difficulty, miners and workers over time",
        querystring: { type: 'object', properties: { pool: POOL_PARAM, range: rangeParam } },
        response: { 200: historySchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const { ms, resolution } = HISTORY_RANGES[req.query.range];
      const now = Date.now();
      const stored = await store.poolSeries(view.name, resolution, now - ms, now);
      void reply.header('cache-control', `public, max-age=${HISTORY_MAX_AGE_SECONDS[resolution]}`);
      return { range: req.query.range, resolution_seconds: resolution, points: fillSeries(stored, resolution, now - ms, now) };
    },
  );

  app.get<{ Params: { address: string }; Querystring: { pool?: string; range: HistoryRange; worker?: string } }>(
    '/api/miners/:address/history',
    {
      schema: {
        summary: "A miner's hashrate and shares over time (all its workers, or one with ?worker=)",
        params: { type: 'object', properties: { address: { type: 'string', maxLength: 128 } } },
        querystring: { type: 'object', properties: { pool: POOL_PARAM, range: rangeParam, worker: { type: 'string', maxLength: 128 } } },
        response: { 200: historySchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      validAddressOr400(view, req.params.address);
      const { ms, resolution } = HISTORY_RANGES[req.query.range];
      const now = Date.now();
      const stored = await store.minerSeries(view.name, req.params.address, resolution, now - ms, now, req.query.worker);
      void reply.header('cache-control', `public, max-age=${HISTORY_MAX_AGE_SECONDS[resolution]}`);
      const points = fillSeries(stored, resolution, now - ms, now).map((p) => ({ ...p, miners: p.shares > 0 ? 1 : 0 }));
      return { range: req.query.range, resolution_seconds: resolution, points };
    },
  );
}
