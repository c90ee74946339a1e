/** What the pool keeps for the dashboard: per-worker figures, the node's recent errors and block interval, and the series recorder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { NetworkTracker } from '../../src/pool/network-tracker.js';
import { startSeriesRecorder } from '../../src/pool/series-recorder.js';
import { WorkerStatsTracker } from '../../src/pool/worker-stats.js';
import { createStore } from '../../src/store/index.js';
import { StratumErrorCode } from '../../src/stratum/types.js';

describe('WorkerStatsTracker', () => {
  it('keeps accepted difficulty, the best share and rejects by reason per worker', () => {
    const t = new WorkerStatsTracker();
    t.record('A', 'w1', 4, { ok: true, isBlock: false, hashDisplay: 'x', actualDifficulty: 9 }, 1000);
    t.record('A', 'w1', 4, { ok: true, isBlock: false, hashDisplay: 'y', actualDifficulty: 5 }, 2000);
    t.record('A', 'w1', 4, { ok: false, code: StratumErrorCode.JobNotFound, message: 'stale' }, 3000);
    t.record('A', 'w1', 4, { ok: false, code: StratumErrorCode.LowDifficulty, message: 'low' }, 3500);
    t.record('A', 'w2', 2, { ok: false, code: StratumErrorCode.Other, message: 'slow down' }, 4000);
    t.record('B', 'w1', 8, { ok: true, isBlock: true, hashDisplay: 'z', actualDifficulty: 80 }, 5000);
    expect(t.list('A')).toEqual([
      {
        address: 'A',
        worker: 'w1',
        accepted: 2,
        rejected: 2,
        acceptedDifficulty: 8,
        bestShareDifficulty: 9,
        lastShareAt: 3500,
        rejectsByReason: { stale: 1, duplicate: 0, low_difficulty: 1, other: 0 },
      },
      expect.objectContaining({ worker: 'w2', rejectsByReason: { stale: 0, duplicate: 0, low_difficulty: 0, other: 1 } }),
    ]);
    expect(t.acceptedDifficultyTotal).toBe(16);
    expect(t.list()).toHaveLength(3);
  });

  it('stays bounded by dropping the longest-idle workers', () => {
    const t = new WorkerStatsTracker(10);
    for (let i = 0; i < 25; i++) t.record('A', `w${i}`, 1, { ok: true, isBlock: false, hashDisplay: 'h', actualDifficulty: 1 }, i);
    const left = t.list().map((w) => w.worker);
    expect(left.length).toBeLessThanOrEqual(10);
    expect(left).toContain('w24');
    expect(left).not.toContain('w0');
  });
});

describe('NetworkTracker', () => {
  it('measures the block interval over new heights and lists each distinct node error once', () => {
    const n = new NetworkTracker(5, 3);
    expect(n.blockIntervalSeconds()).toBeNull();
    n.template(100, 0);
    n.template(100, 5_000); // a refresh at the same height
    n.template(101, 30_000);
    n.template(103, 90_000);
    expect(n.blockIntervalSeconds()).toBe(30);
    expect(n.lastTemplateAt()).toBe(90_000);
    n.nodeError('ECONNREFUSED', 1);
    n.nodeError('ECONNREFUSED', 2);
    n.nodeError(null, 3);
    n.nodeError('timeout', 4);
    n.nodeError('ECONNREFUSED', 5);
    n.nodeError('500', 6);
    expect(n.recentErrors()).toEqual([
      { at: 6, message: '500' },
      { at: 5, message: 'ECONNREFUSED' },
      { at: 4, message: 'timeout' },
    ]);
  });
});

describe('series recorder', () => {
  it('catches up from the stored shares after a start, then rolls the recent minutes and hours', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-series-'));
    const store = await createStore(`sqlite:${path.join(dir, 'pool.db')}`);
    try {
      await store.migrate();
      const hour = 1_700_002_800_000; // a whole hour
      let now = hour + 90 * 60_000 + 10_000;
      const share = (createdAt: number, difficulty: number) => ({
        pool: 'asic',
        instanceId: 0,
        address: 'A',
        worker: 'w',
        jobId: 'j',
        height: 1,
        difficulty,
        networkDifficulty: 50,
        actualDifficulty: difficulty,
        hash: `${createdAt}`.padStart(64, '0'),
        isBlock: false,
        createdAt,
      });
      await store.insertShares([share(hour + 5 * 60_000, 3), share(hour + 70 * 60_000, 4)]);
      const recorder = startSeriesRecorder({ store, pool: 'asic', networkDifficulty: () => 50, logger: silentLogger, now: () => now }, false);
      await recorder.runOnce();
      const minutes = await store.poolSeries('asic', 60, hour, now);
      expect(minutes.length).toBe(90);
      expect(minutes.find((p) => p.t === hour + 5 * 60_000)).toMatchObject({ difficultySum: 3, shares: 1 });
      expect(minutes.filter((p) => p.shares > 0)).toHaveLength(2);
      // Before this start the recorder did not see the network difficulty: only minutes with shares carry one,
      // and the last minutes take the current one.
      expect(minutes.find((p) => p.t === hour + 6 * 60_000)?.networkDifficulty).toBeNull();
      expect(minutes.find((p) => p.t === hour + 5 * 60_000)?.networkDifficulty).toBe(50);
      expect(minutes.at(-1)?.networkDifficulty).toBe(50);
      expect((await store.poolSeries('asic', 3600, hour, now)).map((p) => [p.t, p.difficultySum])).toEqual([
        [hour, 3],
        [hour + 3_600_000, 4],
      ]);
      // A late share of the previous minute and a new one: the next run picks both up, without double counting.
      await store.insertShares([share(now - 20_000, 1)]);
      now += 60_000;
      await store.insertShares([share(now - 30_000, 2)]);
      await recorder.runOnce();
      await recorder.runOnce();
      const hourTwo = await store.poolSeries('asic', 3600, hour + 3_600_000, now);
      expect(hourTwo[0]?.difficultySum).toBe(7);
      expect((await store.poolSeries('asic', 60, hour, now)).reduce((s, p) => s + p.difficultySum, 0)).toBe(10);
      recorder.stop();
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
