/** The web port's static site: built when missing, served with types and caching, nothing outside the bundle readable. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_BUNDLE_FILES, webBundleStale } from '../../src/web/build.js';
import { registerWebRoutes } from '../../src/web/serve.js';

describe('dashboard files on a web port', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    // An empty directory: the server must build the bundle before it listens (a fresh clone without `prepare`).
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-web-bundle-'));
    app = Fastify();
    registerWebRoutes(app, dir);
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('built every bundle file on ready', () => {
    for (const f of WEB_BUNDLE_FILES) expect(fs.statSync(path.join(dir, f)).size).toBeGreaterThan(100);
  });

  it('serves the HTML shell at / naming only local assets, with a same-origin CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(res.body).toContain('src="/assets/app.js"');
    expect(res.body).toContain('href="/assets/app.css"');
    // No CDN: every URL in the shell is a path on this origin.
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves the bundle with its content type, and the bundle pulls nothing from elsewhere', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toContain('/api/pools');
    expect(js.body).not.toMatch(/\bimport\s*\(?\s*["']https?:/);
    const css = await app.inject({ method: 'GET', url: '/assets/app.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    // uPlot's stylesheet is bundled in.
    expect(css.body).toContain('.u-legend');
  });

  it('calls the bundle stale when a source is newer than it, or a file is missing', () => {
    const sources = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-web-src-'));
    try {
      fs.mkdirSync(path.join(sources, 'pages'));
      const page = path.join(sources, 'pages', 'overview.ts');
      fs.writeFileSync(page, 'export {};\n');
      const past = new Date(Date.now() - 60_000);
      fs.utimesSync(page, past, past);
      expect(webBundleStale(dir, sources)).toBe(false);
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(page, future, future);
      expect(webBundleStale(dir, sources)).toBe(true);
      // No sources at all (an installed package): a complete bundle is current.
      expect(webBundleStale(dir, path.join(sources, 'absent'))).toBe(false);
      expect(webBundleStale(sources, path.join(sources, 'absent'))).toBe(true);
    } finally {
      fs.rmSync(sources, { recursive: true, force: true });
    }
  });

  it.each(['../package.json', '..%2Fpackage.json', '.hidden', 'index.html', 'nope.js'])('answers 404 for asset %s', async (name) => {
    const res = await app.inject({ method: 'GET', url: `/assets/${name}` });
    expect(res.statusCode).toBe(404);
  });
});
