/** Network: is the node there, where is the chain, how fresh is the work. */
import { api } from '../api.js';
import type { Page } from '../context.js';
import { fill, h, stat } from '../dom.js';
import { formatDifficulty, formatDuration } from '../format.js';
import { errorNotice, liveRefresh, pageTitle } from './common.js';

export const networkPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const figures = h('div', { class: 'stats-grid', id: 'network-stats' });
  const problems = h('div');
  fill(root, pageTitle('Network', `The ${pool.chain} node behind the ${pool.name} pool.`), problems, figures);
  liveRefresh(ctx, ['network', 'stats', 'block'], async () => {
    try {
      const n = await api.network(pool.name);
      fill(problems, n.error ? h('div', { class: 'notice error' }, `Node problem: ${n.error}`) : null);
      fill(
        figures,
        stat('Node', h('span', { class: n.reachable ? 'ok' : 'bad' }, n.reachable ? 'reachable' : 'unreachable'), null, 'node-reachable'),
        stat('Height', n.height === null ? '—' : n.height.toLocaleString('en-US'), null, 'network-height'),
        stat('Difficulty', formatDifficulty(n.difficulty), null, 'network-difficulty'),
        stat('Last template', formatDuration(n.last_template_age_seconds ?? null), 'age of the work miners get', 'template-age'),
        stat('Dialect', n.dialect ?? '—', 'how the node speaks JSON-RPC', 'dialect'),
      );
    } catch (err) {
      fill(problems, errorNotice('Could not load the network status', err));
    }
  });
};
