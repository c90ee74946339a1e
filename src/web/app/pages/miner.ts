/**
 * One miner: hashrate now / 1 h / 24 h with a chart, its workers (online, hashrate, difficulty, best share, last
 * share, rejects by reason), balances, payments with txids, and what it earned in the pool's recent blocks.
 */
import { ApiError, api, type Block, type HistoryPoint, type MinerAccount, type Worker, pointSeconds } from '../api.js';
import { HashrateChart } from '../chart.js';
import type { Page, PageContext } from '../context.js';
import { badge, fill, h, plural, stat, table, timeAgo } from '../dom.js';
import { formatCoins, formatDifficulty, formatHashrate, shortHash } from '../format.js';
import { errorNotice, liveRefresh, pageTitle, section } from './common.js';

/** Blocks fetched to name the heights and statuses of the blocks that credited this miner. */
const REWARD_BLOCKS = 100;

function average(points: HistoryPoint[]): number | null {
  return points.length ? points.reduce((s, p) => s + p.hashrate, 0) / points.length : null;
}

function rejectsText(w: Worker): string {
  const total = w.accepted + w.rejected;
  const byReason = Object.entries(w.rejected_by_reason ?? {}).filter(([, count]) => count > 0);
  if (total === 0 || !byReason.length) return '0 %';
  return byReason.map(([reason, count]) => `${reason.replace(/_/g, ' ')} ${((100 * count) / total).toFixed(1)} %`).join(', ');
}

function workersTable(workers: Worker[]): HTMLElement {
  const sorted = [...workers].sort((a, b) => Number(b.online) - Number(a.online) || a.worker.localeCompare(b.worker));
  return table(
    ['Worker', 'State', ['Hashrate', 'num'], ['Difficulty', 'num'], ['Best share', 'num'], ['Accepted', 'num'], 'Last share', 'Rejected'],
    sorted.map((w) =>
      h(
        'tr',
        { 'data-worker': w.worker, 'data-online': String(w.online) },
        h('td', { class: 'mono' }, w.worker || '(default)'),
        h('td', {}, badge(w.online ? 'online' : 'offline')),
        h('td', { class: 'num' }, formatHashrate(w.hashrate)),
        h('td', { class: 'num' }, formatDifficulty(w.current_difficulty)),
        h('td', { class: 'num best-share' }, formatDifficulty(w.best_share)),
        h('td', { class: 'num accepted' }, w.accepted.toLocaleString('en-US')),
        h('td', {}, timeAgo(w.last_share)),
        h('td', {}, rejectsText(w)),
      ),
    ),
    'No worker has sent a share yet.',
  );
}

/** This miner's credits per block (from its account), with each block's height and status from the blocks list. */
function rewardsTable(ctx: PageContext, account: MinerAccount, blocks: Block[]): HTMLElement {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  return table(
    ['Block', 'Status', ['Your reward', 'num'], 'Credited', 'Split'],
    account.rewards.map((r) => {
      const b = byId.get(r.block_id);
      return h(
        'tr',
        {},
        h('td', {}, h('a', { href: ctx.href('block', String(r.block_id)) }, b ? `#${b.height}` : `block ${r.block_id}`)),
        h('td', {}, b ? badge(b.status) : null),
        h('td', { class: 'num' }, formatCoins(r.amount, ctx.pool.coin)),
        h('td', {}, timeAgo(r.created_at)),
        h('td', {}, h('a', { href: ctx.href('block', String(r.block_id)) }, 'split')),
      );
    }),
    'No block reward credited yet.',
  );
}

function paymentsTable(ctx: PageContext, account: MinerAccount): HTMLElement {
  return table(
    ['Sent', ['Amount', 'num'], 'Status', 'Transaction'],
    account.payments.map((p) =>
      h(
        'tr',
        {},
        h('td', {}, timeAgo(p.created_at)),
        h('td', { class: 'num' }, formatCoins(p.amount, ctx.pool.coin)),
        h('td', {}, badge(p.status)),
        h('td', { class: 'mono' }, p.txid ? h('span', { title: p.txid }, shortHash(p.txid, 10)) : h('span', { class: 'muted' }, 'not sent yet')),
      ),
    ),
    'No payment yet.',
  );
}

export const minerPage: Page = (root, ctx, arg) => {
  const { pool } = ctx;
  const address = (arg ?? '').trim();
  const figures = h('div', { class: 'stats-grid', id: 'miner-stats' });
  const chartBox = h('div', { id: 'miner-chart' });
  const workersBox = h('div', { id: 'workers' });
  const paymentsBox = h('div', { id: 'miner-payments' });
  const rewardsBox = h('div', { id: 'miner-rewards' });
  const problems = h('div');
  let range: '1h' | '24h' = '1h';
  const averages: Record<'1h' | '24h', number | null> = { '1h': null, '24h': null };
  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Chart range' });
  fill(
    root,
    pageTitle('Miner', address),
    problems,
    figures,
    section('Hashrate', rangeButtons, chartBox),
    section('Workers', workersBox),
    h('div', { class: 'two-col' }, section('Payments', paymentsBox), section('Block rewards', rewardsBox)),
  );
  if (!address) {
    fill(problems, h('div', { class: 'notice' }, 'Type a payout address into the search box.'));
    return;
  }
  const search = document.getElementById('miner-search') as HTMLInputElement | null;
  if (search) search.value = address;
  const chart = new HashrateChart(chartBox, { withNetworkDifficulty: false, height: 220, trimLeadingEmpty: true });
  ctx.onLeave(() => chart.destroy());

  /** Both ranges' averages, and the chart for the selected one; minute points close once a minute. */
  const loadHistory = async (): Promise<void> => {
    const [hour, day] = await Promise.all([api.minerHistory(pool.name, address, '1h'), api.minerHistory(pool.name, address, '24h')]);
    averages['1h'] = average(hour.points);
    averages['24h'] = average(day.points);
    chart.set((range === '1h' ? hour : day).points.map((p) => ({ t: pointSeconds(p.t), hashrate: p.hashrate })));
  };
  const showRange = (): void =>
    fill(
      rangeButtons,
      ...(['1h', '24h'] as const).map((r) =>
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(r === range),
            onclick: () => {
              range = r;
              showRange();
              void loadHistory().catch((err: unknown) => fill(problems, errorNotice('Could not load the hashrate history', err)));
            },
          },
          r === '1h' ? '1 hour' : '24 hours',
        ),
      ),
    );
  showRange();
  const historyTimer = window.setInterval(() => void loadHistory().catch(() => undefined), 60_000);
  ctx.onLeave(() => window.clearInterval(historyTimer));

  const load = async (): Promise<void> => {
    try {
      const [account, workers, blocks] = await Promise.all([
        api.miner(pool.name, address),
        // 404: no worker of this address in the last 24 h, which the table says in words.
        api.workers(pool.name, address).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return [] as Worker[];
          throw err;
        }),
        api.blocks(pool.name, REWARD_BLOCKS),
      ]);
      const online = workers.filter((w) => w.online);
      const best = Math.max(0, ...workers.map((w) => w.best_share));
      fill(problems);
      fill(
        figures,
        stat('Hashrate now', formatHashrate(account.hashrate), `${online.length} of ${plural(workers.length, 'worker')} online`, 'miner-hashrate'),
        stat('1 hour average', formatHashrate(averages['1h'])),
        stat('24 hour average', formatHashrate(averages['24h'])),
        stat(
          'Best share',
          h('span', { id: 'miner-best-share' }, best > 0 ? formatDifficulty(best) : '—'),
          'best worker, last 24 h',
          'miner-best-share',
        ),
        stat('Immature balance', formatCoins(account.immature, pool.coin), `confirmed after ${pool.maturity ?? '?'} confirmations`, 'immature'),
        stat(
          'Confirmed balance',
          formatCoins(account.confirmed, pool.coin),
          pool.min_payout ? `paid from ${formatCoins(pool.min_payout, pool.coin)}` : null,
          'confirmed',
        ),
      );
      fill(workersBox, workersTable(workers));
      chart.pushLive({ t: Date.now() / 1000, hashrate: account.hashrate });
      fill(paymentsBox, paymentsTable(ctx, account));
      fill(rewardsBox, rewardsTable(ctx, account, blocks));
    } catch (err) {
      // 404: a valid address the pool has never seen; the page fills in by itself once its shares arrive.
      const unseen = err instanceof ApiError && err.status === 404;
      fill(
        problems,
        unseen
          ? h(
              'div',
              { class: 'notice', id: 'miner-unseen' },
              `No share from ${address} in the ${pool.name} pool yet. Once your miner sends shares, this page fills in by itself.`,
            )
          : errorNotice(`Could not load ${address}`, err),
      );
    }
  };
  void loadHistory()
    .catch((err: unknown) => problems.append(errorNotice('Could not load the hashrate history', err)))
    .then(() => liveRefresh(ctx, ['miner', 'block', 'stats'], load, 1500));
};
