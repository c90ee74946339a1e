/**
 * The money side of each pool's API: balances (immature / confirmed), payments with their txids, and for any block
 * which addresses earned what.
 */
import type { FastifyInstance } from 'fastify';
import { unitsToCoinString } from '../core/amount.js';
import type { PaymentRow, PaymentStatus, Store } from '../store/types.js';

/**
 * One unit for SHA-256d and Ethash shares (see src/pool/ethash-share.ts): a share counts DIFF1_TARGET / its share
 * target, i.e. its expected hashes × 65535 / 2^48, so both kinds weigh exactly by the work their targets cost.
 */
const SHARE_DIFFICULTY_UNIT =
  'pool difficulty = DIFF1_TARGET / share target (SHA-256d: the job difficulty; Ethash difficulty D: D x 65535/65536); expected_hashes = difficulty x 2^256 / DIFF1_TARGET';
const HASHES_PER_DIFFICULTY = 2 ** 48 / 0xffff;

const PAYMENT_STATUSES: PaymentStatus[] = ['pending', 'sent', 'confirmed', 'failed'];

function paymentJson(p: PaymentRow): Record<string, unknown> {
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

function parseLimit(raw: string | undefined, fallback: number): number | string {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : `limit must be an integer 1..1000, got ${JSON.stringify(raw)}`;
}

export function registerLedgerRoutes(
  app: FastifyInstance,
  opts: { pool: string; store: Store; validateAddress: (address: string) => string | null },
): void {
  const { pool, store } = opts;

  app.get('/api/balances', async () => {
    const rows = await store.balances(pool);
    return rows.map((b) => ({
      address: b.address,
      immature: unitsToCoinString(b.immature),
      confirmed: unitsToCoinString(b.confirmed),
      immature_units: b.immature.toString(),
      confirmed_units: b.confirmed.toString(),
    }));
  });

  app.get<{ Params: { address: string }; Querystring: { limit?: string } }>('/api/miners/:address', async (req, reply) => {
    const limit = parseLimit(req.query.limit, 50);
    if (typeof limit === 'string') return reply.status(400).send({ error: limit });
    const { address } = req.params;
    const problem = address.length > 128 ? 'longer than 128 characters' : opts.validateAddress(address);
    if (problem !== null) return reply.status(400).send({ error: `not a valid address: ${problem}` });
    const [balance, payments] = await Promise.all([store.balanceOf(pool, address), store.paymentsByAddress(pool, address, limit)]);
    return {
      address,
      immature: unitsToCoinString(balance.immature),
      confirmed: unitsToCoinString(balance.confirmed),
      immature_units: balance.immature.toString(),
      confirmed_units: balance.confirmed.toString(),
      payments: payments.map(paymentJson),
    };
  });

  app.get<{ Querystring: { status?: string; limit?: string } }>('/api/payments', async (req, reply) => {
    const limit = parseLimit(req.query.limit, 100);
    if (typeof limit === 'string') return reply.status(400).send({ error: limit });
    const wanted = req.query.status === undefined ? PAYMENT_STATUSES : req.query.status.split(',');
    const bad = wanted.find((s) => !PAYMENT_STATUSES.includes(s as PaymentStatus));
    if (bad !== undefined)
      return reply.status(400).send({ error: `unknown payment status '${bad.slice(0, 32)}': use ${PAYMENT_STATUSES.join(', ')}` });
    const rows = await store.paymentsByStatus(pool, wanted as PaymentStatus[], limit);
    return rows.map(paymentJson);
  });

  app.get<{ Params: { id: string } }>('/api/blocks/:id/rewards', async (req, reply) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id < 1)
      return reply.status(400).send({ error: `block id must be a positive integer, got ${JSON.stringify(req.params.id)}` });
    const block = await store.blockById(id);
    if (!block || block.pool !== pool) return reply.status(404).send({ error: `no block ${id} in the ${pool} pool` });
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
      share_difficulty_unit: SHARE_DIFFICULTY_UNIT,
      rewards: rewards.map((r) => ({
        address: r.address,
        amount: unitsToCoinString(r.amount),
        amount_units: r.amount.toString(),
        share_difficulty_sum: r.shareDifficultySum,
        // The work the shares stand for, whatever the algorithm: difficulty × 2^256 / DIFF1_TARGET hashes.
        expected_hashes: Math.round(r.shareDifficultySum * HASHES_PER_DIFFICULTY),
        share_count: r.shareCount,
      })),
    };
  });
}
