/**
 * The dashboard's view of the pool's JSON API (docs/api.md). Every request names the pool, since every web port
 * serves every pool of the process. Fields the page reads are typed here; the rest of each answer is ignored.
 */

export interface PoolInfo {
  name: string;
  algorithms: string[];
  stratum_port: number;
  stratum_url?: string;
  web_port: number;
  chain: string;
  coin: string;
  fee: number;
  scheme: string;
  pplns_window: number;
  min_payout: string;
  maturity: number;
  starting_difficulty: number;
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
  network_hashrate?: number | null;
  round_effort?: number | null;
  best_share?: number | null;
  node_ok: boolean;
  node_error: string | null;
  rejected_by_reason: Record<string, number>;
}

export interface HistoryPoint {
  t: number | string;
  hashrate: number;
  shares?: number;
  accepted_difficulty?: number;
  network_difficulty?: number | null;
  miners?: number;
  workers?: number;
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
  reward: number;
  reward_units: string;
  found_at: string;
  effort?: number | null;
  network_difficulty: number;
}

export interface Payment {
  id: number;
  address: string;
  amount: string;
  status: string;
  txid: string | null;
  created_at: string;
  updated_at: string;
}

export interface MinerAccount {
  address: string;
  immature: string;
  confirmed: string;
  payments: Payment[];
}

export interface Worker {
  name: string;
  online: boolean;
  hashrate: number;
  difficulty: number | null;
  best_share: number | null;
  last_share_at: string | number | null;
  accepted?: number;
  rejected?: number;
  rejected_percent_by_reason?: Record<string, number>;
}

export interface BlockRewards {
  block: { id: number; height: number; hash: string; status: string; reward: string };
  rewards: Array<{ address: string; amount: string; share_difficulty_sum: number; share_count: number }>;
}

export interface NetworkInfo {
  reachable: boolean;
  height: number | null;
  difficulty: number | null;
  last_template_age_seconds?: number | null;
  dialect: string | null;
  error?: string | null;
  chain?: string;
}

export interface TopMiner {
  address: string;
  hashrate: number;
  workers?: number;
  shares?: number;
  last_share_at?: string | number | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `/api/stats` of one pool, as docs/api.md routes it. */
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
  pools: () => getJson<PoolInfo[] | { pools: PoolInfo[] }>('/api/pools').then((r) => (Array.isArray(r) ? r : r.pools)),
  stats: (pool: string) => getJson<Stats>(poolPath(pool, '/stats')),
  history: (pool: string, range: '1h' | '24h' | '30d') => getJson<{ points: HistoryPoint[] }>(poolPath(pool, `/stats/history?range=${range}`)),
  blocks: (pool: string, limit = 50) => getJson<Block[] | { blocks: Block[] }>(poolPath(pool, `/blocks?limit=${limit}`)).then(list('blocks')),
  blockRewards: (pool: string, id: number) => getJson<BlockRewards>(poolPath(pool, `/blocks/${id}/rewards`)),
  payments: (pool: string, limit = 100) =>
    getJson<Payment[] | { payments: Payment[] }>(poolPath(pool, `/payments?limit=${limit}`)).then(list('payments')),
  miner: (pool: string, address: string) => getJson<MinerAccount>(poolPath(pool, `/miners/${encodeURIComponent(address)}`)),
  minerHistory: (pool: string, address: string, range: '1h' | '24h') =>
    getJson<{ points: HistoryPoint[] }>(poolPath(pool, `/miners/${encodeURIComponent(address)}/history?range=${range}`)),
  workers: (pool: string, address: string) =>
    getJson<Worker[] | { workers: Worker[] }>(poolPath(pool, `/miners/${encodeURIComponent(address)}/workers`)).then(list('workers')),
  network: (pool: string) => getJson<NetworkInfo>(poolPath(pool, '/network')),
  topMiners: (pool: string) => getJson<TopMiner[] | { miners: TopMiner[] }>(poolPath(pool, '/top-miners')).then(list('miners')),
};

/** Lists come bare or wrapped with a cursor ({ blocks: [...], next_cursor }); the page wants the rows. */
function list<K extends string>(key: K) {
  return <T>(r: T[] | Record<K, T[]>): T[] => (Array.isArray(r) ? r : r[key]);
}

/** History points carry `t` in ms, s or ISO text; uPlot wants seconds. */
export function pointSeconds(t: number | string): number {
  if (typeof t === 'string') return Date.parse(t) / 1000;
  return t > 1e11 ? t / 1000 : t;
}
