/** Overview: the pool at a glance — hashrates, a 24 h chart that moves live, miners, round effort, last block, node. */
import { api, type Block, type NetworkInfo, type PoolInfo, type Stats, type StatsEvent, pointSeconds } from '../api.js';
import { HashrateChart } from '../chart.js';
import type { Page } from '../context.js';
import { badge, fill, h, plural, stat, table, timeAgo } from '../dom.js';
import { formatCoinUnits, formatCoins, formatDifficulty, formatHashrate, formatPercent, shortHash } from '../format.js';
import { errorNotice, liveRefresh, pageTitle, section } from './common.js';
import { connectBox } from './connect.js';

/** Blocks listed on the overview (the newest in full, the others as rows). */
const RECENT_BLOCKS = 5;

export function poolSummary(pool: PoolInfo): string {
  const payout = pool.scheme ? ` · ${pool.scheme.toUpperCase()} · fee ${pool.fee_percent ?? 0} %` : '';
  return `${pool.algorithms.join(' + ')} · ${pool.coin} on ${pool.chain}${payout}`;
}

export const overviewPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const figures = h('div', { class: 'stats-grid', id: 'overview-stats' });
  const chartBox = h('div', { id: 'hashrate-chart', 'aria-label': 'Pool hashrate, last 24 hours' });
  const lastBlock = h('div', { id: 'last-block' });
  const problems = h('div');
  fill(
    root,
    pageTitle(`${pool.name} pool`, poolSummary(pool)),
    problems,
    figures,
    section('Hashrate (last 24 hours, 1-minute points)', chartBox),
    h('div', { class: 'two-col' }, section('Blocks', lastBlock), connectBox(ctx, { compact: true })),
  );
  const chart = new HashrateChart(chartBox, { withNetworkDifficulty: true, trimLeadingEmpty: true });
  ctx.onLeave(() => chart.destroy());

  const showStats = (s: Stats, blocks: Block[], network: NetworkInfo): void => {
    const last = blocks[0];
    const payoutSub =
      pool.scheme === 'pplns' ? `window ${pool.pplns_window} × network difficulty` : `paid from ${formatCoins(pool.min_payout, pool.coin)}`;
    fill(
      figures,
      stat('Pool hashrate', formatHashrate(s.hashrate), '10 min average', 'pool-hashrate'),
      network.network_hashrate !== null
        ? stat('Network hashrate', formatHashrate(network.network_hashrate), `difficulty ${formatDifficulty(s.network_difficulty)}`, 'network')
        : stat('Network difficulty', formatDifficulty(s.network_difficulty), 'hashrate estimated after a few blocks', 'network'),
      stat(
        'Miners online',
        String(s.active_miners),
        `${plural(s.workers_in_window, 'worker')} · ${plural(s.connections, 'connection')}`,
        'miners-online',
      ),
      stat('Round effort', formatPercent(s.round_effort), 'pool work since the last block ÷ network difficulty', 'round-effort'),
      stat(
        'Shares',
        h('span', { id: 'accepted-shares' }, s.accepted_shares.toLocaleString('en-US')),
        `${s.rejected_shares.toLocaleString('en-US')} rejected`,
        'shares',
      ),
      stat('Blocks', String(s.blocks_found), `${s.confirmed_blocks} confirmed`, 'blocks'),
      stat('Fee and scheme', pool.scheme ? `${pool.fee_percent ?? 0} % ${pool.scheme.toUpperCase()}` : '—', payoutSub, 'fee'),
      stat(
        'Node',
        h('span', { class: s.node_ok ? 'ok' : 'bad' }, s.node_ok ? 'reachable' : 'unreachable'),
        s.height !== null ? `height ${s.height.toLocaleString('en-US')} · ${network.dialect ?? pool.chain}` : 'no work yet',
        'node',
      ),
    );
    fill(problems, s.node_error ? h('div', { class: 'notice error' }, `Node problem: ${s.node_error}`) : null);
    fill(
      lastBlock,
      last
        ? h(
            'div',
            { class: 'last-block' },
            h('div', { class: 'big' }, 'Last: ', h('a', { href: ctx.href('block', String(last.id)) }, `#${last.height}`), ' ', badge(last.status)),
            h(
              'div',
              {},
              'found ',
              timeAgo(last.found_at),
              ' by ',
              h('a', { href: ctx.href('miner', last.address) }, shortHash(last.address, 10)),
              `.${last.worker}`,
            ),
            h('div', { class: 'muted' }, `reward ${formatCoinUnits(last.reward_units, pool.coin)} · effort ${formatPercent(last.effort)}`),
          )
        : h('p', { class: 'muted' }, 'No block found yet in this pool.'),
      blocks.length > 1
        ? table(
            ['Height', 'Status', ['Effort', 'num'], 'Found'],
            blocks
              .slice(1)
              .map((b) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('a', { href: ctx.href('block', String(b.id)) }, String(b.height))),
                  h('td', {}, badge(b.status)),
                  h('td', { class: 'num' }, formatPercent(b.effort)),
                  h('td', {}, timeAgo(b.found_at)),
                ),
              ),
            '',
          )
        : null,
      blocks.length ? h('p', {}, h('a', { href: ctx.href('blocks') }, 'All blocks →')) : null,
    );
    chart.pushLive({ t: Date.now() / 1000, hashrate: s.hashrate, networkDifficulty: s.network_difficulty });
  };

  const loadHistory = async (): Promise<void> => {
    const history = await api.history(pool.name, '24h');
    chart.set(history.points.map((p) => ({ t: pointSeconds(p.t), hashrate: p.hashrate, networkDifficulty: p.network_difficulty })));
  };

  const loadStats = async (): Promise<void> => {
    try {
      const [s, blocks, network] = await Promise.all([api.stats(pool.name), api.blocks(pool.name, RECENT_BLOCKS), api.network(pool.name)]);
      showStats(s, blocks, network);
    } catch (err) {
      fill(problems, errorNotice('Could not load the pool figures', err));
    }
  };

  // The `stats` event carries the live hashrate: the chart's "now" point moves with it, between full refreshes.
  ctx.onLeave(
    ctx.live.subscribe((name, data) => {
      if (name !== 'stats' || !data || typeof data !== 'object') return;
      const s = data as StatsEvent;
      if (typeof s.hashrate === 'number')
        chart.pushLive({ t: (s.t ?? Date.now()) / 1000, hashrate: s.hashrate, networkDifficulty: s.network_difficulty });
    }),
  );
  void loadHistory()
    .catch((err: unknown) => problems.append(errorNotice('Could not load the hashrate history', err)))
    .then(() => liveRefresh(ctx, ['stats', 'block', 'share-summary'], loadStats, 1000));
  // A stored point closes every minute: reload the series so the chart keeps its real history.
  const historyTimer = window.setInterval(() => void loadHistory().catch(() => undefined), 60_000);
  ctx.onLeave(() => window.clearInterval(historyTimer));
};
