/**
 * The dashboard shell: navigation with the pool switcher and miner search, the router (pages live in the URL hash:
 * `#/POOL/PAGE/ARG`), the live feed for the selected pool, and the once-a-second refresh of relative times.
 */
import './style.css';
import './components.css';
import { api, type PoolInfo } from './api.js';
import { type PageContext, type PageName, type Page, parseRoute, routeHref } from './context.js';
import { fill, h, tickTimes } from './dom.js';
import { LiveFeed, type LiveState } from './live.js';
import { blockPage, blocksPage } from './pages/blocks.js';
import { connectPage } from './pages/connect.js';
import { faqPage } from './pages/faq.js';
import { minerPage } from './pages/miner.js';
import { networkPage } from './pages/network.js';
import { overviewPage } from './pages/overview.js';
import { paymentsPage } from './pages/payments.js';
import { topMinersPage } from './pages/top.js';

const PAGE_VIEWS: Record<PageName, Page> = {
  overview: overviewPage,
  connect: connectPage,
  miner: minerPage,
  blocks: blocksPage,
  block: blockPage,
  payments: paymentsPage,
  top: topMinersPage,
  network: networkPage,
  faq: faqPage,
};

const NAV: Array<[PageName, string]> = [
  ['overview', 'Overview'],
  ['connect', 'Connect'],
  ['blocks', 'Blocks'],
  ['payments', 'Payments'],
  ['top', 'Top miners'],
  ['network', 'Network'],
  ['faq', 'Getting started'],
];

let pools: PoolInfo[] = [];
let currentPool: PoolInfo | null = null;
/** The miner page asks the feed for that miner's `miner` events too. */
let liveMiner: string | null = null;
let cleanups: Array<() => void> = [];
const liveListeners = new Set<(state: LiveState) => void>();
/** Kept so a page drawn while the feed is already open shows it as live. */
let liveState: LiveState = 'connecting';
const live = new LiveFeed(
  () => `/api/events?pool=${encodeURIComponent(currentPool?.name ?? '')}${liveMiner ? `&miner=${encodeURIComponent(liveMiner)}` : ''}`,
  (state) => {
    liveState = state;
    for (const l of liveListeners) l(state);
  },
);

/** The pool whose web port served this page is the default; any other is one click away. */
function defaultPool(): PoolInfo | undefined {
  const port = Number(location.port || (location.protocol === 'https:' ? 443 : 80));
  return pools.find((p) => p.own) ?? pools.find((p) => p.web_port === port) ?? pools[0];
}

function render(): void {
  const route = parseRoute(location.hash);
  const pool = pools.find((p) => p.name === route.pool);
  if (!pool) {
    const fallback = defaultPool();
    if (fallback) location.replace(routeHref(fallback.name, route.page, route.arg));
    return;
  }
  const miner = route.page === 'miner' && route.arg ? route.arg : null;
  if (currentPool?.name !== pool.name || liveMiner !== miner) {
    currentPool = pool;
    liveMiner = miner;
    live.start();
  }
  for (const c of cleanups) c();
  cleanups = [];

  const shell = document.getElementById('app')!;
  const main = h('main', { id: 'page', 'data-page': route.page, 'data-pool': pool.name });
  fill(shell, nav(pool, route.page), main);
  document.title = `${pool.name} pool · ${NAV.find(([p]) => p === route.page)?.[1] ?? (route.page === 'miner' ? 'Miner' : 'Block')} · gxc-pool`;
  const ctx: PageContext = {
    pool,
    pools,
    live,
    href: (page, arg) => routeHref(pool.name, page, arg),
    onLeave: (cleanup) => cleanups.push(cleanup),
  };
  PAGE_VIEWS[route.page](main, ctx, route.arg);
  window.scrollTo(0, 0);
}

function nav(pool: PoolInfo, page: PageName): HTMLElement {
  const switcher = h(
    'select',
    {
      id: 'pool-switcher',
      'aria-label': 'Pool',
      onchange: (ev: Event) => {
        location.hash = routeHref((ev.target as HTMLSelectElement).value, page === 'miner' || page === 'block' ? 'overview' : page);
      },
    },
    ...pools.map((p) => h('option', { value: p.name, selected: p.name === pool.name }, `${p.name} · ${p.algorithms.join('+')}`)),
  );
  const search = h(
    'form',
    {
      class: 'search',
      role: 'search',
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        const address = (ev.currentTarget as HTMLFormElement).querySelector('input')!.value.trim();
        if (address) location.hash = routeHref(pool.name, 'miner', address);
      },
    },
    h('input', {
      id: 'miner-search',
      type: 'search',
      placeholder: 'Payout address…',
      'aria-label': 'Payout address',
      autocomplete: 'off',
      spellcheck: 'false',
    }),
    h('button', { type: 'submit' }, 'Look up'),
  );
  const dot = h('span', { id: 'live-state', class: 'live-dot', title: 'connecting', 'data-state': 'connecting' });
  const setState = (state: LiveState): void => {
    dot.dataset.state = state;
    dot.title = state === 'live' ? 'live: updates arrive as they happen' : state;
  };
  liveListeners.clear();
  liveListeners.add(setState);
  setState(liveState);
  const menu = h('input', { type: 'checkbox', id: 'menu-toggle', class: 'menu-toggle', 'aria-label': 'Menu' });
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'topbar-row' },
      h(
        'a',
        { class: 'brand', href: routeHref(pool.name, 'overview') },
        h('img', { src: '/assets/icon.svg', alt: '', width: 24, height: 24 }),
        h('span', { class: 'brand-name' }, 'gxc-pool'),
      ),
      switcher,
      dot,
      menu,
      h('label', { for: 'menu-toggle', class: 'menu-button', 'aria-hidden': 'true' }, '☰'),
    ),
    h(
      'nav',
      { class: 'nav' },
      ...NAV.map(([p, label]) =>
        h('a', { href: routeHref(pool.name, p), class: p === page ? 'active' : null, 'aria-current': p === page ? 'page' : null }, label),
      ),
      search,
    ),
  );
}

async function boot(): Promise<void> {
  const shell = document.getElementById('app')!;
  try {
    pools = await api.pools();
  } catch (err) {
    fill(shell, h('div', { class: 'notice error' }, `The pool's API did not answer (${(err as Error).message}). Reload to try again.`));
    return;
  }
  window.addEventListener('hashchange', render);
  window.setInterval(() => tickTimes(), 1000);
  render();
}

void boot();
