/**
 * The money side of each pool's API: balances (immature / confirmed), payments with their txids, and for any block
 * which addresses earned what.
 */
import type { FastifyInstance } from 'fastify';
import { unitsToCoinString } from '../core/amount.js';
import type { BlockRewardRow, PaymentRow, PaymentStatus } from '../store/types.js';
import { ApiError, type ApiContext, CURSOR_PARAM, LIMIT_PARAM, POOL_PARAM, beforeIdOf, nextCursor, pageOf, selectPool } from './params.js';
import { arr, balanceSchema, errorResponses, int, obj, paymentSchema, rewardSchema, str } from './schemas.js';

/**
 * One unit for SHA-256d and Ethash shares (see src/pool/ethash-share.ts): a share counts DIFF1_TARGET / its share
 * target, i.e. its expected hashes × 65535 / 2^48, so both kinds weigh exactly by the work their targets cost.
 */
export const SHARE_DIFFICULTY_UNIT =
  'pool difficulty = DIFF1_TARGET / share target (SHA-256d: the job difficulty; Ethash difficulty D: D x 65535/65536); expected_hashes = difficulty x 2^256 / DIFF1_TARGET';
const HASHES_PER_DIFFICULTY = 2 ** 48 / 0xffff;

const PAYMENT_STATUSES: PaymentStatus[] = ['pending', 'sent', 'confirmed', 'failed'];

/** One address's part of a block, with the work its shares stand for. */
export function rewardJson(r: BlockRewardRow): Record<string, unknown> {
  return {
    address: r.address,
    amount: unitsToCoinString(r.amount),
    amount_units: r.amount.toString(),
    share_difficulty_sum: r.shareDifficultySum,
    // The work the shares stand for, whatever the algorithm: difficulty × 2^256 / DIFF1_TARGET hashes.
    expected_hashes: Math.round(r.shareDifficultySum * HASHES_PER_DIFFICULTY),
    share_count: r.shareCount,
  };
}

export function paymentJson(p: PaymentRow): Record<string, unknown> {
  return {
    id: p.id,
    address: p.address,
    amount: unitsToCoinString(p.amount),
    amount_units: p.amount.toString(),
    status: p.status,
    txid: p.txid,
    attempts: p.attempts,
    error: p.error,
    batch_id: p.batchId,
    created_at: new Date(p.createdAt).toISOString(),
    updated_at: new Date(p.updatedAt).toISOString(),
  };
}

export function registerLedgerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<{ Querystring: { pool?: string; limit?: number; cursor?: string } }>(
    '/api/balances',
    {
      schema: {
        summary: 'Balances of every address with a non-zero part',
        querystring: { type: 'object', properties: { pool: POOL_PARAM, limit: LIMIT_PARAM, cursor: CURSOR_PARAM } },
        response: { 200: arr(balanceSchema), ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const rows = await store.balances(view.name);
      const all = rows.map((b) => ({
        address: b.address,
        immature: unitsToCoinString(b.immature),
        confirmed: unitsToCoinString(b.confirmed),
        immature_units: b.immature.toString(),
        confirmed_units: b.confirmed.toString(),
      }));
      return pageOf(reply, all, req.query.limit ?? 1000, req.query.cursor);
    },
  );

  app.get<{ Querystring: { pool?: string; status?: string; limit?: number; cursor?: string; before?: string } }>(
    '/api/payments',
    {
      schema: {
        summary: 'Payments, newest first, optionally of some statuses (status=sent,confirmed)',
        querystring: {
          type: 'object',
          properties: {
            pool: POOL_PARAM,
            status: { type: 'string', maxLength: 64, description: PAYMENT_STATUSES.join(', ') },
            limit: LIMIT_PARAM,
            cursor: CURSOR_PARAM,
            before: CURSOR_PARAM,
          },
        },
        response: { 200: arr(paymentSchema), ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const limit = req.query.limit ?? 100;
      const wanted = req.query.status === undefined ? PAYMENT_STATUSES : req.query.status.split(',');
      const bad = wanted.find((s) => !PAYMENT_STATUSES.includes(s as PaymentStatus));
      if (bad !== undefined) throw new ApiError(400, `unknown payment status '${bad.slice(0, 32)}': use ${PAYMENT_STATUSES.join(', ')}`);
      const rows = await store.paymentsPage(view.name, {
        statuses: wanted as PaymentStatus[],
        limit,
        beforeId: beforeIdOf(req.query.cursor ?? req.query.before),
      });
      const last = rows.at(-1);
      nextCursor(reply, rows.length === limit && last ? last.id : null);
      return rows.map(paymentJson);
    },
  );

  app.get<{ Params: { hash: string }; Querystring: { pool?: string } }>(
    '/api/blocks/:hash/rewards',
    {
      schema: {
        summary: 'Who earned what in one block (by block id)',
        params: { type: 'object', properties: { hash: { type: 'string', maxLength: 64 } } },
        querystring: { type: 'object', properties: { pool: POOL_PARAM } },
        response: {
          200: obj({
            block: obj({ id: int, height: int, hash: str, status: str, reward: str, credit_state: str }),
            rewards: arr(rewardSchema),
            share_difficulty_unit: str,
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const view = selectPool(ctx, req.query.pool);
      const id = Number(req.params.hash);
      if (!Number.isSafeInteger(id) || id < 1) throw new ApiError(400, `block id must be a positive integer, got ${JSON.stringify(req.params.hash)}`);
      const block = await store.blockById(id);
      if (!block || block.pool !== view.name) throw new ApiError(404, `no block ${id} in the ${view.name} pool`);
      const rewards = await store.blockRewards(id);
      return {
        block: {
          id: block.id,
          height: block.height,
          hash: block.hash,
          status: block.status,
          reward: unitsToCoinString(block.reward),
          credit_state: block.creditState,
        },
        rewards: rewards.map(rewardJson),
        share_difficulty_unit: SHARE_DIFFICULTY_UNIT,
      };
    },
  );
}
