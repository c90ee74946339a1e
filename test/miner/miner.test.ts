import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { difficultyToTarget } from '../../src/core/target.js';
import { runMinerCli, startMiner, type MinerHandle, type ShareEvent } from '../../src/miner/index.js';
import { TestPool, waitFor, type PoolJob } from './test-pool.js';
import { recordedJob } from './vector-job.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function pool(opts: Parameters<typeof TestPool.start>[0]): Promise<TestPool> {
  const p = await TestPool.start(opts);
  cleanups.push(() => p.close());
  return p;
}
function miner(opts: Parameters<typeof startMiner>[0]): MinerHandle {
  const m = startMiner(opts);
  cleanups.push(() => m.stop());
  return m;
}

/** The recorded job with another id/ntime, so its shares are distinguishable (and mainnet-hard nbits if asked). */
function variant(jobId: string, ntimeDelta: number, nbits?: string): PoolJob {
  const base = recordedJob(jobId).job;
  const ntime = (parseInt(base.ntime, 16) + ntimeDelta).toString(16).padStart(8, '0');
  return { ...base, ntime, nbits: nbits ?? base.nbits };
}

const EASY = 0.000001; // about one share per 4,300 hashes

describe('built-in miner against a test Stratum pool', () => {
  it('finds shares at difficulty 0.0001 that really hash below the target', async () => {
    const p = await pool({ difficulty: 0.0001, job: recordedJob('j1').job });
    const m = miner({ url: p.url, user: 'bcrt1qtest.rig1', password: 'x', suggestDifficulty: 0.0001 });
    const accepted: ShareEvent[] = [];
    m.on('accepted', (share) => accepted.push(share));
    await waitFor(() => accepted.length >= 1, 25_000, 'an accepted share');
    expect(p.authorized).toEqual(['bcrt1qtest.rig1']);
    expect(p.suggestions).toEqual([0.0001]);
    const target = difficultyToTarget(0.0001);
    for (const s of p.submits) {
      expect(s.valid).toBe(true);
      expect(s.hashValue <= target).toBe(true);
      expect(s.params).toHaveLength(5);
      expect(s.params[0]).toBe('bcrt1qtest.rig1');
      expect(s.params[3]).toBe(recordedJob().job.ntime);
    }
    const stats = m.stats();
    expect(stats.accepted).toBeGreaterThanOrEqual(1);
    expect(stats.rejected).toBe(0);
    expect(stats.difficulty).toBe(0.0001);
    // Regtest nbits (207fffff) make every share a block candidate.
    expect(stats.blocksHinted).toBeGreaterThanOrEqual(stats.accepted);
    expect(stats.hashes).toBeGreaterThan(0);
    expect(BigInt('0x' + accepted[0]!.hashDisplay) <= target).toBe(true);
  });

  it('switches to a clean job at once and never submits the old job after reading the new one', async () => {
    const p = await pool({ difficulty: EASY, job: variant('old', 0, '1d00ffff') });
    const m = miner({ url: p.url, user: 'w', threads: 2, maxHashesPerSecond: 150_000 });
    const jobs: string[] = [];
    m.on('job', (j) => jobs.push(j.jobId));
    await waitFor(() => p.submits.filter((s) => s.jobId === 'old').length >= 3, 15_000, 'shares on the first job');
    expect(m.stats().blocksHinted).toBe(0); // mainnet nbits: no share is a block

    p.broadcastJob(variant('new', 1), true, true);
    await waitFor(() => p.submits.filter((s) => s.jobId === 'new').length >= 3, 15_000, 'shares on the clean job');
    const marker = p.markers[0]!;
    expect(marker.answer).toBe('gxc-pool-miner/0.1.0');
    const afterSwitch = p.submits.slice(marker.submitsBefore);
    expect(afterSwitch.length).toBeGreaterThanOrEqual(3);
    expect(afterSwitch.every((s) => s.jobId === 'new' && s.valid)).toBe(true);
    expect(jobs).toEqual(['old', 'new']);
  });

  it('applies set_difficulty from the next job on', async () => {
    const p = await pool({ difficulty: EASY, job: variant('a', 0) });
    const m = miner({ url: p.url, user: 'w', maxHashesPerSecond: 150_000 });
    await waitFor(() => p.submits.length >= 2, 15_000, 'shares at the first difficulty');
    p.setDifficulty(EASY * 2);
    // Until a new job comes, the miner keeps mining job "a" at its own difficulty.
    const before = p.submits.length;
    await waitFor(() => p.submits.length >= before + 2, 15_000, 'more shares on the old job');
    expect(m.stats().difficulty).toBe(EASY);
    p.broadcastJob(variant('b', 1), false, true);
    await waitFor(() => p.submits.filter((s) => s.jobId === 'b').length >= 2, 15_000, 'shares on the next job');
    expect(m.stats().difficulty).toBe(EASY * 2);
    for (const s of p.submits) {
      expect(s.valid).toBe(true);
      expect(s.difficulty).toBe(s.jobId === 'a' ? EASY : EASY * 2);
    }
    // Job "b" was not clean: shares of job "a" from batches already running stay valid and may still arrive.
  });

  it('reconnects after the pool drops the connection and mines with the new extranonce1', async () => {
    const p = await pool({ difficulty: EASY, job: variant('r', 0) });
    const m = miner({ url: p.url, user: 'w', maxHashesPerSecond: 150_000, reconnectDelayMs: 50 });
    const errors: string[] = [];
    m.on('error', (e) => errors.push(e.message));
    await waitFor(() => p.submits.length >= 2, 15_000, 'shares on the first connection');
    p.dropAll();
    await waitFor(() => p.submits.some((s) => s.session === 2 && s.valid), 15_000, 'a share on the second connection');
    expect(p.connectionCount).toBe(2);
    expect(errors.some((e) => /disconnected/.test(e))).toBe(true);
    expect(p.submits.every((s) => s.valid)).toBe(true);
    expect(m.stats().lastError).toMatch(/disconnected/);
  });

  it('negotiates version rolling and submits rolled bits inside the mask', async () => {
    const mask = 0x1fffe000;
    const p = await pool({ difficulty: EASY, versionMask: mask, job: variant('v', 0) });
    const m = miner({ url: p.url, user: 'w', versionRolling: true, maxHashesPerSecond: 150_000 });
    await waitFor(() => p.submits.length >= 3, 15_000, 'version-rolled shares');
    for (const s of p.submits) {
      expect(s.params).toHaveLength(6);
      const bits = parseInt(s.versionBits!, 16);
      expect(bits).not.toBe(0);
      expect((bits & ~mask) >>> 0).toBe(0);
      expect(s.valid).toBe(true);
    }
    expect(m.stats().accepted).toBeGreaterThanOrEqual(3);
  });

  it('mines without rolling when the pool does not support mining.configure', async () => {
    const p = await pool({ difficulty: EASY, versionMask: null, job: variant('nv', 0) });
    miner({ url: p.url, user: 'w', versionRolling: true, maxHashesPerSecond: 150_000 });
    await waitFor(() => p.submits.length >= 2, 15_000, 'shares');
    expect(p.submits.every((s) => s.params.length === 5 && s.valid)).toBe(true);
  });

  it('follows set_extranonce from the next job, and client.reconnect to another port on the same host', async () => {
    const p = await pool({ difficulty: EASY, job: variant('e1', 0) });
    const other = await pool({ difficulty: EASY, job: variant('o1', 0) });
    const m = miner({ url: p.url, user: 'w', maxHashesPerSecond: 150_000, reconnectDelayMs: 5_000 });
    await waitFor(() => p.submits.length >= 1, 15_000, 'a first share');
    p.setExtranonce(() => 'beef0001');
    p.broadcastJob(variant('e2', 1), true, true);
    await waitFor(() => p.submits.filter((s) => s.jobId === 'e2').length >= 2, 15_000, 'shares after set_extranonce');
    expect(p.submits.every((s) => s.valid)).toBe(true);

    p.sendToAll({ id: null, method: 'client.reconnect', params: ['127.0.0.1', other.port, 0] });
    await waitFor(() => other.submits.length >= 1, 15_000, 'a share on the other port');
    expect(other.submits.every((s) => s.valid)).toBe(true);
    expect(m.stats().accepted).toBeGreaterThanOrEqual(4);
  });

  it('reports bad lines and bad notifies from the pool and keeps mining', async () => {
    const p = await pool({ difficulty: EASY, job: variant('g', 0) });
    const m = miner({ url: p.url, user: 'w', maxHashesPerSecond: 150_000 });
    const errors: string[] = [];
    m.on('error', (e) => errors.push(e.message));
    await waitFor(() => p.submits.length >= 1, 15_000, 'a first share');
    const badJob = { ...variant('bad', 1), prevhash: 'zz' };
    p.sendRawToAll('this is not json\n[1,2]\n');
    p.broadcastJob(badJob, false);
    p.sendToAll({ id: 7, method: 'client.show_message', params: ['maintenance at noon'] });
    p.setDifficulty(-1);
    await waitFor(() => errors.length >= 4, 5_000, 'four reported problems');
    expect(errors[0]).toMatch(/not JSON: this is not json/);
    expect(errors[1]).toMatch(/not an object/);
    expect(errors[2]).toMatch(/mining.notify: prevhash must be 64 hex chars/);
    expect(errors[3]).toMatch(/difficulty must be a positive number/);
    const count = p.submits.length;
    await waitFor(() => p.submits.length >= count + 2, 15_000, 'more shares on the last good job');
    expect(p.submits.every((s) => s.jobId === 'g' && s.valid)).toBe(true);
  });

  it('counts rejected shares with the pool reason', async () => {
    const p = await pool({ difficulty: EASY, job: variant('x', 0) });
    p.rejectAllWith = [23, 'low difficulty share'];
    const m = miner({ url: p.url, user: 'w', maxHashesPerSecond: 150_000 });
    const reasons: string[] = [];
    m.on('rejected', (s) => reasons.push(s.reason ?? ''));
    await waitFor(() => reasons.length >= 2, 15_000, 'rejections');
    expect(reasons[0]).toBe('low difficulty share');
    expect(m.stats().rejected).toBeGreaterThanOrEqual(2);
    expect(m.stats().accepted).toBe(0);
  });

  it('honours maxHashesPerSecond', async () => {
    const p = await pool({ difficulty: EASY, job: variant('t', 0) });
    const m = miner({ url: p.url, user: 'w', threads: 2, maxHashesPerSecond: 20_000 });
    await waitFor(() => m.stats().hashes > 0, 10_000, 'hashing to start');
    const startHashes = m.stats().hashes;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rate = ((m.stats().hashes - startHashes) / (performance.now() - started)) * 1000;
    expect(rate).toBeGreaterThan(5_000);
    expect(rate).toBeLessThan(30_000);
  });

  it('stops promptly and stays stopped', async () => {
    const p = await pool({ difficulty: EASY, job: variant('s', 0) });
    const m = startMiner({ url: p.url, user: 'w', threads: 2 });
    await waitFor(() => m.stats().hashes > 0, 10_000, 'hashing to start');
    const started = Date.now();
    await m.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    const hashes = m.stats().hashes;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(m.stats().hashes).toBe(hashes);
    await waitFor(() => p.sessions.length === 0, 2_000, 'the connection to close');
  });

  it('rejects bad options precisely', () => {
    expect(() => startMiner({ url: 'http://x:1', user: 'w' })).toThrow(/not supported/);
    expect(() => startMiner({ url: 'stratum+tcp://127.0.0.1:1', user: 'w', threads: 0 })).toThrow(/threads/);
  });
});

describe('runMinerCli', () => {
  it('logs accepted shares and a hash-rate line', async () => {
    const p = await pool({ difficulty: EASY, job: variant('c', 0) });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const handle = runMinerCli({ url: p.url, user: 'w', maxHashesPerSecond: 100_000, statsIntervalMs: 200, logger });
    cleanups.push(() => handle.stop());
    await waitFor(
      () => lines.some((l) => l.includes('accepted share #1')) && lines.some((l) => /hashrate \d+\.\d\d k?H\/s/.test(l)),
      15_000,
      'log lines',
    );
    expect(handle.stats().accepted).toBeGreaterThanOrEqual(1);
  });
});
