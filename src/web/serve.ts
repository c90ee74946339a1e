/**
 * Serves the dashboard's static files on a web port: `/` is the single-page site (pages live in the URL hash, so
 * one HTML shell serves them all), `/assets/NAME` its bundle. Every web port serves the whole site; the page picks
 * the pool from /api/pools. The bundle is built at start when missing or older than its sources.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { WEB_BUNDLE_DIR, buildWeb, webBundleStale } from './build.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** Asset names are flat file names from the build; anything else (slashes, dots first) is refused before the disk is read. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

let building: Promise<unknown> | null = null;

/** Builds the bundle if a file is missing or a source changed since; concurrent callers share the build. */
export async function ensureWebBundle(dir = WEB_BUNDLE_DIR): Promise<void> {
  if (!building && !webBundleStale(dir)) return;
  building ??= buildWeb(dir).finally(() => {
    building = null;
  });
  await building;
}

export function registerWebRoutes(app: FastifyInstance, dir = WEB_BUNDLE_DIR): void {
  // Fastify awaits onReady before listening: a missing bundle is built before the first page is asked for.
  app.addHook('onReady', () => ensureWebBundle(dir));
  const send = (file: string, reply: FastifyReply, cache: string) => {
    const full = path.join(dir, file);
    const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
    return fs.promises.readFile(full).then(
      (body) => reply.header('cache-control', cache).header('x-content-type-options', 'nosniff').type(type).send(body),
      () => reply.status(404).send({ error: `no such asset: ${file}` }),
    );
  };

  // Pages, not API: kept out of the OpenAPI document.
  const page = { schema: { hide: true } };
  app.get('/', page, (_req, reply) =>
    // The shell is tiny and names the bundle files without a hash, so it is always revalidated.
    send('index.html', reply.header('content-security-policy', CSP), 'no-cache'),
  );
  app.get<{ Params: { name: string } }>('/assets/:name', page, (req, reply) => {
    const { name } = req.params;
    if (!ASSET_NAME.test(name) || name === 'index.html') return reply.status(404).send({ error: `no such asset: ${name.slice(0, 64)}` });
    return send(name, reply, 'no-cache');
  });
}

/** Everything the page loads comes from this origin (no CDN, works offline); the API and events included. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
