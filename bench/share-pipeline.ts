/**
 * PoolRuntime.submitShare end to end: job lookup, checkShare on real work, duplicate check, then the share is
 * queued in the ShareWriter (group commit) and acknowledged only after its transaction committed to a real
 * SQLite file in WAL mode with synchronous=FULL (fsync at every commit). K submitters run at once, each
 * submitting its next share as soon as the previous one was acknowledged (K = shares in flight).
 *
 *   node bin/run-ts.js bench/share-pipeline.ts [--inflight=1,16,256] [--count=20000] [--seconds=4]
 *       [--store=sqlite|postgres] [--max-delay-ms=5] [--max-batch=500]
 *
 * Each K stops at --count acknowledged shares or --seconds, whichever comes first. Shares are mined beforehand
 * (difficulty 1e-9, like a miner would) so mining costs nothing inside the timed section. The chain adapter is
 * bench/support/chain.ts: real regtest address validation, no node; the work's network target is 1, so no
 * share is a block candidate. --store=postgres starts a throwaway local PostgreSQL (test/helpers/pg.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../src/log/logger.js';
import { PoolRuntime } from '../src/pool/pool.js';
import { createStore, ShareWriter } from '../src/store/index.js';
import type { NewShare, Store } from '../src/store/types.js';
import type { ShareContext, SubmitRequest } from '../src/stratum/types.js';
import { startTestPostgres, type TestPostgres } from '../test/helpers/pg.js';
import { numberArg, numberListArg, stringArg } from './support/args.js';
import { createBenchChain } from './support/chain.js';
import { printMachine } from './support/machine.js';
import { mineShare } from './support/miner.js';
import { fmt, fmtInt, LoopDelay, summarize } from './support/stats.js';
import { currentNtime, EXTRANONCE2_SIZE, noBlockWork, REGTEST_ADDRESSES } from './support/work.js';

const inflightList = numberListArg('inflight', [1, 16, 256]);
const maxShares = Math.floor(numberArg('count', 20_000));
const maxSeconds = numberArg('seconds', 4);
const storeKind = stringArg('store', ['sqlite', 'postgres'] as const, 'sqlite');
const maxDelayMs = numberArg('max-delay-ms', 5);
const maxBatch = Math.floor(numberArg('max-batch', 500));
const JOB_DIFFICULTY = 1e-9;
const extranonce1 = Buffer.from('01000001', 'hex');

/** Store wrapper that records each batch's size and how long its transaction (with fsync) took. */
class RecordingStore {
  readonly batchSizes: number[] = [];
  readonly commitMs: number[] = [];
  constructor(private readonly store: Store) {}
  async insertShares(shares: readonly NewShare[]): Promise<number[]> {
    const t0 = performance.now();
    const ids = await this.store.insertShares(shares);
    this.commitMs.push(performance.now() - t0);
    this.batchSizes.push(shares.length);
    return ids;
  }
}

interface StoreHandle {
  store: Store;
  label: string;
  dispose(): Promise<void>;
}

async function openStore(pg: TestPostgres | null, tag: string): Promise<StoreHandle> {
  if (pg !== null) {
    const db = await pg.newDatabase();
    const store = await createStore(db.url);
    await store.migrate();
    return {
      store,
      label: 'postgres (local, throwaway server)',
      dispose: async () => {
        await store.close();
        await db.drop();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gxc-bench-${tag}-`));
  const store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
  await store.migrate();
  return {
    store,
    label: `sqlite WAL synchronous=FULL in ${os.tmpdir()}`,
    dispose: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runInflight(k: number, pg: TestPostgres | null, shares: SubmitRequest[], work: ReturnType<typeof noBlockWork>): Promise<void> {
  const handle = await openStore(pg, `k${k}`);
  const recording = new RecordingStore(handle.store);
  const writer = new ShareWriter(recording, { maxDelayMs, maxBatch, logger: silentLogger });
  try {
    await measureInflight(k, shares, work, handle, recording, writer);
  } finally {
    await writer.close();
    await handle.dispose();
  }
}

async function measureInflight(
  k: number,
  shares: SubmitRequest[],
  work: ReturnType<typeof noBlockWork>,
  handle: StoreHandle,
  recording: RecordingStore,
  writer: ShareWriter,
): Promise<void> {
  const pool = new PoolRuntime({
    name: 'bench',
    chain: createBenchChain(),
    store: handle.store,
    shares: writer,
    instanceId: 0,
    logger: silentLogger,
  });
  const job = pool.addWork(work, true);

  // Every submitter is an authorized worker, as a Stratum session would be.
  const contexts: ShareContext[] = [];
  for (let j = 0; j < k; j++) {
    const auth = await pool.authorize(`${REGTEST_ADDRESSES[j % REGTEST_ADDRESSES.length]}.rig${j}`, 'x');
    if (!auth.ok) throw new Error(`authorize failed: ${auth.message}`);
    contexts.push({
      sessionId: String(j),
      remoteAddress: '127.0.0.1',
      extranonce1,
      extranonce2Size: EXTRANONCE2_SIZE,
      address: auth.address,
      worker: auth.worker,
      versionMask: 0,
      jobDifficulty: JOB_DIFFICULTY,
    });
  }

  const latencies: number[] = [];
  const refusals = new Map<string, number>();
  let next = 0;
  const loop = new LoopDelay();
  const deadline = performance.now() + maxSeconds * 1000;
  loop.start();
  const t0 = performance.now();
  const submitter = async (ctx: ShareContext): Promise<void> => {
    while (next < shares.length && performance.now() < deadline) {
      const req = { ...(shares[next++] as SubmitRequest), jobId: job.id };
      const s = performance.now();
      const verdict = await pool.submitShare(ctx, req);
      latencies.push(performance.now() - s);
      if (!verdict.ok) refusals.set(verdict.message, (refusals.get(verdict.message) ?? 0) + 1);
    }
  };
  await Promise.all(contexts.map(submitter));
  const elapsedMs = performance.now() - t0;
  const blocked = loop.stop();
  await writer.close();

  const lat = summarize(latencies);
  const sizes = summarize(recording.batchSizes);
  const commits = summarize(recording.commitMs);
  const acked = latencies.length - [...refusals.values()].reduce((a, b) => a + b, 0);
  console.log(`\n-- ${k} in flight (${handle.label})`);
  console.log(`acknowledged: ${fmtInt(acked)} shares in ${fmt(elapsedMs, 0)} ms = ${fmtInt((acked * 1000) / elapsedMs)} shares/s`);
  console.log(`ack latency: p50 ${fmt(lat.p50)} ms, p99 ${fmt(lat.p99)} ms, max ${fmt(lat.max)} ms (mean ${fmt(lat.mean)} ms)`);
  console.log(
    `batches: ${fmtInt(writer.stats.batches)} (writer stats: ${fmtInt(writer.stats.shares)} shares, ${writer.stats.failedBatches} failed); ` +
      `size p50 ${sizes.p50}, max ${sizes.max}, mean ${fmt(sizes.mean, 1)}; commit p50 ${fmt(commits.p50)} ms, p99 ${fmt(commits.p99)} ms, max ${fmt(commits.max)} ms`,
  );
  console.log(`event loop delay while running: p50 ${fmt(blocked.p50Ms)} ms, p99 ${fmt(blocked.p99Ms)} ms, max ${fmt(blocked.maxMs)} ms`);
  if (refusals.size > 0) console.log(`REFUSED: ${JSON.stringify(Object.fromEntries(refusals))}`);
  if (pool.counters.accepted !== acked) throw new Error(`pool counted ${pool.counters.accepted} accepted, bench saw ${acked}`);
}

printMachine('bench/share-pipeline.ts');
console.log(
  `bounds: per K at most ${fmtInt(maxShares)} shares and ${maxSeconds} s; ShareWriter maxDelayMs ${maxDelayMs}, maxBatch ${maxBatch}; ` +
    `job difficulty ${JOB_DIFFICULTY}; no share is a block (network target 1)`,
);
const work = noBlockWork();
const ntime = currentNtime(work);
const mineStart = performance.now();
const shares: SubmitRequest[] = [];
for (let i = 0; i < maxShares; i++) {
  const m = mineShare(work, extranonce1, i, ntime, JOB_DIFFICULTY);
  shares.push({ workerName: 'bench', jobId: '', ...m });
}
console.log(`mined ${fmtInt(shares.length)} shares beforehand in ${fmt(performance.now() - mineStart, 0)} ms (not timed below)`);
const pg = storeKind === 'postgres' ? await startTestPostgres() : null;
try {
  for (const k of inflightList) await runInflight(k, pg, shares, work);
} finally {
  await pg?.stop();
}
