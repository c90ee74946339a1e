/**
 * Chains where shares are blocks (issue 7): the GXC devnet at difficulty 1 (one hash in 16 is a block, as the
 * real GXC testnet starts) and the Bitcoin devnet at regtest difficulty (every other hash). The share difficulty
 * is capped at the network's, so every share is a block candidate. The built-in miner mines at full speed for
 * 20 s in its own process (2 threads): it must never be disconnected, see accepted shares all along, only stale rejects (shares on a block just
 * replaced), and the node must get exactly one block per height.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPoolProcess, type PoolProcess } from '../../src/app.js';
import type { ChainAdapter, SubmitOutcome } from '../../src/chains/types.js';
import { loadConfig } from '../../src/config/load.js';
import { bitsToTarget, targetToDifficulty } from '../../src/core/target.js';
import { POW_LIMIT_BITS } from '../../src/devnet/index.js';
import type { FloodMinerReport } from '../../bench/support/flood-miner.js';

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

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The built-in miner in its own process (as a real miner runs: its hashing and share checks do not share the
 * pool's event loop), at full speed for MINING_MS; resolves with its report.
 */
function runFloodMiner(port: number, user: string): Promise<FloodMinerReport & { startedAt: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const script = path.resolve(here, '../../bench/support/flood-miner.ts');
    const args = [`--url=stratum+tcp://127.0.0.1:${port}`, `--user=${user}`, '--threads=2', `--seconds=${MINING_MS / 1000}`];
    const child = fork(path.resolve(here, '../../bin/run-ts.js'), [script, ...args], { stdio: 'inherit' });
    const backstop = setTimeout(() => child.kill('SIGKILL'), MINING_MS + 60_000);
    child.on('message', (msg: FloodMinerReport) => {
      if (msg.type === 'report') resolve({ ...msg, startedAt });
    });
    child.once('exit', (code) => {
      clearTimeout(backstop);
      reject(new Error(`miner process exited (${code}) without a report`));
    });
  });
}

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
    const sessionsSeen = new Set<string>();
    const watch = setInterval(() => {
      for (const s of general.stratum.sessions()) sessionsSeen.add(s.id);
    }, 100);
    let report: FloodMinerReport & { startedAt: number };
    try {
      report = await runFloodMiner(general.stratumPort, `${address}.fast`);
    } finally {
      clearInterval(watch);
    }
    await general.runtime.settled();
    const counters = general.runtime.counters;
    // On failure, the pool's own words about connections and stalls say which side gave up and why.
    const poolSaid = infoLines.filter((l) => /disconnect|closed|close|write buffer|timeout|thread|failed/i.test(l)).slice(0, 8);
    const summary = JSON.stringify({ ...report, acceptedAt: report.acceptedAt.length, counters, poolSaid });

    // One connection all along: never disconnected, every submit answered while it mined.
    expect(sessionsSeen.size, summary).toBe(1);
    expect(report.disconnects, summary).toBe(0);
    expect(report.unanswered, summary).toBe(0);
    // Accepted shares in every quarter of the run (after the first one: connecting and the first job take a moment).
    const first = report.acceptedAt[0];
    expect(first, summary).toBeDefined();
    const windowMs = (report.startedAt + MINING_MS - (first ?? 0)) / WINDOWS;
    for (let w = 0; w < WINDOWS; w++) {
      const from = (first ?? 0) + w * windowMs;
      const inWindow = report.acceptedAt.filter((t) => t >= from && t < from + windowMs).length;
      expect(inWindow, `window ${w}: ${summary}`).toBeGreaterThan(0);
    }
    // Only stale rejects: shares on a job the pool expired when a block replaced its previous block.
    for (const reason of Object.keys(report.rejectReasons)) expect(reason, summary).toMatch(/stale|not found/i);
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
    // Nothing was logged about floods or junk.
    expect(infoLines.filter((l) => /"disconnect"|request flood|junk/.test(l))).toEqual([]);
    console.log(
      `${flavor}: ${report.submitted} submits, ${report.accepted} accepted, ${report.rejected} rejected (stale) in ${MINING_MS / 1000} s; ` +
        `${heights.length} blocks sent, ${counters.blocksSuperseded} candidates credited as shares only`,
    );
  }, 120_000);
});
