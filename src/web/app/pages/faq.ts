/** Getting started and FAQ, written from this pool's real settings (/api/pools), not generic text. */
import type { PoolInfo } from '../api.js';
import { type Page, isEthash, stratumUrl } from '../context.js';
import { fill, h } from '../dom.js';
import { formatCoins, formatDifficulty, formatDuration } from '../format.js';
import { pageTitle, section } from './common.js';

function schemeText(pool: PoolInfo): string {
  switch (pool.scheme) {
    case 'pplns':
      return (
        `PPLNS (pay per last N shares): when the pool finds a block, its reward is shared among the last shares ` +
        `worth ${pool.pplns_window} × the network difficulty, in proportion to each share's difficulty. Shares from ` +
        `before a block still count towards the next ones while they are inside the window, so hopping in and out does not pay.`
      );
    case 'prop':
      return (
        'PROP (proportional): when the pool finds a block, its reward is shared among all shares submitted since the ' +
        "pool's previous block, in proportion to each share's difficulty."
      );
    case 'solo':
      return 'SOLO: the miner whose share is the block takes the whole block reward (minus the fee); other shares earn nothing.';
    default:
      return 'This pool does not pay out from this process (no ledger runs for it here).';
  }
}

export const faqPage: Page = (root, ctx) => {
  const { pool } = ctx;
  const url = stratumUrl(pool, location.hostname);
  const qa = (q: string, ...a: Array<Node | string>): HTMLElement =>
    h('details', { class: 'faq', open: true }, h('summary', {}, q), h('div', {}, ...a.map((x) => (typeof x === 'string' ? h('p', {}, x) : x))));
  fill(
    root,
    pageTitle('Getting started', `The ${pool.name} pool: ${pool.algorithms.join(' + ')}, ${pool.coin} on ${pool.chain}.`),
    section(
      'Start mining in three steps',
      h(
        'ol',
        { class: 'steps' },
        h('li', {}, 'Get a ', h('strong', {}, `${pool.coin} address`), ' from your wallet: it is your account here, no sign-up.'),
        h(
          'li',
          {},
          'Point your miner at ',
          h('code', {}, url),
          ' with user ',
          h('code', {}, 'ADDRESS.WORKER'),
          ' and any password (',
          h('a', { href: ctx.href('connect') }, 'commands for your miner'),
          ').',
        ),
        h('li', {}, 'Type your address in the search box to watch your workers, balance and payments live.'),
      ),
    ),
    section(
      'Payouts',
      qa('How are rewards shared?', schemeText(pool)),
      qa('What is the fee?', `${pool.fee_percent ?? 0} % of each block reward. The rounding remainder goes to the miner who found the block.`),
      qa(
        'When is my reward paid?',
        `A block's reward is credited as immature balance once the block is on the main chain, and becomes confirmed after ${pool.maturity} confirmations. Confirmed balances of at least ${formatCoins(pool.min_payout, pool.coin)} are paid automatically to your address${pool.payout_interval_seconds ? ` (payouts run every ${formatDuration(pool.payout_interval_seconds)})` : ''}; the transaction id shows on your miner page.`,
      ),
      qa(
        'What if a block is orphaned?',
        'Credits of a block that leaves the main chain are reversed before they can be paid; you see its status change on the Blocks page.',
      ),
    ),
    section(
      'Mining',
      qa(
        'What difficulty will I get?',
        `Every connection starts at difficulty ${formatDifficulty(pool.starting_difficulty)}; the pool then adjusts it (vardiff) so your rig sends a share every few seconds. Shares are credited at the difficulty of the job they answer.`,
      ),
      qa(
        'Why are some shares rejected?',
        'Stale: the job was replaced by a new block before your share arrived. Duplicate: the same share was sent twice. Low difficulty: the hash did not meet the share target. A few stale shares after each block are normal.',
      ),
      isEthash(pool)
        ? qa('Which GPU miners work?', 'lolMiner, T-Rex and ethminer (Ethash) — see the Connect page for the exact command lines.')
        : qa(
            'Which miners work?',
            'Any SHA-256d Stratum V1 miner: cgminer, bfgminer, cpuminer, Bitaxe/AxeOS and other ASIC firmwares, and the built-in CPU miner.',
          ),
    ),
  );
};
