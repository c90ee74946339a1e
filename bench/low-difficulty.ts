/**
 * One miner on a chain where every share is a block (issue 7): how many submits per second it pushes, and what
 * the pool does with them — answered, credited (stored shares), sent to the node, credited only because a block
 * on the same previous block was already accepted, rejected as stale.
 *
 *   node bin/run-ts.js bench/low-difficulty.ts [--flavor=gxc,bitcoin] [--threads=2] [--seconds=20]
 *
 * The pool runs here as `npm start` runs it (embedded devnet, SQLite, all three pools; the GXC devnet at
 * difficulty 1 = one hash in 16 is a block, the Bitcoin devnet at regtest difficulty = every other hash); the
 * built-in miner runs in a child process (support/flood-miner.ts) against the general pool's port. Bounded by
 * --seconds of mining (the child is killed 60 s after that at the latest).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPoolProcess } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { bitsToTarget, targetToDifficulty } from '../src/core/target.js';
import { POW_LIMIT_BITS } from '../src/devnet/index.js';
import { silentLogger } from '../src/log/logger.js';
import { argValue, numberArg } from './support/args.js';
import type { FloodMinerReport } from './support/flood-miner.js';
import { printMachine } from './support/machine.js';
import { fmtInt } from './support/stats.js';

const flavors = (argValue('flavor') ?? 'gxc,bitcoin').split(',').map((f) => f.trim());
const threads = Math.floor(numberArg('threads', 2));
const seconds = numberArg('seconds', 20);
const here = path.dirname(fileURLToPath(import.meta.url));
const runTs = path.resolve(here, '../bin/run-ts.js');

const CHAINS = {
  gxc: { address: 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf', difficulty: '1' },
  bitcoin: { address: 'bcrt1qj643sp7ah2xq67m5hl6wxd8pd0fe7gcyuj3sce', difficulty: String(targetToDifficulty(bitsToTarget(POW_LIMIT_BITS))) },
} as const;

function runMiner(port: number, address: string): Promise<FloodMinerReport> {
  return new Promise((resolve, reject) => {
    const args = [`--url=stratum+tcp://127.0.0.1:${port}`, `--user=${address}.bench`, `--threads=${threads}`, `--seconds=${seconds}`];
    const child = fork(runTs, [path.join(here, 'support/flood-miner.ts'), ...args], { stdio: 'inherit' });
    const backstop = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('message', (msg: FloodMinerReport) => {
      if (msg.type === 'report') resolve(msg);
    });
    child.once('exit', (code) => {
      clearTimeout(backstop);
      reject(new Error(`miner process exited (${code}) without a report`));
    });
  });
}

printMachine('bench/low-difficulty.ts');
for (const flavor of flavors) {
  if (flavor !== 'gxc' && flavor !== 'bitcoin') throw new Error(`--flavor must be gxc and/or bitcoin, got '${flavor}'`);
  const chain = CHAINS[flavor];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gxc-bench-lowdiff-${flavor}-`));
  const cfg = loadConfig({
    env: {},
    flags: { devnetFlavor: flavor, devnetDifficulty: chain.difficulty, dataDir, logLevel: 'silent', difficulty: '0.00002' },
  });
  const app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger });
  try {
    const general = app.pools.find((p) => p.settings.name === 'general');
    if (general === undefined) throw new Error('no general pool');
    // What reaches the node, counted at the adapter.
    let sentToNode = 0;
    let nodeAccepted = 0;
    const submit = app.chain.submitBlock.bind(app.chain);
    app.chain.submitBlock = async (work, solution) => {
      sentToNode++;
      const outcome = await submit(work, solution);
      if (outcome.accepted) nodeAccepted++;
      return outcome;
    };
    let answered = 0;
    let sessions = 0;
    const poll = setInterval(() => {
      const list = general.stratum.sessions();
      sessions = Math.max(sessions, list.length);
      const s = list[0];
      if (s !== undefined) answered = Math.max(answered, s.sharesAccepted + s.sharesRejected);
    }, 200);
    const report = await runMiner(general.stratumPort, chain.address);
    clearInterval(poll);
    await general.runtime.settled();
    const c = general.runtime.counters;
    const perSecond = (n: number): string => fmtInt(n / seconds);
    console.log(`\n## ${flavor} devnet (difficulty ${chain.difficulty}), ${threads} miner threads, ${seconds} s`);
    console.log(`miner: ${fmtInt(report.hashes / seconds)} H/s, submits sent ${fmtInt(report.submitted)} (${perSecond(report.submitted)}/s)`);
    console.log(
      `miner saw: accepted ${fmtInt(report.accepted)} (${perSecond(report.accepted)}/s), rejected ${fmtInt(report.rejected)}, ` +
        `disconnects ${report.disconnects}, unanswered ${report.unanswered}`,
    );
    console.log(`reject reasons: ${JSON.stringify(report.rejectReasons)}`);
    console.log(`pool: answered ${fmtInt(answered)} (${perSecond(answered)}/s) on ${sessions} connection(s)`);
    console.log(
      `pool: credited (stored) ${fmtInt(c.accepted)}, stale ${fmtInt(c.stale)} in the pipeline, ` +
        `block candidates sent to the node ${sentToNode} (accepted ${nodeAccepted}), credited as shares only ${c.blocksSuperseded}`,
    );
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
