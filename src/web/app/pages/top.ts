/** Top miners by hashrate over the last few minutes. */
import { api } from '../api.js';
import type { Page } from '../context.js';
import { fill, h, table, timeAgo } from '../dom.js';
import { formatHashrate, formatPercent } from '../format.js';
import { errorNotice, liveRefresh, pageTitle, section } from './common.js';

export const topMinersPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const body = h('div', { id: 'top-table' });
  fill(root, pageTitle('Top miners', `The ${pool.name} pool's biggest miners right now.`), section('By hashrate', body));
  liveRefresh(
    ctx,
    ['stats', 'share-summary'],
    async () => {
      try {
        const miners = await api.topMiners(pool.name);
        const total = miners.reduce((s, m) => s + m.hashrate, 0);
        fill(
          body,
          table(
            [['#', 'num'], 'Address', ['Hashrate', 'num'], ['Share of pool', 'num'], ['Workers', 'num'], 'Last share'],
            miners.map((m, i) =>
              h(
                'tr',
                {},
                h('td', { class: 'num' }, String(i + 1)),
                h('td', { class: 'mono' }, h('a', { href: ctx.href('miner', m.address) }, m.address)),
                h('td', { class: 'num' }, formatHashrate(m.hashrate)),
                h('td', { class: 'num' }, formatPercent(total > 0 ? m.hashrate / total : null)),
                h('td', { class: 'num' }, String(m.workers)),
                h('td', {}, timeAgo(m.last_share)),
              ),
            ),
            'Nobody is mining here right now.',
          ),
        );
      } catch (err) {
        fill(body, errorNotice('Could not load the top miners', err));
      }
    },
    3000,
  );
};
