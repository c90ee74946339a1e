/** The operator console API: 401 without the right token (never logged), then sessions, kick, bans, payouts, errors. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../src/api/server.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { A, makeView, type ViewHandles } from './fixtures.js';

const TOKEN = 'operator-secret-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('operator API with web.adminToken', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let asic: ViewHandles;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-api-admin-'));
    store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
    await store.migrate();
    asic = makeView('asic', Date.now());
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    app = createApiServer({ view: asic.view, store, logger: pino({ level: 'info' }, sink), web: { adminToken: TOKEN } });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 with a message when the token is missing or wrong, and never logs the token', async () => {
    const missing = await app.inject({ url: '/api/admin/sessions' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual({ error: 'missing admin token: send Authorization: Bearer <web.adminToken>' });
    for (const [method, url] of [
      ['GET', '/api/admin/sessions'],
      ['POST', '/api/admin/sessions/s1/kick'],
      ['GET', '/api/admin/rejects'],
      ['GET', '/api/admin/bans'],
      ['POST', '/api/admin/bans'],
      ['DELETE', '/api/admin/bans/1.2.3.4'],
      ['GET', '/api/admin/payouts/plan'],
      ['POST', '/api/admin/payouts'],
      ['GET', '/api/admin/node-errors'],
    ] as const) {
      const wrong = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.statusCode, `${method} ${url}`).toBe(401);
      expect(wrong.json()).toMatchObject({ error: expect.stringMatching(/^wrong admin token/) });
    }
    expect(asic.kicked).toEqual([]);
    expect(asic.payoutRuns).toBe(0);
    expect(logLines.some((l) => l.includes('admin_denied'))).toBe(true);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('documents the operator routes in the OpenAPI document, behind the bearer scheme', async () => {
    const doc = (await app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { security?: unknown }>> };
    await SwaggerParser.validate(structuredClone(doc) as never);
    const admin = Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin/'));
    expect(admin.sort()).toEqual([
      '/api/admin/bans',
      '/api/admin/bans/{key}',
      '/api/admin/node-errors',
      '/api/admin/payouts',
      '/api/admin/payouts/plan',
      '/api/admin/rejects',
      '/api/admin/sessions',
      '/api/admin/sessions/{id}/kick',
    ]);
    for (const p of admin) for (const op of Object.values(doc.paths[p] ?? {})) expect(op.security, p).toEqual([{ adminToken: [] }]);
  });

  it('lists sessions with their user agents and rejects by reason', async () => {
    const sessions = await app.inject({ url: '/api/admin/sessions', headers: auth });
    expect(sessions.json()).toEqual([
      expect.objectContaining({ id: 's1', user_agent: 'cgminer/4.12', difficulty: 4, worker: 'w1', address: A, remote: '127.0.0.1' }),
    ]);
    const rejects = await app.inject({ url: '/api/admin/rejects', headers: auth });
    expect(rejects.json()).toMatchObject({
      accepted: 3,
      rejected: 1,
      rejected_by_reason: { stale: 1, duplicate: 0, low_difficulty: 0, other: 0 },
      workers: [{ address: A, worker: 'w1', rejected: 1 }],
    });
    expect((await app.inject({ url: '/api/admin/node-errors', headers: auth })).json()).toMatchObject({
      current: null,
      recent: [{ message: 'connect ECONNREFUSED 127.0.0.1:8332' }],
    });
  });

  it('kicks a session, and 404s an unknown one', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/admin/sessions/nope/kick', headers: auth })).statusCode).toBe(404);
    const kicked = await app.inject({ method: 'POST', url: '/api/admin/sessions/s1/kick', headers: auth, payload: { reason: 'testing' } });
    expect(kicked.json()).toEqual({ kicked: 's1' });
    expect(asic.kicked).toEqual(['s1']);
    expect(logLines.some((l) => l.includes('admin_kick'))).toBe(true);
  });

  it('bans, lists and lifts; bad input is a 400', async () => {
    const ban = await app.inject({
      method: 'POST',
      url: '/api/admin/bans',
      headers: auth,
      payload: { address: '203.0.113.7', duration_seconds: 60 },
    });
    expect(ban.json()).toMatchObject({ key: '203.0.113.7', reason: 'banned by the operator' });
    expect((await app.inject({ url: '/api/admin/bans', headers: auth })).json()).toEqual([expect.objectContaining({ key: '203.0.113.7' })]);
    const bad = await app.inject({ method: 'POST', url: '/api/admin/bans', headers: auth, payload: { address: 'not-an-ip', duration_seconds: 60 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'not an IP address: not-an-ip' });
    const missing = await app.inject({ method: 'POST', url: '/api/admin/bans', headers: auth, payload: { address: '203.0.113.8' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatch(/duration_seconds/);
    expect((await app.inject({ method: 'DELETE', url: '/api/admin/bans/203.0.113.7', headers: auth })).json()).toEqual({ lifted: '203.0.113.7' });
    expect((await app.inject({ method: 'DELETE', url: '/api/admin/bans/203.0.113.7', headers: auth })).statusCode).toBe(404);
  });

  it('shows the payout plan first and runs only the plan that was shown', async () => {
    const plan = (await app.inject({ url: '/api/admin/payouts/plan', headers: auth })).json() as {
      plan_id: string;
      total: string;
      payouts: unknown[];
    };
    expect(plan).toMatchObject({ total: '27.00000000', payouts: [{ address: A, amount: '27.00000000' }] });
    expect(plan.plan_id).toMatch(/^[0-9a-f]{16}$/);
    // The balance changed after the operator looked: the run is refused with the new plan.
    asic.plan = { ...asic.plan, payouts: [{ ...asic.plan.payouts[0]!, amount: 2_800_000_000n }], total: 2_800_000_000n };
    const stale = await app.inject({ method: 'POST', url: '/api/admin/payouts', headers: auth, payload: { plan_id: plan.plan_id } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ plan: { total: '28.00000000' } });
    expect(asic.payoutRuns).toBe(0);
    const fresh = (stale.json() as { plan: { plan_id: string } }).plan.plan_id;
    const run = await app.inject({ method: 'POST', url: '/api/admin/payouts', headers: auth, payload: { plan_id: fresh } });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ leader: true, errors: [], paid: [] });
    expect(asic.payoutRuns).toBe(1);
  });
});
