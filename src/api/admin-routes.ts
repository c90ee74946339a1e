/**
 * The operator console's API (/api/admin/*, behind web.adminToken): sessions, rejects by reason, kick, bans,
 * a payout run shown as a dry-run plan first, recent node errors. Every action is logged with what was done.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { unitsToCoinString } from '../core/amount.js';
import type { PayoutPlan } from '../ledger/payouts/plan.js';
import type { Logger } from '../log/logger.js';
import type { RejectReason } from '../pool/worker-stats.js';
import { adminTokenGuard } from './admin-auth.js';
import { ApiError, type ApiContext, POOL_PARAM, selectPool } from './params.js';
import type { PoolAdminControls, PoolView } from './view.js';

const poolQuery = { type: 'object', properties: { pool: POOL_PARAM } } as const;
type PoolQuery = { Querystring: { pool?: string } };
const security = [{ adminToken: [] }];

function controls(view: PoolView): PoolAdminControls {
  if (!view.admin) throw new ApiError(404, `the ${view.name} pool has no operator controls in this process`);
  return view.admin;
}

/** Identifies a plan: running a payout needs the id of the plan the operator looked at. */
export function planId(plan: PayoutPlan): string {
  const lines = plan.payouts.map((p) => `${p.address}:${p.amount}`).join('\n');
  return createHash('sha256').update(`${plan.pool}\n${lines}`).digest('hex').slice(0, 16);
}

function planJson(plan: PayoutPlan): Record<string, unknown> {
  return {
    plan_id: planId(plan),
    pool: plan.pool,
    at: new Date(plan.at).toISOString(),
    min_payout: unitsToCoinString(plan.minPayout),
    total: unitsToCoinString(plan.total),
    send_mode: plan.sendMode,
    wallet_balance: plan.walletBalance === null ? null : unitsToCoinString(plan.walletBalance),
    wallet_note: plan.walletNote,
    payouts: plan.payouts.map((p) => ({
      address: p.address,
      amount: unitsToCoinString(p.amount),
      previous_failures: p.previousFailures,
      reason: p.reason,
    })),
    skipped: plan.skipped.map((s) => ({
      address: s.address,
      confirmed: unitsToCoinString(s.confirmed),
      immature: unitsToCoinString(s.immature),
      reason: s.reason,
    })),
    in_flight: plan.inFlight.map((p) => ({
      id: p.id,
      address: p.address,
      amount: unitsToCoinString(p.amount),
      attempts: p.attempts,
      error: p.error,
    })),
  };
}

export function registerAdminRoutes(app: FastifyInstance, ctx: ApiContext, token: string, logger: Logger): void {
  void app.register(async (admin) => {
    admin.addHook('onRequest', adminTokenGuard(token, logger));

    admin.get<PoolQuery>(
      '/api/admin/sessions',
      { schema: { summary: 'Connected Stratum sessions', security, querystring: poolQuery } },
      async (req) => {
        const view = selectPool(ctx, req.query.pool);
        return controls(view)
          .sessions()
          .map((s) => ({
            id: s.id,
            remote: s.remote,
            algorithm: s.algorithm,
            address: s.address,
            worker: s.worker,
            user_agent: s.userAgent,
            authorized: s.authorized,
            difficulty: s.difficulty,
            shares_accepted: s.sharesAccepted,
            shares_rejected: s.sharesRejected,
            difficulty_accepted: s.difficultyAccepted,
            connected_since: s.connectedSince.toISOString(),
            last_share: s.lastShareAt?.toISOString() ?? null,
          }));
      },
    );

    admin.post<{ Params: { id: string }; Querystring: { pool?: string }; Body: { reason?: string } | undefined }>(
      '/api/admin/sessions/:id/kick',
      {
        schema: {
          summary: 'Disconnect one session',
          security,
          querystring: poolQuery,
          params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } },
          body: { type: ['object', 'null'], properties: { reason: { type: 'string', maxLength: 200 } } },
        },
      },
      async (req) => {
        const view = selectPool(ctx, req.query.pool);
        const reason = req.body?.reason ?? 'disconnected by the operator';
        if (!controls(view).kick(req.params.id, reason)) throw new ApiError(404, `no session ${req.params.id} on the ${view.name} pool`);
        logger.info({ event: 'admin_kick', session: req.params.id, reason, remote: req.ip }, `operator disconnected session ${req.params.id}`);
        return { kicked: req.params.id };
      },
    );

    admin.get<PoolQuery>(
      '/api/admin/rejects',
      { schema: { summary: 'Rejected shares by reason, pool-wide and per worker', security, querystring: poolQuery } },
      async (req) => {
        const view = selectPool(ctx, req.query.pool);
        const c = view.counters;
        const workers = (view.workers?.() ?? []).filter((w) => w.rejected > 0).sort((a, b) => b.rejected - a.rejected);
        const other = Math.max(0, c.rejected - c.stale - c.duplicate - c.lowDifficulty);
        const totals: Record<RejectReason, number> = { stale: c.stale, duplicate: c.duplicate, low_difficulty: c.lowDifficulty, other };
        return {
          accepted: c.accepted,
          rejected: c.rejected,
          rejected_by_reason: totals,
          workers: workers.slice(0, 200).map((w) => ({
            address: w.address,
            worker: w.worker,
            accepted: w.accepted,
            rejected: w.rejected,
            rejected_by_reason: w.rejectsByReason,
          })),
        };
      },
    );

    admin.get<PoolQuery>('/api/admin/bans', { schema: { summary: 'Banned addresses', security, querystring: poolQuery } }, async (req) => {
      const bans = banList(selectPool(ctx, req.query.pool));
      return bans
        .list()
        .map((b) => ({ key: b.key, reason: b.reason, since: new Date(b.since).toISOString(), until: new Date(b.until).toISOString() }));
    });

    admin.post<{ Querystring: { pool?: string }; Body: { address: string; duration_seconds: number; reason?: string } }>(
      '/api/admin/bans',
      {
        schema: {
          summary: 'Ban an IP address (IPv6: its /64) and close its connections',
          security,
          querystring: poolQuery,
          body: {
            type: 'object',
            required: ['address', 'duration_seconds'],
            properties: {
              address: { type: 'string', minLength: 2, maxLength: 64 },
              duration_seconds: { type: 'integer', minimum: 1, maximum: 365 * 86400 },
              reason: { type: 'string', maxLength: 200 },
            },
          },
        },
      },
      async (req) => {
        const bans = banList(selectPool(ctx, req.query.pool));
        const reason = req.body.reason ?? 'banned by the operator';
        let entry: ReturnType<typeof bans.ban>;
        try {
          entry = bans.ban(req.body.address, req.body.duration_seconds * 1000, reason);
        } catch (err) {
          throw new ApiError(400, err instanceof Error ? err.message : String(err));
        }
        logger.info({ event: 'admin_ban', key: entry.key, until: entry.until, reason, remote: req.ip }, `operator banned ${entry.key}`);
        return { key: entry.key, reason: entry.reason, since: new Date(entry.since).toISOString(), until: new Date(entry.until).toISOString() };
      },
    );

    admin.delete<{ Params: { key: string }; Querystring: { pool?: string } }>(
      '/api/admin/bans/:key',
      {
        schema: {
          summary: 'Lift a ban by its key (URL-encoded)',
          security,
          querystring: poolQuery,
          params: { type: 'object', properties: { key: { type: 'string', maxLength: 64 } } },
        },
      },
      async (req) => {
        const bans = banList(selectPool(ctx, req.query.pool));
        if (!bans.lift(req.params.key)) throw new ApiError(404, `no ban on ${req.params.key}`);
        logger.info({ event: 'admin_unban', key: req.params.key, remote: req.ip }, `operator lifted the ban on ${req.params.key}`);
        return { lifted: req.params.key };
      },
    );

    admin.get<PoolQuery>(
      '/api/admin/payouts/plan',
      { schema: { summary: 'What a payout run would pay now, and why (writes nothing)', security, querystring: poolQuery } },
      async (req) => {
        const payouts = payoutControls(selectPool(ctx, req.query.pool));
        return planJson(await payouts.dryRun());
      },
    );

    admin.post<{ Querystring: { pool?: string }; Body: { plan_id: string } }>(
      '/api/admin/payouts',
      {
        schema: {
          summary: 'Run payouts now; plan_id must be the id of the current plan (GET /api/admin/payouts/plan), else 409 with the new plan',
          security,
          querystring: poolQuery,
          body: { type: 'object', required: ['plan_id'], properties: { plan_id: { type: 'string', pattern: '^[0-9a-f]{16}$' } } },
        },
      },
      async (req, reply) => {
        const view = selectPool(ctx, req.query.pool);
        const payouts = payoutControls(view);
        const plan = await payouts.dryRun();
        if (planId(plan) !== req.body.plan_id) {
          return reply.status(409).send({ error: 'the payout plan changed since it was shown; review the new plan', plan: planJson(plan) });
        }
        logger.info(
          { event: 'admin_payout', plan: req.body.plan_id, total: plan.total.toString(), remote: req.ip },
          'operator triggered a payout run',
        );
        const report = await payouts.runNow();
        return {
          leader: report.leader,
          errors: report.errors,
          paid: report.payments?.paid ?? [],
          failures: report.payments?.failures ?? [],
          confirmed_payment_ids: report.payments?.confirmed ?? [],
          plan: planJson(report.payments?.plan ?? plan),
        };
      },
    );

    admin.get<PoolQuery>(
      '/api/admin/node-errors',
      { schema: { summary: 'Recent node errors, newest first', security, querystring: poolQuery } },
      async (req) => {
        const view = selectPool(ctx, req.query.pool);
        return {
          current: view.nodeError(),
          recent: controls(view)
            .nodeErrors()
            .map((e) => ({ at: new Date(e.at).toISOString(), message: e.message })),
        };
      },
    );
  });
}

function banList(view: PoolView): NonNullable<PoolAdminControls['bans']> {
  const bans = controls(view).bans;
  if (!bans) throw new ApiError(404, `the ${view.name} pool keeps no ban list in this process`);
  return bans;
}

function payoutControls(view: PoolView): NonNullable<PoolAdminControls['payouts']> {
  const payouts = controls(view).payouts;
  if (!payouts) throw new ApiError(404, `the ${view.name} pool runs no payouts in this process`);
  return payouts;
}
