/**
 * Chains where shares are blocks (issue 7): the GXC devnet at difficulty 1 (one hash in 16 is a block, as the
 * real GXC testnet starts) and the Bitcoin devnet at regtest difficulty (every other hash). The share difficulty
 * is capped at the network's, so every share is a block candidate. The built-in miner mines at full speed for
 * 20 s: it must never be disconnected, see accepted shares all along, only stale rejects (shares on a block just
 * replaced), and the node must get exactly one block per height.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import type { ChainAdapter, SubmitOutcome } from '../../src/chains/types.js';
import { loadConfig } from '../../src/config/load.js';
import { bitsToTarget, targetToDifficulty } from '../../src/core/target.js';
import { POW_LIMIT_BITS } from '../../src/devnet/index.js';
import { startMiner } from '../../src/miner/index.js';
import type { ShareEvent } from '../../src/miner/types.js';
import { until } from './fixtures/env.js';

const MINING_MS = 20_000;
const WINDOWS = 4;

const FLAVORS = [
  { flavor: 'gxc' as const, address: 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf', devnetDifficulty: '1' },
  {
    flavor: 'bitcoin' as const,
    address: 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce',
    devnetDifficulty: String(targetToDifficulty(bitsToTarget(POW_LIMIT_BITS))),
  },
];

/** Counts what reaches the node's submitblock, per height, with its outcome. */
function spyOnSubmissions(chain: ChainAdapter): Map<number, SubmitOutcome[]> {
  const perHeight = new Map<number, SubmitOutcome[]>();
  const submit = chain.submitBlock.bind(chain);
  chain.submitBlock = async (work, solution) => {
    const list = perHeight.get(work.height) ?? [];
    perHeight.set(work.height, list);
    const outcome = await submit(work, solution);
    list.push(outcome);
    return outcome;
  };
  return perHeight;
}

describe.each(FLAVORS)('the $flavor devnet where every share is a block', ({ flavor, address, devnetDifficulty }) => {
  let app: PoolProcess;
  let dataDir: string;
  const infoLines: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gxc-lowdiff-${flavor}-`));
    const cfg = loadConfig({ env: {}, flags: { devnetFlavor: flavor, devnetDifficulty, dataDir, logLevel: 'silent', difficulty: '0.00002' } });
    const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => void infoLines.push(line) });
    app = await startPoolProcess(cfg, { ephemeralPorts: true, logger });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('one miner at full speed: never disconnected, accepted shares all along, one block per height', async () => {
    const general = app.pools.find((p) => p.settings.name === 'general')!;
    const submissions = spyOnSubmissions(app.chain);
    const accepted: number[] = [];
    const rejected: (ShareEvent & { at: number })[] = [];
    const errors: string[] = [];
    const miner = startMiner({ url: `stratum+tcp://127.0.0.1:${general.stratumPort}`, user: `${address}.fast`, threads: 2 });
    miner.on('accepted', () => accepted.push(Date.now()));
    miner.on('rejected', (share) => rejected.push({ ...share, at: Date.now() }));
    miner.on('error', (err) => errors.push(err.message));
    let started = 0;
    let errorsWhileMining: string[] = [];
    try {
      await until('the first accepted share', 30_000, () => accepted.length > 0);
      started = Date.now();
      const sessionsAtStart = general.stratum.sessions().map((s) => s.id);
      expect(sessionsAtStart).toHaveLength(1);
      await new Promise((r) => setTimeout(r, MINING_MS));
      // The same connection all along.
      expect(general.stratum.sessions().map((s) => s.id)).toEqual(sessionsAtStart);
      // Shares still unanswered when the miner stops are its own doing: look at what happened while mining.
      errorsWhileMining = errors.slice();
    } finally {
      await miner.stop();
    }
    await general.runtime.settled();
    const stats = miner.stats();
    const summary = JSON.stringify({
      stats,
      counters: general.runtime.counters,
      errors: errorsWhileMining.slice(0, 5),
      rejected: rejected.slice(0, 5),
    });

    expect(
      errorsWhileMining.filter((e) => /disconnected|no answer/.test(e)),
      summary,
    ).toEqual([]);
    // Accepted shares in every quarter of the run, not only at its start.
    const windowMs = MINING_MS / WINDOWS;
    for (let w = 0; w < WINDOWS; w++) {
      const inWindow = accepted.filter((t) => t >= started + w * windowMs && t < started + (w + 1) * windowMs).length;
      expect(inWindow, `window ${w}: ${summary}`).toBeGreaterThan(0);
    }
    // Only stale rejects: a share on a job the pool expired when a block replaced its previous block.
    for (const r of rejected) expect(r.reason, summary).toMatch(/stale|not found/i);
    const counters = general.runtime.counters;
    expect(counters.rejected - counters.stale, summary).toBe(0);

    // The node saw exactly one block per height, each accepted; several heights were mined.
    const heights = [...submissions.keys()];
    expect(heights.length, summary).toBeGreaterThan(3);
    for (const [height, outcomes] of submissions) {
      expect(
        outcomes.map((o) => o.accepted),
        `height ${height}: ${JSON.stringify(outcomes)}`,
      ).toEqual([true]);
    }
    expect(counters.blocksFound).toBe(heights.length);
    // The miner was never told to go away, and nothing was logged about request floods.
    expect(infoLines.filter((l) => /"disconnect"|request flood|junk/.test(l))).toEqual([]);
    console.log(
      `${flavor}: ${stats.accepted} accepted, ${stats.rejected} rejected (stale) in ${MINING_MS / 1000} s; ` +
        `${heights.length} blocks sent, ${counters.blocksSuperseded} candidates credited as shares only`,
    );
  }, 90_000);
});
