/**
 * Block lifecycle: pending → immature → confirmed, or → orphaned, judged by the node.
 *
 *   candidate ──(hash found on the main chain after candidateGraceMs: the submit outcome was lost)──▶ pending
 *   candidate ──(not on the main chain once the tip is coinbaseMaturity past its height)──▶ rejected
 *   pending   ──on main chain──▶ immature   credits computed by the scheme and written atomically WITH the status
 *                                            (or straight to confirmed when already mature)
 *   immature  ──confirmations ≥ coinbaseMaturity──▶ confirmed   (balances follow the block's status)
 *   confirmed ──re-checked until recheckConfirmations, for deep reorgs
 *   any of the three ──another block at that height on the main chain──▶ orphaned   credits reversed atomically
 *   orphaned ──back on the main chain (a reorg undone, e.g. reconsiderblock)──▶ immature/confirmed with a fresh
 *             credit (when it had been credited), or ▶ pending (when it had not) and then credited as usual
 *
 * Re-credit decisions: an orphaned block is watched while the node's tip is less than recheckConfirmations past
 * its height (deeper reorgs are not undone by any node in practice, and each watched block costs a node call per
 * run). The ledger is append-only: the orphan appended reversals, the return appends a new credit generation (a
 * copy of the first credit's entries: the same shares and the same reward give the same split), and a second
 * orphan appends reversals of that generation. Balances are sums, so a payout made before the orphan leaves the
 * address negative until the block returns and is never paid twice. Every return is one compare-and-set in the
 * Store (status 'orphaned' → …), so a return is credited exactly once, however many runs or instances see it.
 *
 * Safety: nothing is judged unless the node says it is synced, and a block is only orphaned once the node's tip
 * has reached its height (a node that restarted behind must not orphan good blocks); the adapters' blockStatus
 * throws on an answer that is not a block hash (a node answering nonsense must not orphan either, see
 * test/ledger/nonsense-node.test.ts): the run records the error and retries next time. Every transition is a
 * compare-and-set in the Store (creditBlock refuses a second credit, orphanBlock reverses at most once), so a run
 * interrupted at any point, or run twice, changes nothing more.
 */
import type { ChainAdapter } from '../chains/types.js';
import type { BlockStatus, LedgerBlockRow } from '../store/types.js';
import { allocationForBlock, creditInputOf } from './rounds.js';
import type { PayoutScheme } from './schemes/index.js';
import type { LifecycleStore, ProcessorContext } from './types.js';

export interface LifecycleOptions extends ProcessorContext {
  store: LifecycleStore;
  chain: Pick<ChainAdapter, 'blockStatus' | 'syncState' | 'coinbaseMaturity'>;
  scheme: PayoutScheme;
  /** Confirmed blocks are re-checked until they have this many confirmations. Default max(2 × maturity, maturity + 10). */
  recheckConfirmations?: number;
  /** A 'candidate' older than this whose hash is on the main chain is taken as accepted. Default 120 s. */
  candidateGraceMs?: number;
}

export interface BlockChange {
  blockId: number;
  height: number;
  hash: string;
  from: BlockStatus;
  to: BlockStatus;
  confirmations: number;
}

export interface LifecycleReport {
  /** Why nothing was judged (node not synced), or null. */
  skipped: string | null;
  checked: number;
  changes: BlockChange[];
  /** Blocks that could not be processed this run (node error, bad share data): retried next run. */
  errors: Array<{ blockId: number; error: string }>;
}

const WATCHED: readonly BlockStatus[] = ['candidate', 'pending', 'immature', 'confirmed', 'orphaned'];

export interface BlockLifecycle {
  run(): Promise<LifecycleReport>;
}

export function createBlockLifecycle(opts: LifecycleOptions): BlockLifecycle {
  const { store, chain, scheme, pool, logger, now } = opts;
  const maturity = chain.coinbaseMaturity;
  const recheck = opts.recheckConfirmations ?? Math.max(2 * maturity, maturity + 10);
  const candidateGraceMs = opts.candidateGraceMs ?? 120_000;

  async function credit(block: LedgerBlockRow, confirmations: number): Promise<BlockStatus> {
    const to: BlockStatus = confirmations >= maturity ? 'confirmed' : 'immature';
    if (block.creditState === 'none') {
      const allocation = await allocationForBlock(store, scheme, block);
      const wrote = await store.creditBlock(creditInputOf(block.id, allocation, to));
      if (wrote) {
        logger.info(
          {
            pool,
            blockId: block.id,
            height: block.height,
            scheme: scheme.name,
            fee: allocation.fee.toString(),
            miners: allocation.credits.length,
            countedShares: allocation.round.shareCount,
          },
          'block credited',
        );
        return to;
      }
      // Someone credited it meanwhile (a previous leader): re-read and continue from what is stored.
      const fresh = await store.blockById(block.id);
      if (fresh === null || fresh.status !== 'pending') return fresh?.status ?? block.status;
    }
    await store.updateBlock(block.id, { status: to });
    return to;
  }

  async function reinstate(block: LedgerBlockRow, confirmations: number): Promise<BlockChange | null> {
    const to: BlockStatus = block.creditState === 'reversed' ? (confirmations >= maturity ? 'confirmed' : 'immature') : 'pending';
    if (!(await store.reinstateBlock(block.id, to === 'confirmed' ? 'confirmed' : 'immature'))) return null;
    await store.updateBlock(block.id, { confirmations });
    logger.warn(
      { pool, blockId: block.id, height: block.height, hash: block.hash, to, recredited: block.creditState === 'reversed' },
      'orphaned block is back on the main chain',
    );
    return { blockId: block.id, height: block.height, hash: block.hash, from: 'orphaned', to, confirmations };
  }

  /**
   * `earlierCandidate`: an older block of the pool is still 'candidate'. PROP rounds end at the previous accepted
   * block, so crediting this block now would swallow that candidate's round, and the candidate, once found on the
   * main chain, would pay the same shares again: the credit waits until the candidate is resolved.
   */
  async function judge(block: LedgerBlockRow, tipHeight: number, earlierCandidate: boolean): Promise<BlockChange | null> {
    const node = await chain.blockStatus(block.height, block.hash);
    const from = block.status;
    if (block.status === 'orphaned') return node.onMainChain ? reinstate(block, node.confirmations) : null;
    if (!node.onMainChain) {
      if (tipHeight < block.height) return null;
      if (block.status === 'candidate') {
        // Never accepted (or lost): once the chain is a maturity past it, it can no longer become ours.
        if (tipHeight < block.height + maturity) return null;
        const reason = `candidate never reached the main chain (node tip ${tipHeight})`;
        await store.updateBlock(block.id, { status: 'rejected', reason });
        return { blockId: block.id, height: block.height, hash: block.hash, from, to: 'rejected', confirmations: 0 };
      }
      const reason = `not on the node's main chain at height ${block.height} (node tip ${tipHeight})`;
      await store.orphanBlock(block.id, reason);
      logger.warn({ pool, blockId: block.id, height: block.height, hash: block.hash, was: block.status }, 'block orphaned');
      return { blockId: block.id, height: block.height, hash: block.hash, from, to: 'orphaned', confirmations: 0 };
    }
    const confirmations = node.confirmations;
    if (block.status === 'candidate') {
      if (now() - block.createdAt < candidateGraceMs) return null;
      logger.warn({ pool, blockId: block.id, height: block.height }, 'candidate block found on the main chain: taking it as accepted');
      await store.updateBlock(block.id, { status: 'pending' });
      block = { ...block, status: 'pending' };
    }
    let to: BlockStatus = block.status;
    if (block.status === 'pending' && earlierCandidate && scheme.name === 'prop') {
      logger.info({ pool, blockId: block.id, height: block.height }, 'PROP credit waits for an earlier candidate block to be resolved');
    } else if (block.status === 'pending') to = await credit(block, confirmations);
    else if (block.status === 'immature' && confirmations >= maturity) {
      await store.updateBlock(block.id, { status: 'confirmed' });
      to = 'confirmed';
    }
    if (confirmations !== block.confirmations) await store.updateBlock(block.id, { confirmations });
    if (to === from && confirmations === block.confirmations) return null;
    if (to !== from) logger.info({ pool, blockId: block.id, height: block.height, from, to, confirmations }, 'block status changed');
    return { blockId: block.id, height: block.height, hash: block.hash, from, to, confirmations };
  }

  return {
    async run(): Promise<LifecycleReport> {
      const report: LifecycleReport = { skipped: null, checked: 0, changes: [], errors: [] };
      const sync = await chain.syncState();
      if (!sync.synced) {
        report.skipped = `node not synced (tip ${sync.tipHeight}): blocks are not judged until it is`;
        logger.warn({ pool, tipHeight: sync.tipHeight }, 'node not synced: block confirmations postponed');
        return report;
      }
      const blocks = (await store.blocksByStatus(pool, WATCHED)).filter((b) =>
        b.status === 'orphaned' ? sync.tipHeight < b.height + recheck : b.status !== 'confirmed' || b.confirmations < recheck,
      );
      let earlierCandidate = false;
      for (const block of blocks) {
        report.checked += 1;
        try {
          const change = await judge(block, sync.tipHeight, earlierCandidate);
          if (change) report.changes.push(change);
          if (block.status === 'candidate' && (change === null || change.to === 'candidate')) earlierCandidate = true;
        } catch (err) {
          if (block.status === 'candidate') earlierCandidate = true;
          const error = err instanceof Error ? err.message : String(err);
          report.errors.push({ blockId: block.id, error });
          logger.error({ pool, blockId: block.id, height: block.height, err: error }, 'block lifecycle step failed; retried next run');
        }
      }
      return report;
    },
  };
}
