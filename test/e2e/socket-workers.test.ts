/**
 * The asic pool (SHA-256d only) on the GXC devnet with its sockets in the main process and in 1 and 2 socket
 * worker processes (`stratum.workers`): the same real shares get the same answers, the refusals made inside a
 * worker are counted by the pool, and a share is never answered `true` before its row is committed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { ClusterStratumServer } from '../../src/stratum/cluster/primary.js';
import { TestClient } from '../stratum/helpers/client.js';
import { findShare, parseNotify, type NotifyJob } from '../helpers/share-finder.js';
import { until } from './fixtures/env.js';

const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

describe.each([0, 1, 2])('asic pool with stratum.workers = %i', (workers) => {
  let app: PoolProcess;
  let dataDir: string;
  const asic = () => app.pools.find((p) => p.settings.name === 'asic')!;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gxc-workers-${workers}-`));
    const cfg = loadConfig({
      env: {},
      flags: {
        pool: 'asic',
        devnetFlavor: 'gxc',
        devnetDifficulty: '5',
        dataDir,
        logLevel: 'silent',
        difficulty: '0.00002',
        stratumWorkers: String(workers),
      },
    });
    app = await startPoolProcess(cfg, { ephemeralPorts: true });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const session = async (c: TestClient, worker: string): Promise<{ job: NotifyJob; extranonce1: string; en2Size: number; difficulty: number }> => {
    const sub = await c.call(1, 'mining.subscribe', ['e2e/1.0']);
    const [, extranonce1, en2Size] = sub.result as [unknown, string, number];
    expect((await c.call(2, 'mining.authorize', [`${ADDRESS}.${worker}`, 'x'])).result).toBe(true);
    const difficulty = ((await c.notification('mining.set_difficulty')).params as number[])[0]!;
    const job = parseNotify((await c.notification('mining.notify')).params as unknown[]);
    return { job, extranonce1, en2Size, difficulty };
  };

  it('answers real and tampered shares as the in-process pool does, and counts the refusals', async () => {
    const pool = asic();
    // The setting decides where the sockets live: N worker processes, or none.
    const pids = 'workerPids' in pool.stratum ? (pool.stratum as ClusterStratumServer).workerPids() : [];
    expect(pids).toHaveLength(workers);
    expect(pids).not.toContain(process.pid);
    const c = await TestClient.open(pool.stratumPort);
    try {
      const { job, extranonce1, en2Size, difficulty } = await session(c, 'raw');
      const share = findShare(job, extranonce1, '00'.repeat(en2Size), difficulty, { notBlock: true });
      const submit = (id: number, over: Partial<{ job: string; en2: string; nonce: string; vbits: string }> = {}) => {
        const params = [`${ADDRESS}.raw`, over.job ?? job.jobId, over.en2 ?? share.extranonce2, share.ntime, over.nonce ?? share.nonce];
        if (over.vbits) params.push(over.vbits);
        return c.call(id, 'mining.submit', params);
      };
      const before = { ...pool.runtime.counters };
      expect(await submit(10)).toMatchObject({ result: true, error: null });
      expect((await submit(11)).error).toEqual([22, 'Duplicate share', null]);
      const miss = findShare(job, extranonce1, '00'.repeat(en2Size), difficulty, { miss: true, startNonce: parseInt(share.nonce, 16) + 1 });
      expect((await submit(12, { nonce: miss.nonce })).error).toEqual([23, expect.stringMatching(/^Low difficulty share \(/), null]);
      expect((await submit(13, { job: 'deadbeef' })).error).toEqual([21, "Job 'deadbeef' not found", null]);
      expect((await submit(14, { vbits: '00002000' })).error).toEqual([20, expect.stringMatching(/outside the negotiated mask/), null]);
      expect((await submit(15, { en2: 'zz' })).error).toEqual([20, expect.stringMatching(/extranonce2/), null]);
      // Refusals made in a worker reach the pool's counters in a batch (within ~100 ms).
      await until('the refusals counted', 5000, () => pool.runtime.counters.rejected - before.rejected >= 3 || undefined);
      expect(pool.runtime.counters.accepted - before.accepted).toBe(1);
      expect(pool.runtime.counters.duplicate - before.duplicate).toBe(1);
      expect(pool.runtime.counters.lowDifficulty - before.lowDifficulty).toBe(1);
      // The session as the API sees it (workers push their summaries; ask for fresh ones).
      if (workers > 0) await (pool.stratum as ClusterStratumServer).syncSessions();
      const mine = pool.stratum.sessions().find((s) => s.worker === 'raw');
      expect(mine).toMatchObject({ sharesAccepted: 1, authorized: true, algorithm: 'sha256d' });
    } finally {
      c.close();
    }
  }, 60_000);

  it('never answers true before the share is committed to the database', async () => {
    const pool = asic();
    const writer = app.store.shareWriter;
    const realAdd = writer.add.bind(writer);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    // Holds every share before the real group commit (the real SQLite writer then commits it as usual).
    writer.add = (share) => gate.then(() => realAdd(share));
    const db = new Database(path.join(dataDir, 'pool.db'), { readonly: true });
    const c = await TestClient.open(pool.stratumPort);
    try {
      const { job, extranonce1, en2Size, difficulty } = await session(c, 'durable');
      const share = findShare(job, extranonce1, `${'00'.repeat(en2Size - 1)}07`, difficulty, { notBlock: true });
      c.send({ id: 30, method: 'mining.submit', params: [`${ADDRESS}.durable`, job.jobId, share.extranonce2, share.ntime, share.nonce] });
      const rows = (): number => (db.prepare('SELECT count(*) AS n FROM shares WHERE hash = ?').get(share.hashDisplay) as { n: number }).n;
      await new Promise((r) => setTimeout(r, 400));
      expect(c.received.filter((m) => m.id === 30)).toEqual([]);
      expect(rows()).toBe(0);
      release();
      expect(await c.reply(30)).toMatchObject({ result: true, error: null });
      // The reply reached the client: the row was committed before it was written.
      expect(rows()).toBe(1);
    } finally {
      writer.add = realAdd;
      c.close();
      db.close();
    }
  }, 60_000);

  it.runIf(workers > 0)(
    'a socket worker that dies is replaced; its miners reconnect and keep mining',
    async () => {
      const pool = asic();
      const cluster = pool.stratum as ClusterStratumServer;
      const [victim] = cluster.workerPids();
      const a = await TestClient.open(pool.stratumPort);
      await session(a, 'before');
      process.kill(victim!, 'SIGKILL');
      await until('a replacement worker', 20_000, () => {
        const pids = cluster.workerPids();
        return pids.length === workers && !pids.includes(victim!) ? pids : undefined;
      });
      a.close();
      // With one worker nothing listens until the replacement has started: miners retry, as this probe does.
      await until('the port accepting again', 20_000, () =>
        TestClient.open(pool.stratumPort).then(
          (probe) => {
            probe.close();
            return true;
          },
          () => undefined,
        ),
      );
      // Whichever worker the new connection lands on (the replacement listens on the same port), it gets work and
      // its share is accepted after the commit.
      for (let i = 0; i < workers; i++) {
        const c = await TestClient.open(pool.stratumPort);
        try {
          const { job, extranonce1, en2Size, difficulty } = await session(c, `after${i}`);
          const share = findShare(job, extranonce1, `${'00'.repeat(en2Size - 1)}0${i + 1}`, difficulty, { notBlock: true });
          const reply = await c.call(40, 'mining.submit', [`${ADDRESS}.after${i}`, job.jobId, share.extranonce2, share.ntime, share.nonce]);
          expect(reply).toMatchObject({ result: true, error: null });
        } finally {
          c.close();
        }
      }
    },
    60_000,
  );
});
