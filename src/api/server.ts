/**
 * Each pool's web port: the JSON API for every pool of the process (`?pool=NAME`, default the port's own), live
 * events, the OpenAPI document and its reference page, Prometheus metrics, the operator console (with a token),
 * the blocknotify hook, and the dashboard (src/web) for every pool of the process.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import type { Logger } from '../log/logger.js';
import type { SpoolState } from '../store/spool/spool.js';
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
import { registerWebRoutes } from '../web/serve.js';

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
  /** The PostgreSQL spool's state (journal depth) for /api/health. */
  spool?: () => SpoolState | null;
  logger: Logger;
  web?: WebOptions;
  events?: Omit<EventHubOptions, 'ctx' | 'logger'>;
}

/** "limit must be an integer (querystring)": the parameter named first, as the seed's messages did. */
function validationMessage(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  if (!first) return new Error(`invalid ${dataVar}`);
  const field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const message = (first.message ?? 'is invalid').replace(
    /^must be (integer|number|string|boolean|object|array)\b/,
    (_m, type: string) => `must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`,
  );
  return new Error(field === '' ? `${dataVar} ${message}` : `${field} ${message} (${dataVar})`);
}

export function createApiServer(opts: ApiServerOptions): FastifyInstance {
  const { view, store } = opts;
  const ctx: ApiContext = { own: view, pools: opts.pools ?? (() => [view]), store, ...(opts.spool ? { spool: opts.spool } : {}) };
  const app = Fastify({
    // Request lines stay out of the log (one line per pool event, not per HTTP hit); errors still show.
    loggerInstance: opts.logger.child({ component: 'api', pool: view.name }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
    schemaErrorFormatter: validationMessage,
  });

  app.setErrorHandler((err: { statusCode?: number; message: string; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // Our own refusals (ApiError, e.g. 503 too many clients) say why; unexpected failures stay opaque.
    const expected = err instanceof ApiError || status < 500;
    if (!expected) opts.logger.error({ event: 'api_error', url: req.url.split('?')[0], err: err.message }, 'API request failed');
    void reply.status(status).send({ error: expected ? err.message : 'internal error' });
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
  // Before the listener closes: open event streams would otherwise keep it waiting for ever.
  app.addHook('preClose', async () => hub.close());
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

    // The dashboard: the whole site for every pool of this process (src/web).
    registerWebRoutes(api);
  });

  return app;
}
