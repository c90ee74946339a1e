/**
 * The Ethash share pipeline with real Ethash (light mode, in-process hasher), a real SQLite store and share writer;
 * only the node side is a recorder.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EthashCapability, EthashSolution, EthashWork, SubmitOutcome } from '../../src/chains/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { EthashPool, type EthashHasher } from '../../src/pool/ethash-pool.js';
import { ethashCreditedDifficulty, ethashShareBoundary } from '../../src/pool/ethash-share.js';
import { seedHashHex } from '../../src/pool/ethash-wiring.js';
import { PoolRuntime } from '../../src/pool/pool.js';
import { ShareWriter } from '../../src/store/share-writer.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { type EthashShareContext, type EthashSubmitRequest, StratumErrorCode } from '../../src/stratum/types.js';
import { lightHash } from '../helpers/ethash-light.js';
import { RecordingChain } from './helpers/regtest-work.js';

const ADDRESS = 'bcrt1qminer';
let store: Store;
let writer: ShareWriter;
let submitted: Array<{ work: EthashWork; solution: EthashSolution }>;
let hashed: number;

const hasher: EthashHasher = {
  async hash({ blockNumber, headerHash, nonce }) {
    hashed++;
    return lightHash(blockNumber, headerHash, nonce);
  },
};

const capability: EthashCapability = {
  workFor: () => {
    throw new Error('not used');
  },
  async submitBlock(work, solution, rehash): Promise<SubmitOutcome> {
    // The recorder re-verifies like the GXC adapter does, then records.
    const again = await rehash(work.height, work.headerHash, solution.nonce);
    if (again.finalHash !== solution.finalHash) return { accepted: false, reason: 'proof', blockHash: solution.finalHash, raw: null };
    submitted.push({ work, solution });
    return { accepted: true, reason: null, blockHash: solution.finalHash, raw: null };
  },
};

function work(over: Partial<EthashWork> = {}): EthashWork {
  const tag = JSON.stringify(over, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return {
    height: 7,
    prevHashDisplay: 'aa'.repeat(32),
    headerHash: createHash('sha256').update(`header ${tag}`).digest('hex'),
    networkTarget: 1n << 200n, // no block unless a test says so
    timestamp: 1_700_000_000,
    reward: 5_000_000_000n,
    txCount: 1,
    templateKey: tag,
    ...over,
  };
}

function setup(): { runtime: PoolRuntime; pool: EthashPool } {
  const runtime = new PoolRuntime({
    name: 'gpu',
    chain: new RecordingChain().asAdapter(),
    store,
    shares: writer,
    instanceId: 0,
    logger: silentLogger,
  });
  const pool = new EthashPool({ runtime, capability, hasher, seedHashOf: seedHashHex, shares: writer, instanceId: 0, logger: silentLogger });
  return { runtime, pool };
}

const ctx = (over: Partial<EthashShareContext> = {}): EthashShareContext => ({
  sessionId: 's1',
  remoteAddress: '127.0.0.1',
  address: ADDRESS,
  worker: 'rig1',
  jobDifficulty: 1e-9, // ~4 hashes a share
  ...over,
});

/** A nonce whose real Ethash result meets (or, with `miss`, misses) the boundary of `difficulty`. */
function find(
  w: EthashWork,
  difficulty: number,
  opts: { miss?: boolean; start?: bigint } = {},
): { nonce: bigint; mixDigest: string; finalHash: string } {
  const boundary = ethashShareBoundary(difficulty);
  const start = opts.start ?? 1000n;
  for (let nonce = start; nonce < start + 2000n; nonce++) {
    const r = lightHash(w.height, w.headerHash, nonce);
    if (BigInt(`0x${r.finalHash}`) <= boundary !== (opts.miss === true)) return { nonce, ...r };
  }
  throw new Error('no nonce found');
}

const req = (jobId: string | null, w: EthashWork, nonce: bigint, mixDigest: string | null): EthashSubmitRequest => ({
  workerName: `${ADDRESS}.rig1`,
  jobId,
  headerHash: w.headerHash,
  nonce,
  mixDigest,
});

beforeEach(async () => {
  store = createSqliteStore(':memory:');
  await store.migrate();
  writer = new ShareWriter(store, { logger: silentLogger });
  submitted = [];
  hashed = 0;
});

afterEach(async () => {
  await writer.close();
  await store.close();
});

describe('EthashPool share pipeline', { timeout: 120_000 }, () => {
  it('accepts a real share, stores it in the shared unit, and finds jobs by id and by header hash', async () => {
    const { pool, runtime } = setup();
    const w = work();
    const job = pool.addWork(w, true);
    expect(job).toMatchObject({ blockNumber: 7, headerHash: w.headerHash, seedHash: '00'.repeat(32) });
    expect(pool.ethashJob({ jobId: job.id })).toEqual(job);
    expect(pool.ethashJob({ headerHash: `0x${w.headerHash.toUpperCase()}` })).toEqual(job);
    const s = find(w, 1e-9);
    const verdict = await pool.submitEthashShare(ctx(), req(job.id, w, s.nonce, s.mixDigest));
    expect(verdict).toMatchObject({ ok: true, isBlock: false, hashDisplay: s.finalHash });
    await writer.flush();
    const rows = await store.sharesBackFrom('gpu', Number.MAX_SAFE_INTEGER, 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.difficulty).toBeCloseTo(ethashCreditedDifficulty(1e-9), 20);
    expect(runtime.counters.accepted).toBe(1);
  });

  it('refuses duplicates (also two at once), stale jobs, wrong mix digests, low-difficulty and malformed shares', async () => {
    const { pool, runtime } = setup();
    const w = work();
    const job = pool.addWork(w, true);
    const s = find(w, 1e-9);
    const [a, b] = await Promise.all([
      pool.submitEthashShare(ctx(), req(job.id, w, s.nonce, s.mixDigest)),
      pool.submitEthashShare(ctx({ sessionId: 's2' }), req(null, w, s.nonce, null)),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect([a, b].find((v) => !v.ok)).toMatchObject({ code: StratumErrorCode.Duplicate });

    const other = find(w, 1e-9, { start: s.nonce + 1n });
    const wrongMix = await pool.submitEthashShare(ctx(), req(job.id, w, other.nonce, 'ab'.repeat(32)));
    expect(wrongMix).toMatchObject({ ok: false, code: StratumErrorCode.Other, message: expect.stringMatching(/Wrong mix digest/) });
    // Refused is not seen: the same nonce with its true mix digest is accepted.
    expect(await pool.submitEthashShare(ctx(), req(job.id, w, other.nonce, other.mixDigest))).toMatchObject({ ok: true });

    const miss = find(w, 1, { miss: true });
    expect(await pool.submitEthashShare(ctx({ jobDifficulty: 1 }), req(job.id, w, miss.nonce, miss.mixDigest))).toMatchObject({
      ok: false,
      code: StratumErrorCode.LowDifficulty,
    });
    expect(await pool.submitEthashShare(ctx(), req('ffffffff', w, 5n, null))).toMatchObject({ ok: false, code: StratumErrorCode.JobNotFound });
    expect(await pool.submitEthashShare(ctx(), req(job.id, w, 1n << 64n, null))).toMatchObject({ ok: false, code: StratumErrorCode.Other });
    expect(await pool.submitEthashShare(ctx(), { ...req(job.id, w, 5n, null), headerHash: 'cd'.repeat(32) })).toMatchObject({
      ok: false,
      code: StratumErrorCode.Other,
      message: expect.stringMatching(/header hash/),
    });
    const hashedBefore = hashed;
    // New work on a new previous block: the old job is stale, found neither by id nor by header hash.
    pool.addWork(work({ prevHashDisplay: 'bb'.repeat(32) }), true);
    expect(await pool.submitEthashShare(ctx(), req(job.id, w, 9n, null))).toMatchObject({ ok: false, code: StratumErrorCode.JobNotFound });
    expect(pool.ethashJob({ headerHash: w.headerHash })).toBeUndefined();
    expect(hashed).toBe(hashedBefore); // stale and malformed shares cost no Ethash
    expect(runtime.counters).toMatchObject({ duplicate: 1, stale: 2, lowDifficulty: 1 });
  });

  it('a share meeting the network target becomes a stored, re-verified, submitted block', async () => {
    const { pool, runtime } = setup();
    const w = work({ networkTarget: (1n << 256n) - 1n });
    const job = pool.addWork(w, true);
    const s = find(w, 1e-9);
    const verdict = await pool.submitEthashShare(ctx(), req(job.id, w, s.nonce, s.mixDigest));
    expect(verdict).toMatchObject({ ok: true, isBlock: true });
    await runtime.settled();
    expect(submitted).toHaveLength(1);
    expect(submitted[0]!.solution).toEqual({ nonce: s.nonce, mixDigest: s.mixDigest, finalHash: s.finalHash });
    const [block] = await store.recentBlocks('gpu', 5);
    expect(block).toMatchObject({ hash: s.finalHash, height: 7, status: 'pending' });
    expect(block!.headerHex).toBe(w.headerHash + s.nonce.toString(16).padStart(16, '0') + s.mixDigest);
    // Over the pending limit a non-block is refused, a block never is.
    const plain = work({ templateKey: 'plain' });
    const plainJob = pool.addWork(plain, false);
    const t = find(plain, 1e-9);
    expect(await pool.submitEthashShare(ctx({ blockOnly: true }), req(plainJob.id, plain, t.nonce, t.mixDigest))).toMatchObject({
      ok: false,
      code: StratumErrorCode.Other,
    });
  });

  it('a verifier failure refuses the share without crediting it', async () => {
    const runtime = new PoolRuntime({
      name: 'gpu',
      chain: new RecordingChain().asAdapter(),
      store,
      shares: writer,
      instanceId: 0,
      logger: silentLogger,
    });
    const failing: EthashHasher = {
      hash: async () => {
        throw new Error('ethash verification queue full (4096 waiting)');
      },
    };
    const pool = new EthashPool({
      runtime,
      capability,
      hasher: failing,
      seedHashOf: seedHashHex,
      shares: writer,
      instanceId: 0,
      logger: silentLogger,
    });
    const w = work();
    const job = pool.addWork(w, true);
    expect(await pool.submitEthashShare(ctx(), req(job.id, w, 1n, null))).toMatchObject({ ok: false, code: StratumErrorCode.Other });
    expect(await store.sharesBackFrom('gpu', Number.MAX_SAFE_INTEGER, 10)).toHaveLength(0);
  });
});
