/**
 * One miner: hashrate now / 1 h / 24 h with a chart, its workers (online, hashrate, difficulty, best share, last
 * share, rejects by reason), balances, payments with txids, and what it earned in the pool's recent blocks.
 */
import { ApiError, api, type HistoryPoint, type Worker, pointSeconds } from '../api.js';
import { HashrateChart } from '../chart.js';
import type { Page, PageContext } from '../context.js';
import { badge, fill, h, stat, table, timeAgo } from '../dom.js';
import { formatCoins, formatDifficulty, formatHashrate, formatPercent, shortHash } from '../format.js';
import { errorNotice, liveRefresh, pageTitle, section } from './common.js';

/** How many of the pool's latest blocks are searched for this miner's part. */
const REWARD_BLOCKS = 10;

function average(points: HistoryPoint[]): number | null {
  return points.length ? points.reduce((s, p) => s + p.hashrate, 0) / points.length : null;
}

function rejectsText(w: Worker): string {
  const byReason = Object.entries(w.rejected_percent_by_reason ?? {}).filter(([, pct]) => pct > 0);
  if (!byReason.length) return '0 %';
  return byReason.map(([reason, pct]) => `${reason.replace(/_/g, ' ')} ${pct.toFixed(1)} %`).join(', ');
}

function workersTable(workers: Worker[]): HTMLElement {
  const sorted = [...workers].sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  return table(
    ['Worker', 'State', ['Hashrate', 'num'], ['Difficulty', 'num'], ['Best share', 'num'], 'Last share', 'Rejected'],
    sorted.map((w) =>
      h(
        'tr',
        { 'data-worker': w.name, 'data-online': String(w.online) },
        h('td', { class: 'mono' }, w.name || '(default)'),
        h('td', {}, badge(w.online ? 'online' : 'offline')),
        h('td', { class: 'num' }, formatHashrate(w.hashrate)),
        h('td', { class: 'num' }, formatDifficulty(w.difficulty)),
        h('td', { class: 'num best-share' }, formatDifficulty(w.best_share)),
        h('td', {}, timeAgo(w.last_share_at)),
        h('td', {}, rejectsText(w)),
      ),
    ),
    'No worker has sent a share yet.',
  );
}

async function rewardsSection(ctx: PageContext, address: string): Promise<HTMLElement> {
  const blocks = (await api.blocks(ctx.pool.name, REWARD_BLOCKS)).filter((b) => b.status === 'immature' || b.status === 'confirmed');
  const splits = await Promise.all(blocks.map((b) => api.blockRewards(ctx.pool.name, b.id)));
  const rows = splits.flatMap((r) => {
    const mine = r.rewards.find((x) => x.address === address);
    if (!mine) return [];
    const total = r.rewards.reduce((s, x) => s + x.share_difficulty_sum, 0);
    return [
      h(
        'tr',
        {},
        h('td', {}, h('a', { href: ctx.href('block', String(r.block.id)) }, `#${r.block.height}`)),
        h('td', {}, badge(r.block.status)),
        h('td', { class: 'num' }, formatCoins(mine.amount, ctx.pool.coin)),
        h('td', { class: 'num' }, formatPercent(total > 0 ? mine.share_difficulty_sum / total : null)),
        h('td', { class: 'num' }, mine.share_count.toLocaleString('en-US')),
      ),
    ];
  });
  return table(
    ['Block', 'Status', ['Your reward', 'num'], ['Your part', 'num'], ['Your shares', 'num']],
    rows,
    `No reward in the last ${REWARD_BLOCKS} blocks.`,
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
  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Chart range' });
  fill(
    root,
    pageTitle('Miner', address),
    problems,
    figures,
    section('Hashrate', rangeButtons, chartBox),
    section('Workers', workersBox),
    h('div', { class: 'two-col' }, section('Payments', paymentsBox), section('Rewards from recent blocks', rewardsBox)),
  );
  if (!address) {
    fill(problems, h('div', { class: 'notice' }, 'Type a payout address into the search box.'));
    return;
  }
  const search = document.getElementById('miner-search') as HTMLInputElement | null;
  if (search) search.value = address;
  const chart = new HashrateChart(chartBox, { withNetworkDifficulty: false, height: 220 });
  ctx.onLeave(() => chart.destroy());

  const loadChart = async (): Promise<void> => {
    const history = await api.minerHistory(pool.name, address, range);
    chart.set(history.points.map((p) => ({ t: pointSeconds(p.t), hashrate: p.hashrate })));
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
              void loadChart().catch((err: unknown) => fill(problems, errorNotice('Could not load the hashrate history', err)));
            },
          },
          r === '1h' ? '1 hour' : '24 hours',
        ),
      ),
    );
  showRange();

  liveRefresh(
    ctx,
    ['share-summary', 'miner', 'worker', 'stats', 'block', 'payment'],
    async () => {
      try {
        const [account, workers, hour, day] = await Promise.all([
          api.miner(pool.name, address),
          api.workers(pool.name, address),
          api.minerHistory(pool.name, address, '1h'),
          api.minerHistory(pool.name, address, '24h'),
        ]);
        const online = workers.filter((w) => w.online);
        fill(problems);
        fill(
          figures,
          stat(
            'Hashrate now',
            formatHashrate(online.reduce((s, w) => s + w.hashrate, 0)),
            `${online.length} of ${workers.length} workers online`,
            'miner-hashrate',
          ),
          stat('1 hour average', formatHashrate(average(hour.points))),
          stat('24 hour average', formatHashrate(average(day.points))),
          stat('Best share', formatDifficulty(Math.max(0, ...workers.map((w) => w.best_share ?? 0)) || null), 'of all workers', 'miner-best-share'),
          stat('Immature balance', formatCoins(account.immature, pool.coin), `waiting for ${pool.maturity} confirmations`, 'immature'),
          stat('Confirmed balance', formatCoins(account.confirmed, pool.coin), `paid from ${formatCoins(pool.min_payout, pool.coin)}`, 'confirmed'),
        );
        fill(workersBox, workersTable(workers));
        const chartPoints = range === '1h' ? hour.points : day.points;
        chart.set(chartPoints.map((p) => ({ t: pointSeconds(p.t), hashrate: p.hashrate })));
        const rate = online.reduce((s, w) => s + w.hashrate, 0);
        chart.pushLive({ t: Date.now() / 1000, hashrate: rate });
        fill(
          paymentsBox,
          table(
            ['Sent', ['Amount', 'num'], 'Status', 'Transaction'],
            account.payments.map((p) =>
              h(
                'tr',
                {},
                h('td', {}, timeAgo(p.created_at)),
                h('td', { class: 'num' }, formatCoins(p.amount, pool.coin)),
                h('td', {}, badge(p.status)),
                h(
                  'td',
                  { class: 'mono' },
                  p.txid ? h('span', { title: p.txid }, shortHash(p.txid, 10)) : h('span', { class: 'muted' }, 'not sent yet'),
                ),
              ),
            ),
            'No payment yet.',
          ),
        );
        fill(rewardsBox, await rewardsSection(ctx, address));
      } catch (err) {
        const unknown = err instanceof ApiError && err.status === 404;
        fill(
          problems,
          unknown
            ? h('div', { class: 'notice' }, `No shares from ${address} in the ${pool.name} pool yet.`)
            : errorNotice('Could not load this miner', err),
        );
      }
    },
    2000,
  );
};
