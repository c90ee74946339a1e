/**
 * JSON Schemas of the API's answers: fastify serializes with them and @fastify/swagger turns them into the
 * OpenAPI document (/api/openapi.json). Objects allow additional properties so a field added in a handler is
 * never silently dropped; the listed ones are the documented contract.
 */

type Schema = Record<string, unknown>;

export const str: Schema = { type: 'string' };
export const num: Schema = { type: 'number' };
export const int: Schema = { type: 'integer' };
export const bool: Schema = { type: 'boolean' };
export const nullable = (s: Schema): Schema => ({ ...s, type: [s.type, 'null'] });
export const arr = (items: Schema): Schema => ({ type: 'array', items });
export const obj = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: true,
  ...(description === undefined ? {} : { description }),
});
const dict = (value: Schema): Schema => ({ type: 'object', additionalProperties: value });

export const errorSchema = obj({ error: str }, 'What was wrong with the request');
/** Error answers every route may give. */
export const errorResponses = { 400: errorSchema, 404: errorSchema };

const isoTime = { type: 'string', format: 'date-time' };
const coins = { type: 'string', description: 'Amount in coins with 8 decimals' };
const units = { type: 'string', description: 'Amount in the smallest unit (integer as text)' };

export const rejectsSchema = obj({ stale: int, duplicate: int, low_difficulty: int, other: int }, 'Rejected shares by reason');

export const poolSchema = obj({
  name: str,
  algorithms: arr(str),
  chain: str,
  coin: str,
  stratum_port: int,
  stratum_url: str,
  web_port: nullable(int),
  fee_percent: nullable(num),
  scheme: nullable(str),
  pplns_window: nullable(num),
  min_payout: nullable(str),
  maturity: nullable(int),
  payout_interval_seconds: nullable(num),
  starting_difficulty: num,
  own: bool,
});

export const statsSchema = obj({
  pool_name: str,
  algorithm: str,
  active_miners: int,
  total_shares: int,
  accepted_shares: int,
  rejected_shares: int,
  blocks_found: int,
  confirmed_blocks: int,
  difficulty: num,
  current_job: nullable(str),
  chain: str,
  coin: str,
  stratum_port: int,
  connections: int,
  hashrate: num,
  hashrate_window_seconds: num,
  shares_in_window: int,
  miners_in_window: int,
  workers_in_window: int,
  rejected_by_reason: rejectsSchema,
  blocks_rejected_by_node: int,
  blocks_awaiting_verdict: int,
  height: nullable(int),
  network_difficulty: nullable(num),
  node_ok: bool,
  node_error: nullable(str),
  round_effort: nullable(num),
  last_block: nullable(obj({ hash: str, height: int, status: str, found_at: isoTime })),
});

export const pointSchema = obj({
  t: int,
  hashrate: num,
  shares: int,
  accepted_difficulty: num,
  network_difficulty: nullable(num),
  miners: int,
  workers: int,
});
export const historySchema = obj({ range: str, resolution_seconds: int, points: arr(pointSchema) });

export const minerListItemSchema = obj({
  id: str,
  username: str,
  address: str,
  total_shares: int,
  accepted_shares: int,
  rejected_shares: int,
  hash_rate: num,
  connected_at: nullable(isoTime),
  last_seen: isoTime,
  workers: int,
  connections: int,
  shares_in_window: int,
});

export const paymentSchema = obj({
  id: int,
  address: str,
  amount: coins,
  amount_units: units,
  status: str,
  txid: nullable(str),
  attempts: int,
  error: nullable(str),
  batch_id: str,
  created_at: isoTime,
  updated_at: isoTime,
});

export const workerSchema = obj({
  worker: str,
  online: bool,
  hashrate: num,
  current_difficulty: nullable(num),
  best_share: num,
  last_share: nullable(isoTime),
  shares: int,
  shares_in_window: int,
  accepted: int,
  rejected: int,
  rejected_percent: num,
  rejected_by_reason: rejectsSchema,
  connections: int,
  user_agent: nullable(str),
});

export const blockSchema = obj({
  hash: str,
  number: int,
  miner: str,
  found_at: isoTime,
  confirmed: bool,
  reward: num,
  id: int,
  height: int,
  address: str,
  worker: str,
  status: str,
  reason: nullable(str),
  confirmations: int,
  reward_units: units,
  network_difficulty: num,
  prev_hash: str,
  header_hex: str,
  chain: str,
  effort: nullable(num),
});

export const rewardSchema = obj({
  address: str,
  amount: coins,
  amount_units: units,
  share_difficulty_sum: num,
  expected_hashes: num,
  share_count: int,
});
export const blockDetailSchema = obj({ block: blockSchema, rewards: arr(rewardSchema), credit_state: str, share_difficulty_unit: str });

export const networkSchema = obj({
  pool: str,
  node_reachable: bool,
  node_error: nullable(str),
  node: nullable(str),
  dialect: str,
  chain: str,
  height: nullable(int),
  network_difficulty: nullable(num),
  network_hashrate: nullable(num),
  block_interval_seconds: nullable(num),
  last_template_at: nullable(isoTime),
  last_template_age_seconds: nullable(num),
});

export const topMinerSchema = obj({ rank: int, address: str, hashrate: num, shares_in_window: int, workers: int, last_share: isoTime });

export const balanceSchema = obj({ address: str, immature: coins, confirmed: coins, immature_units: units, confirmed_units: units });

export const minerDetailSchema = obj({
  address: str,
  immature: coins,
  confirmed: coins,
  immature_units: units,
  confirmed_units: units,
  payments: arr(paymentSchema),
  hashrate: num,
  workers_online: int,
  rewards: arr(obj({ block_id: int, amount: coins, amount_units: units, created_at: isoTime })),
});

export { dict };
