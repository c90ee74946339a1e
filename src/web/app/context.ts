/** What every page gets: the selected pool, the live feed, links, and a place to register cleanups. */
import type { PoolInfo } from './api.js';
import type { LiveFeed } from './live.js';

export const PAGES = ['overview', 'connect', 'miner', 'blocks', 'block', 'payments', 'top', 'network', 'faq'] as const;
export type PageName = (typeof PAGES)[number];

export interface PageContext {
  pool: PoolInfo;
  pools: PoolInfo[];
  live: LiveFeed;
  /** `#/general/blocks`: links keep the pool in the URL so they can be shared. */
  href(page: PageName, arg?: string): string;
  /** Runs when the page is left (timers, live subscriptions, charts). */
  onLeave(cleanup: () => void): void;
}

export type Page = (root: HTMLElement, ctx: PageContext, arg: string | undefined) => void;

export interface Route {
  pool: string | null;
  page: PageName;
  arg: string | undefined;
}

/** `#/asic/miner/tGXC…` → { pool: 'asic', page: 'miner', arg: 'tGXC…' }; anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [pool, page, ...rest] = parts;
  const known = (PAGES as readonly string[]).includes(page ?? '') ? (page as PageName) : 'overview';
  return { pool: pool ?? null, page: known, arg: rest.length ? rest.join('/') : undefined };
}

export function routeHref(pool: string, page: PageName, arg?: string): string {
  return `#/${encodeURIComponent(pool)}/${page}${arg === undefined ? '' : `/${encodeURIComponent(arg)}`}`;
}

/** The stratum URL a miner types, with this page's host name when the pool binds every interface. */
export function stratumUrl(pool: PoolInfo, pageHost: string): string {
  const host = pageHost.includes(':') && !pageHost.startsWith('[') ? `[${pageHost}]` : pageHost;
  const fromApi = pool.stratum_url?.replace(/\/\/(0\.0\.0\.0|\[::\]|::|HOST)(?=:)/, `//${host}`);
  return fromApi && !fromApi.includes('//0.0.0.0') ? fromApi : `stratum+tcp://${host}:${pool.stratum_port}`;
}

export function isEthash(pool: PoolInfo): boolean {
  return pool.algorithms.includes('ethash');
}

export function isSha256d(pool: PoolInfo): boolean {
  return pool.algorithms.includes('sha256d');
}
