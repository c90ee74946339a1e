/** Payments: what the pool sent, to whom, with the transaction ids. */
import { api } from '../api.js';
import type { Page } from '../context.js';
import { badge, fill, h, table, timeAgo } from '../dom.js';
import { formatCoins } from '../format.js';
import { errorNotice, liveRefresh, pageTitle, section } from './common.js';

export const paymentsPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const body = h('div', { id: 'payments-table' });
  fill(
    root,
    pageTitle('Payments', `Confirmed balances of at least ${formatCoins(pool.min_payout, pool.coin)} are paid automatically.`),
    section('Recent payments', body),
  );
  liveRefresh(ctx, ['block', 'stats'], async () => {
    try {
      const payments = await api.payments(pool.name, 100);
      fill(
        body,
        table(
          ['Time', 'Address', ['Amount', 'num'], 'Status', 'Transaction'],
          payments.map((p) =>
            h(
              'tr',
              {},
              h('td', {}, timeAgo(p.created_at)),
              h('td', { class: 'mono' }, h('a', { href: ctx.href('miner', p.address) }, p.address)),
              h('td', { class: 'num' }, formatCoins(p.amount, pool.coin)),
              h('td', {}, badge(p.status)),
              h('td', { class: 'mono break' }, p.txid ?? h('span', { class: 'muted' }, 'not sent yet')),
            ),
          ),
          'No payment yet.',
        ),
      );
    } catch (err) {
      fill(body, errorNotice('Could not load the payments', err));
    }
  });
};
