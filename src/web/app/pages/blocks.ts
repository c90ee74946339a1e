/** Blocks: every block the pool found, its status moving live (pending → immature → confirmed), and each one's reward split. */
import { api, type Block } from '../api.js';
import type { Page } from '../context.js';
import { badge, fill, h, table, timeAgo } from '../dom.js';
import { formatCoinUnits, formatCoins, formatDifficulty, formatPercent, shortHash } from '../format.js';
import { errorNotice, liveRefresh, pageTitle, section } from './common.js';

export const blocksPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const body = h('div', { id: 'blocks-table' });
  fill(
    root,
    pageTitle('Blocks', `Blocks found by the ${pool.name} pool. Rewards are credited when a block is confirmed (${pool.maturity} confirmations).`),
    section('Found blocks', body),
  );
  const rowOf = (b: Block): HTMLTableRowElement =>
    h(
      'tr',
      { 'data-block-hash': b.hash, 'data-status': b.status },
      h('td', {}, h('a', { href: ctx.href('block', String(b.id)) }, String(b.height))),
      h('td', {}, badge(b.status), b.reason ? h('div', { class: 'muted small' }, b.reason) : null),
      h('td', { class: 'mono hide-phone' }, h('span', { title: b.hash }, shortHash(b.hash))),
      h(
        'td',
        {},
        h('a', { href: ctx.href('miner', b.address), title: `${b.address}.${b.worker}` }, shortHash(b.address, 6)),
        h('span', { class: 'muted' }, `.${b.worker}`),
      ),
      h('td', { class: 'num' }, formatCoinUnits(b.reward_units, pool.coin)),
      h('td', { class: 'num' }, formatPercent(b.effort ?? null)),
      h('td', { class: 'num' }, `${b.confirmations} / ${pool.maturity}`),
      h('td', {}, timeAgo(b.found_at)),
      h('td', {}, h('a', { href: ctx.href('block', String(b.id)) }, 'split')),
    );
  liveRefresh(ctx, ['block', 'stats'], async () => {
    try {
      const blocks = await api.blocks(pool.name, 100);
      fill(
        body,
        table(
          ['Height', 'Status', ['Hash', 'hide-phone'], 'Finder', ['Reward', 'num'], ['Effort', 'num'], ['Confirmations', 'num'], 'Found', 'Rewards'],
          blocks.map(rowOf),
          'No block found yet.',
        ),
      );
    } catch (err) {
      fill(body, errorNotice('Could not load the blocks', err));
    }
  });
};

/** One block's reward split: which addresses earned what, from which shares. */
export const blockPage: Page = (root, ctx, arg) => {
  const { pool } = ctx;
  const id = Number(arg);
  const body = h('div', { id: 'block-rewards' });
  fill(root, pageTitle(`Block reward split`), body);
  if (!Number.isSafeInteger(id) || id < 1) {
    fill(body, h('div', { class: 'notice error' }, `Not a block id: ${arg ?? '(none)'}`));
    return;
  }
  liveRefresh(ctx, ['block'], async () => {
    try {
      const r = await api.blockRewards(pool.name, id);
      const total = r.rewards.reduce((sum, x) => sum + x.share_difficulty_sum, 0);
      fill(
        body,
        section(
          `Block #${r.block.height}`,
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Status'),
            h('dd', {}, badge(r.block.status)),
            h('dt', {}, 'Hash'),
            h('dd', { class: 'mono break' }, r.block.hash),
            h('dt', {}, 'Reward'),
            h('dd', {}, formatCoins(r.block.reward, pool.coin)),
          ),
        ),
        section(
          'Who earned what',
          table(
            ['Address', ['Amount', 'num'], ['Shares', 'num'], ['Share difficulty', 'num'], ['Part', 'num']],
            r.rewards.map((x) =>
              h(
                'tr',
                {},
                h('td', { class: 'mono' }, h('a', { href: ctx.href('miner', x.address) }, x.address)),
                h('td', { class: 'num' }, formatCoins(x.amount, pool.coin)),
                h('td', { class: 'num' }, x.share_count.toLocaleString('en-US')),
                h('td', { class: 'num' }, formatDifficulty(x.share_difficulty_sum)),
                h('td', { class: 'num' }, formatPercent(total > 0 ? x.share_difficulty_sum / total : null)),
              ),
            ),
            r.block.status === 'confirmed' || r.block.status === 'immature'
              ? 'No credits recorded for this block yet.'
              : 'Credits are recorded once the block is on the main chain.',
          ),
        ),
      );
    } catch (err) {
      fill(body, errorNotice(`Could not load block ${id}`, err));
    }
  });
};
