/** Network: is the node there, where is the chain, how fresh is the work. */
import { api } from '../api.js';
import type { Page } from '../context.js';
import { fill, h, stat } from '../dom.js';
import { formatDifficulty, formatDuration, formatHashrate } from '../format.js';
import { errorNotice, liveRefresh, pageTitle } from './common.js';

export const networkPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const figures = h('div', { class: 'stats-grid', id: 'network-stats' });
  const problems = h('div');
  fill(root, pageTitle('Network', `The ${pool.chain} node behind the ${pool.name} pool.`), problems, figures);
  liveRefresh(ctx, ['stats', 'block'], async () => {
    try {
      const n = await api.network(pool.name);
      fill(problems, n.node_error ? h('div', { class: 'notice error' }, `Node problem: ${n.node_error}`) : null);
      const interval = n.block_interval_seconds;
      fill(
        figures,
        stat('Node', h('span', { class: n.node_reachable ? 'ok' : 'bad' }, n.node_reachable ? 'reachable' : 'unreachable'), n.node, 'node-reachable'),
        stat('Height', n.height === null ? '—' : n.height.toLocaleString('en-US'), null, 'network-height'),
        stat('Difficulty', formatDifficulty(n.network_difficulty), null, 'network-difficulty'),
        stat(
          'Network hashrate',
          formatHashrate(n.network_hashrate),
          interval === null ? 'estimated after a few blocks' : `a block every ${formatDuration(interval)}`,
          'network-hashrate',
        ),
        stat('Last template', formatDuration(n.last_template_age_seconds), 'age of the work miners get', 'template-age'),
        stat('Dialect', n.dialect ?? '—', 'how the node speaks JSON-RPC', 'dialect'),
      );
    } catch (err) {
      fill(problems, errorNotice('Could not load the network status', err));
    }
  });
};
