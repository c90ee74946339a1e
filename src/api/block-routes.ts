/** Blocks: the list (seed field names first), one block by hash with its reward split, and round effort. */
import type { FastifyInstance } from 'fastify';
import type { BlockRow, LedgerBlockRow, Store } from '../store/types.js';
import { memo } from './cache.js';
import { SHARE_DIFFICULTY_UNIT, rewardJson } from './ledger-routes.js';
import { ApiError, type ApiContext, CURSOR_PARAM, LIMIT_PARAM, POOL_PARAM, beforeIdOf, nextCursor, selectPool } from './params.js';
import { arr, blockDetailSchema, blockSchema, errorResponses } from './schemas.js';

const COIN_DECIMALS = 8;

export function blockJson(b: BlockRow, effort: number | null): Record<string, unknown> {
  return {
    // Seed field names first.
    hash: b.hash,
    number: b.height,
    miner: `${b.address}.${b.worker}`,
    found_at: new Date(b.createdAt).toISOString(),
    confirmed: b.status === 'confirmed',
    reward: Number(b.reward) / 10 ** COIN_DECIMALS,
    // Then the full picture.
    id: b.id,
    height: b.height,
    address: b.address,
    worker: b.worker,
    status: b.status,
    reason: b.reason,
    confirmations: b.confirmations,
    reward_units: b.reward.toString(),
    network_difficulty: b.networkDifficulty,
    prev_hash: b.prevHash,
    header_hex: b.headerHex,
    chain: b.chain,
    effort,
  };
}

/**
 * Effort of the round a block ended: the difficulty of the pool's shares since the previous round-ending block,
 * over the block's network difficulty (1.0 = exactly the expected work; luck is its inverse). Null when the
 * block has no share row (its share could not be stored).
 */
export async function blockEffort(store: Store, b: LedgerBlockRow): Promise<number | null> {
  const { shareId } = b;
  if (shareId === null || b.networkDifficulty <= 0) return null;
  // A closed round only changes if an earlier candidate is later judged found: a minute is fresh enough.
  return memo(store, `effort:block:${b.id}`, 60_000, async () => {
    const previous = await store.previousBlockShareId(b.pool, b.id);
    const totals = await store.shareTotalsBetween(b.pool, previous ?? 0, shareId);
    return totals.reduce((sum, t) => sum + t.difficultySum, 0) / b.networkDifficulty;
  });
}

/** Effort of the round in progress, against the current network difficulty. */
export async function currentRoundEffort(store: Store, pool: string, networkDifficulty: number | null): Promise<number | null> {
  if (networkDifficulty === null || networkDifficulty <= 0) return null;
  return memo(store, `effort:round:${pool}:${networkDifficulty}`, 3_000, async () => {
    const previous = await store.previousBlockShareId(pool, Number.MAX_SAFE_INTEGER);
    const totals = await store.shareTotalsBetween(pool, previous ?? 0, Number.MAX_SAFE_INTEGER);
    return totals.reduce((sum, t) => sum + t.difficultySum, 0) / networkDifficulty;
  });
}

export function registerBlockRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx;

  app.get<{ Querystring: { pool?: string; limit?: number; cursor?: string; before?: string } }>(
    '/api/blocks',
    {
      schema: {
        summary: 'Blocks found by the pool, newest first',
        description: 'Paginated: pass the X-Next-Cursor header of a page as `cursor` (or `before`) for the next.',
        querystring: {
          type: 'object',
          properties: { pool: POOL_PARAM, limit: { ...LIMIT_PARAM, default: 50 }, cursor: CURSOR_PARAM, before: CURSOR_PARAM },
        },
        response: { 200: arr(blockSchema), ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = selectPool(ctx, req.query.pool);
      const limit = req.query.limit ?? 50;
      const blocks = await store.recentBlocks(view.name, limit, beforeIdOf(req.query.cursor ?? req.query.before));
      const last = blocks.at(-1);
      nextCursor(reply, blocks.length === limit && last !== undefined && last.id > 1 ? last.id : null);
      return Promise.all(blocks.map(async (b) => blockJson(b, await blockEffort(store, b))));
    },
  );

  app.get<{ Params: { hash: string }; Querystring: { pool?: string } }>(
    '/api/blocks/:hash',
    {
      schema: {
        summary: 'One block by hash (or by numeric id): status, finder, reward, effort, confirmations and its reward split',
        params: { type: 'object', properties: { hash: { type: 'string', pattern: '^([0-9a-fA-F]{64}|[0-9]{1,15})$' } } },
        querystring: { type: 'object', properties: { pool: POOL_PARAM } },
        response: { 200: blockDetailSchema, ...errorResponses },
      },
    },
    async (req) => {
      const view = selectPool(ctx, req.query.pool);
      const ref = req.params.hash;
      const block = ref.length === 64 ? await store.blockByHash(view.name, ref.toLowerCase()) : await store.blockById(Number(ref));
      if (!block || block.pool !== view.name) throw new ApiError(404, `no block ${ref} in the ${view.name} pool`);
      const rewards = await store.blockRewards(block.id);
      return {
        block: blockJson(block, await blockEffort(store, block)),
        credit_state: block.creditState,
        rewards: rewards.map(rewardJson),
        share_difficulty_unit: SHARE_DIFFICULTY_UNIT,
      };
    },
  );
}
