/**
 * PoolRuntime's share pipeline with real hashing (the recorded regtest block), a real SQLite store and share
 * writer; only the node side is a recorder.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { PoolRuntime, type ShareSink } from '../../src/pool/pool.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { ShareWriter } from '../../src/store/share-writer.js';
import type { Store } from '../../src/store/types.js';
import { StratumErrorCode, type ShareContext } from '../../src/stratum/types.js';
import { extranonce1Hex, hardWork, RecordingChain, recordedBlock, recordedSubmit, regtestWork } from './helpers/regtest-work.js';

let store: Store;
let writer: ShareWriter;
let chain: RecordingChain;

beforeEach(async () => {
  store = createSqliteStore(':memory:');
  await store.migrate();
  writer = new ShareWriter(store, { logger: silentLogger });
  chain = new RecordingChain();
});

afterEach(async () => {
  await writer.close();
  await store.close();
});

function runtime(shares: ShareSink = writer): PoolRuntime {
  return new PoolRuntime({ name: 'asic', chain: chain.asAdapter(), store, shares, instanceId: 0, logger: silentLogger });
}

function ctx(over: Partial<ShareContext> = {}): ShareContext {
  return {
    sessionId: 's1',
    remoteAddress: '127.0.0.1',
    extranonce1: Buffer.from(extranonce1Hex, 'hex'),
    extranonce2Size: 4,
    address: 'bcrt1qminer',
    worker: 'rig1',
    versionMask: 0,
    // Below diff1 / 2^32: every hash meets the share target, so only the network target tells blocks apart.
    jobDifficulty: 1e-12,
    ...over,
  };
}

// Real clock: the recorded header time is in the past, within [mintime, now + 7000].
describe('PoolRuntime share pipeline', () => {
  it('a job other sessions re-issued 100 times stays valid: its block is still found', async () => {
    const pool = runtime();
    const broadcast = pool.addWork(regtestWork, true);
    // Vardiff retargets / suggest_difficulty of other sessions: each re-issues the current work under a new id.
    const reissued = new Set<string>();
    for (let i = 0; i < 100; i++) reissued.add(pool.reissueCurrentJob()!.id);
    expect(reissued.size).toBe(100);
    expect(reissued.has(broadcast.id)).toBe(false);
    expect(pool.hasJob(broadcast.id)).toBe(true);
    const verdict = await pool.submitShare(ctx(), recordedSubmit(broadcast.id));
    expect(verdict).toMatchObject({ ok: true, isBlock: true, hashDisplay: recordedBlock.block_hash });
    expect(chain.submitted.map((s) => s.solution.header.toString('hex'))).toEqual([recordedBlock.header_hex]);
  });

  it('the same header through a re-issued id is a duplicate, and only distinct works are bounded', async () => {
    const pool = runtime();
    const first = pool.addWork(hardWork, true);
    const again = pool.reissueCurrentJob()!;
    expect(await pool.submitShare(ctx(), recordedSubmit(first.id, 1))).toMatchObject({ ok: true, isBlock: false });
    expect(await pool.submitShare(ctx(), recordedSubmit(again.id, 1))).toMatchObject({ ok: false, code: StratumErrorCode.Duplicate });
    // 64 newer works on the same tip push the first one out; a clean job drops everything.
    for (let i = 0; i < 63; i++) pool.addWork({ ...hardWork, templateKey: `k${i}` }, false);
    expect(pool.hasJob(first.id)).toBe(true);
    pool.addWork({ ...hardWork, templateKey: 'k63' }, false);
    expect(pool.hasJob(first.id)).toBe(false);
    const latest = pool.currentJob()!.id;
    pool.addWork({ ...hardWork, prevHashDisplay: '11'.repeat(32), templateKey: 'next' }, true);
    expect(pool.hasJob(latest)).toBe(false);
  });

  it('a block is submitted to the node even when its share cannot be stored', async () => {
    const failing: ShareSink = { add: () => Promise.reject(new Error('disk full')) };
    const pool = runtime(failing);
    const job = pool.addWork(regtestWork, true);
    const verdict = await pool.submitShare(ctx(), recordedSubmit(job.id));
    // The node's verdict is recorded in the background, after the miner's answer.
    await pool.settled();
    expect(chain.submitted.map((s) => s.solution.hashDisplay)).toEqual([recordedBlock.block_hash]);
    // Not credited (no share row), so the miner is told; the block row exists and was marked accepted.
    expect(verdict).toMatchObject({ ok: false, code: StratumErrorCode.Other });
    const blocks = await store.recentBlocks('asic', 10);
    expect(blocks.map((b) => [b.hash, b.status])).toEqual([[recordedBlock.block_hash, 'pending']]);
    // Resubmitting the same header does not submit the block twice (its job is stale once the block is accepted).
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id))).toMatchObject({ ok: false, code: StratumErrorCode.JobNotFound });
    expect(chain.submitted).toHaveLength(1);
  });

  it('an ordinary share whose store fails is not credited and may be resubmitted', async () => {
    let fail = true;
    const flaky: ShareSink = { add: (s) => (fail ? Promise.reject(new Error('timeout')) : writer.add(s)) };
    const pool = runtime(flaky);
    const job = pool.addWork(hardWork, true);
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id, 1))).toMatchObject({ ok: false, code: StratumErrorCode.Other });
    fail = false;
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id, 1))).toMatchObject({ ok: true, isBlock: false });
    expect(chain.submitted).toHaveLength(0);
  });

  it('over the pending limit (blockOnly) an ordinary share is refused unstored, a block still goes through', async () => {
    const pool = runtime();
    const job = pool.addWork(hardWork, true);
    expect(await pool.submitShare(ctx({ blockOnly: true }), recordedSubmit(job.id, 1))).toEqual({
      ok: false,
      code: StratumErrorCode.Other,
      message: 'Too many submits pending; slow down',
    });
    // Refused, not seen: the same share later (under the limit) is accepted.
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id, 1))).toMatchObject({ ok: true });
    const block = await pool.submitShare(ctx({ blockOnly: true }), recordedSubmit(job.id));
    expect(block).toMatchObject({ ok: true, isBlock: true, hashDisplay: recordedBlock.block_hash });
    expect(chain.submitted).toHaveLength(1);
  });

  it('a block the node gave no verdict on stays a candidate; a refused one is rejected with the node reason', async () => {
    const pool = runtime();
    const job = pool.addWork(regtestWork, true);
    chain.answer = { accepted: false, reason: 'submitblock: no complete reply within 10000 ms (timeout)', raw: null, uncertain: true };
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id))).toMatchObject({ ok: true, isBlock: true });
    await pool.settled();
    const [uncertain] = await store.recentBlocks('asic', 5);
    expect(uncertain).toMatchObject({ status: 'candidate', reason: expect.stringMatching(/timeout/), hash: recordedBlock.block_hash });
    expect(pool.counters).toMatchObject({ blocksFound: 0, blocksRejected: 0, blocksUncertain: 1 });

    const again = runtime();
    const job2 = again.addWork(regtestWork, true);
    chain.answer = { accepted: false, reason: 'bad-txnmrklroot', raw: 'bad-txnmrklroot' };
    await again.submitShare(ctx({ sessionId: 's2' }), recordedSubmit(job2.id));
    await again.settled();
    const [refused] = await store.recentBlocks('asic', 1);
    expect(refused).toMatchObject({ status: 'rejected', reason: 'bad-txnmrklroot' });
  });

  it('once the node accepted a block, further shares on that previous block are stale, not second blocks', async () => {
    const pool = runtime();
    const job = pool.addWork(regtestWork, true);
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id))).toMatchObject({ ok: true, isBlock: true });
    await pool.settled();
    // The same work, another nonce, before the next template arrives: refused as stale, never sent to the node.
    expect(pool.hasJob(job.id)).toBe(false);
    expect(await pool.submitShare(ctx(), recordedSubmit(job.id, 1))).toMatchObject({ ok: false, code: StratumErrorCode.JobNotFound });
    expect(pool.currentJob()).toBeNull();
    expect(chain.submitted).toHaveLength(1);
    // An uncertain answer keeps the jobs: the block may not count.
    const other = runtime();
    const job2 = other.addWork(regtestWork, true);
    chain.answer = { accepted: false, reason: 'no-verdict: timeout', raw: null, uncertain: true };
    await other.submitShare(ctx({ sessionId: 's3' }), recordedSubmit(job2.id));
    expect(other.hasJob(job2.id)).toBe(true);
  });
});
