/**
 * How to point a miner at a pool: the stratum URL with a copy button, and ready-to-paste command lines for the
 * miners this pool's algorithms serve. Typing a payout address fills it into every command (kept in localStorage).
 */
import type { PoolInfo } from '../api.js';
import { type Page, type PageContext, isEthash, isSha256d, stratumUrl } from '../context.js';
import { fill, h } from '../dom.js';
import { formatDifficulty } from '../format.js';
import { pageTitle } from './common.js';

const ADDRESS_KEY = 'gxc-pool.address';

interface MinerRecipe {
  name: string;
  /** Command line or settings, from the URL parts and the address. */
  lines: (u: { url: string; host: string; port: string; user: string; address: string }) => string;
}

const SHA256D_MINERS: MinerRecipe[] = [
  { name: 'cgminer', lines: (u) => `cgminer -o ${u.url} -u ${u.user} -p x` },
  { name: 'bfgminer', lines: (u) => `bfgminer -o ${u.url} -u ${u.user} -p x` },
  { name: 'cpuminer', lines: (u) => `minerd -a sha256d -o ${u.url} -u ${u.user} -p x` },
  { name: 'built-in miner', lines: (u) => `npx gxc-pool miner --url ${u.url} --user ${u.user}` },
  {
    name: 'Bitaxe / AxeOS',
    lines: (u) => `Stratum URL:      ${u.host}\nStratum port:     ${u.port}\nStratum user:     ${u.user}\nStratum password: x`,
  },
];

const ETHASH_MINERS: MinerRecipe[] = [
  { name: 'lolMiner', lines: (u) => `lolMiner --algo ETHASH --pool ${u.host}:${u.port} --user ${u.user}` },
  { name: 'T-Rex', lines: (u) => `t-rex -a ethash -o ${u.url} -u ${u.address} -w ${workerOf(u.user)} -p x` },
  // `stratum://` lets ethminer 0.16+ detect the dialect itself (plain, eth-proxy or NiceHash).
  { name: 'ethminer', lines: (u) => `ethminer -P stratum://${u.user}@${u.host}:${u.port}` },
];

function workerOf(user: string): string {
  return user.split('.')[1] ?? 'rig1';
}

function splitUrl(url: string): { host: string; port: string } {
  const m = /^[a-z0-9+]+:\/\/(.+):(\d+)$/i.exec(url);
  return { host: m?.[1] ?? url, port: m?.[2] ?? '' };
}

/** Copies to the clipboard; falls back to selecting the text where the Clipboard API is not allowed (plain http on a LAN name). */
async function copy(text: string, button: HTMLButtonElement, fallbackTarget: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
    button.dataset.copied = 'true';
  } catch {
    const range = document.createRange();
    range.selectNodeContents(fallbackTarget);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    button.textContent = 'Press Ctrl+C';
  }
  window.setTimeout(() => {
    button.textContent = 'Copy';
  }, 2000);
}

export function copyable(text: string, testId: string): HTMLElement {
  const code = h('code', { class: 'copy-text', 'data-testid': testId }, text);
  const button = h('button', { type: 'button', class: 'copy', 'data-testid': `${testId}-copy`, 'aria-label': `Copy ${text}` }, 'Copy');
  button.addEventListener('click', () => void copy(code.textContent ?? '', button, code));
  return h('div', { class: 'copy-row' }, code, button);
}

/** The box shown on the overview (compact) and, with every recipe, on the Connect page. */
export function connectBox(ctx: PageContext, opts: { compact: boolean }): HTMLElement {
  const { pool } = ctx;
  const url = stratumUrl(pool, location.hostname);
  const box = h('section', { class: 'card connect', id: `connect-${pool.name}`, 'data-pool': pool.name });
  const recipes = [...(isSha256d(pool) ? SHA256D_MINERS : []), ...(isEthash(pool) ? ETHASH_MINERS : [])];
  const list = h('div', { class: 'recipes' });
  const address = h('input', {
    type: 'text',
    class: 'address-input',
    placeholder: 'your payout address',
    'aria-label': 'Your payout address (fills the commands)',
    value: localStorage.getItem(ADDRESS_KEY) ?? '',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const showRecipes = (): void => {
    const typed = address.value.trim();
    if (typed) localStorage.setItem(ADDRESS_KEY, typed);
    const payout = typed || 'YOUR_ADDRESS';
    const parts = { url, ...splitUrl(url), address: payout, user: `${payout}.rig1` };
    fill(
      list,
      ...recipes.map((r) =>
        h('details', { class: 'recipe', open: !opts.compact }, h('summary', {}, r.name), h('pre', {}, h('code', {}, r.lines(parts)))),
      ),
    );
  };
  address.addEventListener('input', showRecipes);
  showRecipes();
  fill(
    box,
    h('h2', {}, `Connect to the ${pool.name} pool`),
    copyable(url, 'stratum-url'),
    h(
      'p',
      { class: 'muted' },
      `User: ADDRESS.WORKER (worker name optional) · password: anything · starting difficulty ${formatDifficulty(pool.starting_difficulty)}, then adjusted to your rig`,
    ),
    h('label', { class: 'address-label' }, 'Fill in your address ', address),
    list,
  );
  return box;
}

export const connectPage: Page = (root, ctx) => {
  fill(
    root,
    pageTitle('Connect a miner', 'Every pool of this server, with the settings your miner needs.'),
    connectBox(ctx, { compact: false }),
    ...ctx.pools.filter((p: PoolInfo) => p.name !== ctx.pool.name).map((p) => connectBox({ ...ctx, pool: p }, { compact: true })),
  );
};
