/**
 * `gxc-pool bench-stratum` against the real pool (`gxc-pool start` on the embedded devnet) in short runs: sessions
 * come up from several source addresses and client processes, ground shares are accepted and random ones rejected
 * by the pool's full check, every submit is answered, the server's /proc figures are read, and a block ground by
 * one session yields a clean job timed at every session. Not timed: only counts and presence are asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadReport } from '../../src/loadgen/report.js';
import { startPoolChild, type PoolChild } from '../e2e/fixtures/pool-child.js';
import { runBenchStratum, type BenchStratumRun } from '../helpers/bench-stratum.js';
import { freePort, loopbackPoolPorts } from '../helpers/net.js';

const MINER = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

function benchStratum(args: string[]): Promise<BenchStratumRun> {
  return runBenchStratum(args, 90_000);
}

describe('bench-stratum against the real pool', () => {
  let dir: string;
  let pool: PoolChild;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-loadgen-'));
    const [stratumPort, webPort] = [await freePort(), await freePort()];
    pool = await startPoolChild([
      '--pool',
      'general',
      '--data-dir',
      dir,
      '--difficulty',
      '1e-9',
      // About 16^4 hashes per block on the GXC devnet: the fan-out case grinds one in well under a second.
      '--devnet-difficulty',
      '4',
      ...loopbackPoolPorts(stratumPort, webPort),
    ]);
  }, 90_000);

  afterAll(async () => {
    pool?.process.kill('SIGTERM');
    await pool?.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const common = (): string[] => [
    '--url',
    `stratum+tcp://127.0.0.1:${pool.stratumPort}`,
    '--user',
    `${MINER}.lg{i}`,
    '--server-pid',
    String(pool.process.pid),
    '--settle-seconds',
    '0.2',
  ];

  it('grinds shares the pool accepts, over 2 client processes and several source addresses', async () => {
    const run = await benchStratum([
      ...common(),
      '--sessions',
      '40',
      '--processes',
      '2',
      '--per-address',
      '10',
      '--mode',
      'closed',
      '--shares',
      'grind',
      '--seconds',
      '1.5',
      '--accepted-log',
      path.join(dir, 'acked'),
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const r = run.report as LoadReport;
    expect(r.sessions).toMatchObject({ asked: 40, ready: 40, failed: 0, held: 40 });
    expect(r.load.sent).toBeGreaterThan(0);
    expect(r.load.replies).toBe(r.load.sent);
    expect(r.load.unanswered).toBe(0);
    expect(r.load.clientHashes).toBeGreaterThanOrEqual(r.load.sent);
    // Ground shares meet the announced target; the only rejects possible are jobs made stale by a block meanwhile.
    expect(r.load.accepted).toBeGreaterThan(0);
    for (const reason of Object.keys(r.load.rejected)) expect(reason).toMatch(/^21 /);
    expect(r.load.latencyMs.count).toBe(r.load.replies);
    expect(r.server?.pid).toBe(pool.process.pid);
    expect(r.server?.loadCpuSeconds).toBeGreaterThan(0);
    expect(r.server?.cpuPerReplyMicros).toBeGreaterThan(0);
    expect(r.server?.rssAfterConnectBytes).toBeGreaterThan(0);
    // Every accepted share was logged by its client process, and each is in the pool's store exactly once (the pool
    // answers only after the share's group commit).
    const logged = fs
      .readdirSync(dir)
      .filter((name) => name.startsWith('acked.'))
      .flatMap((name) =>
        fs
          .readFileSync(path.join(dir, name), 'utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
    expect(logged).toHaveLength(r.load.accepted);
    const db = new Database(path.join(dir, 'pool.db'), { readonly: true });
    try {
      const count = db.prepare('SELECT COUNT(*) AS n FROM shares WHERE hash = ?');
      for (const hash of logged) expect((count.get(hash) as { n: number }).n, hash).toBe(1);
    } finally {
      db.close();
    }
  }, 120_000);

  it('sends random shares at a fixed rate that the pool rejects as low difficulty after the full check', async () => {
    // At difficulty 1e-3 a random header meets the target about once in a million tries.
    const run = await benchStratum([
      ...common(),
      '--sessions',
      '20',
      '--suggest-difficulty',
      '0.001',
      '--mode',
      'rate',
      '--rate',
      '200',
      '--shares',
      'random',
      '--seconds',
      '1',
    ]);
    expect(run.status).toBe(0);
    const r = run.report as LoadReport;
    expect(r.load.sent).toBeGreaterThan(50);
    expect(r.load.replies).toBe(r.load.sent);
    const lowDifficulty = Object.entries(r.load.rejected).find(([reason]) => reason.startsWith('23 Low difficulty'))?.[1] ?? 0;
    expect(lowDifficulty).toBeGreaterThan(r.load.sent * 0.9);
    expect(r.load.clientHashes).toBe(0);
  }, 120_000);

  it('holds idle sessions and times the clean job after a block to every session', async () => {
    const run = await benchStratum([...common(), '--sessions', '30', '--processes', '2', '--mode', 'idle', '--seconds', '0.5', '--fanout-block']);
    expect(run.status).toBe(0);
    const r = run.report as LoadReport;
    expect(r.sessions.held).toBe(30);
    expect(r.load.sent).toBe(0);
    expect(r.fanout?.blockFound).toBe(true);
    expect(r.fanout?.sessions).toBe(30);
    expect(r.fanout?.spreadMs).toBeGreaterThanOrEqual(0);
    expect(r.fanout?.fromSubmitMs).toBeGreaterThan(0);
  }, 120_000);

  it('refuses a target that is not on loopback with a precise message', async () => {
    const run = await benchStratum(['--url', 'stratum+tcp://192.0.2.1:3333', '--user', MINER]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/only loopback pools may be load-tested/);
  }, 60_000);
});
