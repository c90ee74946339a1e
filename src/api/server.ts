/**
 * Each pool's web port: the JSON API for every pool of the process (`?pool=NAME`, default the port's own), live
 * events, the OpenAPI document and its reference page, Prometheus metrics, the operator console (with a token),
 * the blocknotify hook, and a small status page.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/types.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerBlockRoutes } from './block-routes.js';
import { EventHub, type EventHubOptions } from './events.js';
import { registerHistoryRoutes } from './history-routes.js';
import { registerLedgerRoutes } from './ledger-routes.js';
import { createMetricsRegistry } from './metrics.js';
import { registerMinerRoutes } from './miner-routes.js';
import { ApiError, type ApiContext, POOL_PARAM, selectPool } from './params.js';
import { registerPoolRoutes } from './pool-routes.js';
import type { PoolView } from './view.js';

export type { PoolView } from './view.js';
export { HASHRATE_WINDOW_MS, hashrate } from './view.js';

export interface WebOptions {
  /** CORS: false/absent = same origin only; true or '*' = any origin; a list = those origins. */
  cors?: boolean | string | string[];
  /** Enables /api/admin/* (Bearer token). Absent: every operator endpoint answers 404. */
  adminToken?: string;
}

export interface ApiServerOptions {
  /** The pool this port belongs to (the default of `?pool=`). */
  view: PoolView;
  /** Every pool of the process, this one included (default: only `view`). Read at request time. */
  pools?: () => readonly PoolView[];
  store: Store;
  logger: Logger;
  web?: WebOptions;
  events?: Omit<EventHubOptions, 'ctx' | 'logger'>;
}

export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const { view, store } = opts;
  const ctx: ApiContext = { own: view, pools: opts.pools ?? (() => [view]), store };
  const app = Fastify({
    // Request lines stay out of the log (one line per pool event, not per HTTP hit); errors still show.
    loggerInstance: opts.logger.child({ component: 'api', pool: view.name }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  });

  app.setErrorHandler((err: { statusCode?: number; message: string; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) opts.logger.error({ event: 'api_error', url: req.url.split('?')[0], err: err.message }, 'API request failed');
    void reply.status(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` });
  });
  // Live data is never cached; history routes set their own short max-age.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!reply.hasHeader('cache-control') && req.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    return payload;
  });

  const corsSetting = opts.web?.cors;
  if (corsSetting !== undefined && corsSetting !== false) {
    void app.register(cors, {
      origin: corsSetting === true || corsSetting === '*' ? '*' : corsSetting,
      methods: ['GET', 'POST', 'DELETE'],
      exposedHeaders: ['x-next-cursor'],
    });
  }

  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'gxc-pool API',
        version: '1',
        description:
          "Every web port serves every pool of the process: pass ?pool=NAME (default: the port's own pool). Lists take limit and cursor; the next page's cursor is in the X-Next-Cursor header.",
      },
      components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    },
  });
  void app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: false } });

  const hub = new EventHub({ ctx, logger: opts.logger.child({ component: 'events', pool: view.name }), ...opts.events });
  app.addHook('onClose', async () => hub.close());
  const metrics = createMetricsRegistry(view);

  void app.register(async (api) => {
    registerPoolRoutes(api, ctx);
    registerMinerRoutes(api, ctx);
    registerBlockRoutes(api, ctx);
    registerLedgerRoutes(api, ctx);
    registerHistoryRoutes(api, ctx);
    if (opts.web?.adminToken) registerAdminRoutes(api, ctx, opts.web.adminToken, opts.logger.child({ component: 'admin', pool: view.name }));

    api.get<{ Querystring: { pool?: string; miner?: string } }>(
      '/api/events',
      {
        schema: {
          summary: 'Server-Sent Events: stats, share-summary, block, miner (with ?miner=ADDRESS); aggregated, at most ~2 a second',
          querystring: { type: 'object', properties: { pool: POOL_PARAM, miner: { type: 'string', maxLength: 128 } } },
          produces: ['text/event-stream'],
        },
      },
      async (req, reply) => {
        const target = selectPool(ctx, req.query.pool);
        const miner = req.query.miner ?? null;
        if (miner !== null) {
          const problem = target.validateAddress(miner);
          if (problem !== null) throw new ApiError(400, `not a valid address: ${problem}`);
        }
        if (hub.clientCount >= hub.maxClients) throw new ApiError(503, `too many live clients (${hub.maxClients}); retry later`);
        hub.attach(reply, target, miner);
      },
    );

    api.get('/metrics', { schema: { summary: "Prometheus metrics of this port's pool", produces: ['text/plain'] } }, async (_req, reply) => {
      void reply.type(metrics.contentType);
      return metrics.metrics();
    });

    api.get('/api/openapi.json', { schema: { hide: true } }, async (_req, reply) => {
      void reply.header('cache-control', 'public, max-age=60');
      return api.swagger();
    });

    api.get('/', { schema: { hide: true } }, async (_req, reply) => {
      const job = view.currentJob();
      void reply.type('text/html; charset=utf-8');
      return `<!doctype html><html><head><meta charset="utf-8"><title>gxc-pool ${view.name}</title></head><body>
<h1>gxc-pool — ${view.name} pool</h1>
<p>Algorithm: ${view.algorithms.join(', ')} · Chain: ${view.chain} · Stratum port ${view.stratumPort}</p>
<p>Height: ${job?.height ?? 'waiting for the node'} · Node: ${view.nodeError() === null ? 'ok' : 'unavailable'}</p>
<p>Connect: <code>stratum+tcp://HOST:${view.stratumPort}</code>, user <code>ADDRESS.WORKER</code>, password <code>x</code></p>
<p>API: <a href="/api/stats">/api/stats</a> · <a href="/api/miners">/api/miners</a> · <a href="/api/blocks">/api/blocks</a> · <a href="/api/balances">/api/balances</a> · <a href="/api/payments">/api/payments</a> · <a href="/api/docs">reference</a></p>
</body></html>`;
    });
  });

  return app;
}
