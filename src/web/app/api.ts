/**
 * The dashboard's view of the pool's JSON API (docs/api.md). Every request names the pool, since every web port
 * serves every pool of the process. Fields the page reads are typed here; the rest of each answer is ignored.
 */

export interface PoolInfo {
  name: string;
  algorithms: string[];
  chain: string;
  coin: string;
  stratum_port: number;
  stratum_url: string;
  web_port: number | null;
  fee_percent: number | null;
  scheme: string | null;
  pplns_window: number | null;
  min_payout: string | null;
  maturity: number | null;
  payout_interval_seconds: number | null;
  starting_difficulty: number;
  /** The pool whose web port answered (the page's default). */
  own: boolean;
}

export interface Stats {
  pool_name: string;
  active_miners: number;
  accepted_shares: number;
  rejected_shares: number;
  blocks_found: number;
  confirmed_blocks: number;
  hashrate: number;
  workers_in_window: number;
  miners_in_window: number;
  connections: number;
  height: number | null;
  network_difficulty: number | null;
  round_effort: number | null;
  node_ok: boolean;
  node_error: string | null;
  rejected_by_reason: Record<string, number>;
}

/** The `stats` live event: the moving part of Stats. */
export type StatsEvent = Pick<
  Stats,
  'hashrate' | 'active_miners' | 'accepted_shares' | 'rejected_shares' | 'height' | 'network_difficulty' | 'round_effort'
> & {
  t: number;
};

export interface HistoryPoint {
  /** Unix ms of the bucket start. */
  t: number;
  hashrate: number;
  shares: number;
  accepted_difficulty: number;
  network_difficulty: number | null;
  miners: number;
  workers: number;
}

export interface Block {
  id: number;
  hash: string;
  height: number;
  address: string;
  worker: string;
  status: string;
  reason: string | null;
  confirmations: number;
  reward_units: string;
  found_at: string;
  effort: number | null;
  network_difficulty: number;
}

export interface Payment {
  id: number;
  address: string;
  amount: string;
  status: string;
  txid: string | null;
  created_at: string;
}

export interface MinerAccount {
  address: string;
  immature: string;
  confirmed: string;
  payments: Payment[];
  hashrate: number;
  workers_online: number;
  /** This miner's credits, per block. */
  rewards: Array<{ block_id: number; amount: string; created_at: string }>;
}

export interface Worker {
  worker: string;
  online: boolean;
  hashrate: number;
  current_difficulty: number | null;
  best_share: number;
  last_share: string | number | null;
  accepted: number;
  rejected: number;
  rejected_by_reason?: Record<string, number>;
}

export interface BlockRewards {
  block: { id: number; height: number; hash: string; status: string; reward: string };
  rewards: Array<{ address: string; amount: string; share_difficulty_sum: number; share_count: number }>;
}

export interface NetworkInfo {
  node_reachable: boolean;
  node_error: string | null;
  node: string | null;
  dialect: string | null;
  chain: string;
  height: number | null;
  network_difficulty: number | null;
  network_hashrate: number | null;
  block_interval_seconds: number | null;
  last_template_at: string | null;
  last_template_age_seconds: number | null;
}

export interface TopMiner {
  rank: number;
  address: string;
  hashrate: number;
  shares_in_window: number;
  workers: number;
  last_share: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An API path for one pool: every route takes `?pool=NAME` (docs/api.md). */
export function poolPath(pool: string, path: string): string {
  return `/api${path}${path.includes('?') ? '&' : '?'}pool=${encodeURIComponent(pool)}`;
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : res.statusText;
    throw new ApiError(res.status, message);
  }
  return body as T;
}

export const api = {
  pools: () => getJson<PoolInfo[]>('/api/pools'),
  stats: (pool: string) => getJson<Stats>(poolPath(pool, '/stats')),
  history: (pool: string, range: '1h' | '24h' | '30d') => getJson<{ points: HistoryPoint[] }>(poolPath(pool, `/stats/history?range=${range}`)),
  blocks: (pool: string, limit = 50) => getJson<Block[]>(poolPath(pool, `/blocks?limit=${limit}`)),
  blockRewards: (pool: string, id: number) => getJson<BlockRewards>(poolPath(pool, `/blocks/${id}/rewards`)),
  payments: (pool: string, limit = 100) => getJson<Payment[]>(poolPath(pool, `/payments?limit=${limit}`)),
  miner: (pool: string, address: string) => getJson<MinerAccount>(poolPath(pool, `/miners/${encodeURIComponent(address)}`)),
  minerHistory: (pool: string, address: string, range: '1h' | '24h') =>
    getJson<{ points: HistoryPoint[] }>(poolPath(pool, `/miners/${encodeURIComponent(address)}/history?range=${range}`)),
  workers: (pool: string, address: string) => getJson<Worker[]>(poolPath(pool, `/miners/${encodeURIComponent(address)}/workers`)),
  network: (pool: string) => getJson<NetworkInfo>(poolPath(pool, '/network')),
  topMiners: (pool: string, limit = 50) => getJson<TopMiner[]>(poolPath(pool, `/top-miners?limit=${limit}`)),
};

/** History points carry `t` in Unix ms; uPlot wants seconds. */
export function pointSeconds(t: number): number {
  return t / 1000;
}
