/**
 * Block candidates through PoolRuntime and the process-wide BlockGate (issue 7): real hashing on the recorded
 * regtest template (about every other hash is a block), a real SQLite store, a node side that answers when told.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockSolution, ChainAdapter, Sha256dWork, SubmitOutcome } from '../../src/chains/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { BlockGate } from '../../src/pool/block-gate.js';
import { PoolRuntime } from '../../src/pool/pool.js';
import { ShareWriter } from '../../src/store/share-writer.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import type { ShareContext } from '../../src/stratum/types.js';
import { extranonce1Hex, recordedBlock, recordedSubmit, regtestWork } from './helpers/regtest-work.js';

/** A node whose answers wait until the test releases them, in order. */
class HeldChain {
  readonly kind = 'bitcoin' as const;
  readonly coinbaseMaturity = 100;
  readonly coinSymbol = 'BTC';
  readonly submitted: string[] = [];
  private readonly answers: ((outcome: Omit<SubmitOutcome, 'blockHash'>) => void)[] = [];
  validateAddress(): string | null {
    return null;
  }
  submitBlock(_work: Sha256dWork, solution: BlockSolution): Promise<SubmitOutcome> {
    this.submitted.push(solution.hashDisplay);
    return new Promise((resolve) => this.answers.push((o) => resolve({ ...o, blockHash: solution.hashDisplay })));
  }
  /** Answers the oldest submission still waiting. */
  answer(outcome: Omit<SubmitOutcome, 'blockHash'>): void {
    const next = this.answers.shift();
    if (next === undefined) throw new Error('no submission waits for an answer');
    next(outcome);
  }
  asAdapter(): ChainAdapter {
    return this as unknown as ChainAdapter;
  }
}

let store: Store;
let writer: ShareWriter;
let chain: HeldChain;
let gate: BlockGate;

beforeEach(async () => {
  store = createSqliteStore(':memory:');
  await store.migrate();
  writer = new ShareWriter(store, { logger: silentLogger });
  chain = new HeldChain();
  gate = new BlockGate();
});
afterEach(async () => {
  await writer.close();
  await store.close();
});

function pool(name: string): { runtime: PoolRuntime; jobId: string } {
  const runtime = new PoolRuntime({ name, chain: chain.asAdapter(), store, shares: writer, instanceId: 0, logger: silentLogger, blockGate: gate });
  return { runtime, jobId: runtime.addWork(regtestWork, true).id };
}

const ctx: ShareContext = {
  sessionId: 's1',
  remoteAddress: '127.0.0.1',
  extranonce1: Buffer.from(extranonce1Hex, 'hex'),
  extranonce2Size: 4,
  address: 'bcrt1qminer',
  worker: 'rig1',
  versionMask: 0,
  jobDifficulty: 1e-12,
};

/** Nonce deltas (besides 0, the recorded block) whose header is a block on the regtest target. */
async function otherBlockDeltas(count: number): Promise<number[]> {
  const probe = new PoolRuntime({
    name: 'probe',
    chain: chain.asAdapter(),
    store,
    shares: writer,
    instanceId: 0,
    logger: silentLogger,
    blockGate: new BlockGate(),
  });
  const job = probe.addWork({ ...regtestWork, networkTarget: 1n }, true);
  const found: number[] = [];
  // With a network target of 1 nothing is a block here: the verdicts' actual difficulty tells which would be.
  for (let delta = 1; delta < 200 && found.length < count; delta++) {
    const v = await probe.submitShare(ctx, recordedSubmit(job.id, delta));
    if (!v.ok) throw new Error(JSON.stringify(v));
    if (BigInt(`0x${v.hashDisplay}`) <= regtestWork.networkTarget) found.push(delta);
  }
  return found;
}

const rows = async (name: string): Promise<string[]> => (await store.recentBlocks(name, 50)).map((b) => `${b.hash.slice(0, 8)}:${b.status}`).sort();
const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe('block candidates on one previous block', () => {
  it('the miner is answered before the node; candidates behind it wait, and are credited only once it is accepted', async () => {
    const [d1, d2] = await otherBlockDeltas(2);
    const asic = pool('asic');
    const general = pool('general');
    // Answered with the block row written, while the node has not answered yet.
    expect(await asic.runtime.submitShare(ctx, recordedSubmit(asic.jobId))).toMatchObject({ ok: true, isBlock: true });
    expect(chain.submitted).toEqual([recordedBlock.block_hash]);
    expect(await rows('asic')).toEqual([`${recordedBlock.block_hash.slice(0, 8)}:candidate`]);
    // Two more blocks on the same previous block, one from another pool of the process: answered, not sent.
    expect(await asic.runtime.submitShare(ctx, recordedSubmit(asic.jobId, d1))).toMatchObject({ ok: true, isBlock: true });
    expect(await general.runtime.submitShare(ctx, recordedSubmit(general.jobId, d2))).toMatchObject({ ok: true, isBlock: true });
    expect(chain.submitted).toHaveLength(1);
    chain.answer({ accepted: true, reason: null, raw: null });
    await asic.runtime.settled();
    await general.runtime.settled();
    expect(chain.submitted).toHaveLength(1);
    expect(await rows('asic')).toEqual([`${recordedBlock.block_hash.slice(0, 8)}:pending`]);
    expect(await rows('general')).toEqual([]);
    expect(asic.runtime.counters).toMatchObject({ accepted: 2, blocksSubmitted: 1, blocksFound: 1, blocksSuperseded: 1 });
    expect(general.runtime.counters).toMatchObject({ accepted: 1, blocksSubmitted: 0, blocksSuperseded: 1 });
    // All three shares are stored (credited).
    await writer.flush();
    expect(gate.stats).toEqual({ submitted: 1, superseded: 2, waited: 2, overflow: 0 });
  });

  it('when the node refuses the one in flight, the next waiting candidate is written and sent', async () => {
    const [d1] = await otherBlockDeltas(1);
    const asic = pool('asic');
    await asic.runtime.submitShare(ctx, recordedSubmit(asic.jobId));
    const second = await asic.runtime.submitShare(ctx, recordedSubmit(asic.jobId, d1 ?? 0));
    expect(second).toMatchObject({ ok: true, isBlock: true });
    chain.answer({ accepted: false, reason: 'bad-txns', raw: 'bad-txns' });
    await until('the second submission', () => chain.submitted.length === 2);
    expect(chain.submitted[1]).toBe(second.ok ? second.hashDisplay : '');
    chain.answer({ accepted: true, reason: null, raw: null });
    await asic.runtime.settled();
    expect(asic.runtime.counters).toMatchObject({ blocksSubmitted: 2, blocksRejected: 1, blocksFound: 1, blocksSuperseded: 0 });
    expect((await store.recentBlocks('asic', 10)).map((b) => b.status).sort()).toEqual(['pending', 'rejected']);
  });
});

describe('a waiting candidate whose previous block is no longer the tip', () => {
  it('is not sent after the one ahead was refused: the node would only call it stale', async () => {
    const [d1] = await otherBlockDeltas(1);
    const asic = pool('asic');
    await asic.runtime.submitShare(ctx, recordedSubmit(asic.jobId));
    expect(await asic.runtime.submitShare(ctx, recordedSubmit(asic.jobId, d1 ?? 0))).toMatchObject({ ok: true, isBlock: true });
    // Another miner's block moved the node on: clean work on a new previous block expires the old jobs.
    asic.runtime.addWork({ ...regtestWork, prevHashDisplay: 'cd'.repeat(32), templateKey: 'next' }, true);
    chain.answer({ accepted: false, reason: 'Stale block', raw: 'Stale block' });
    await asic.runtime.settled();
    expect(chain.submitted).toHaveLength(1);
    expect(asic.runtime.counters).toMatchObject({ blocksSubmitted: 1, blocksRejected: 1, blocksStaleNotSent: 1 });
  });
});
