/**
 * Soak (issue 11): "N minutes at half load: memory growth < 5 %, no stall > 20 ms, no share lost".
 *
 *   node bin/run-ts.js bench/soak.ts [--minutes=10] [--warmup-seconds=60] [--probe-sessions=1000]
 *                                    [--probe-seconds=6] [--share-seconds=5] [--devnet-difficulty=5]
 *
 * 1. Starts the real pool from dist/ (`gxc-pool start --pool general`, embedded GXC devnet, SQLite in a temp dir).
 * 2. Probe: `gxc-pool bench-stratum` in a closed loop (ground shares, one in flight per session) for a few seconds;
 *    its accepted shares per second are the saturating rate R (of this pool with these clients on this machine).
 * 3. Load: R/2 shares/s, open loop, for --minutes, spread over R/2 x share-seconds sessions so each submits one share
 *    every share-seconds (the devnet's vardiff target: difficulty stays where it started, so grinding stays cheap).
 *    Meanwhile: the server's RSS from /proc every 2 s, its event-loop delay from /metrics every 5 s.
 * 4. Stops the pool (SIGTERM: it answers what is in flight and flushes its share writer), then checks every share
 *    the clients saw acknowledged (both phases) against the shares table: stored exactly once.
 *
 * Bounded: every phase has a time limit, every child is stopped, the temp dir is removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { LoadReport } from '../src/loadgen/report.js';
import { sampleProcess } from '../src/loadgen/proc.js';
import { startPoolChild } from '../test/e2e/fixtures/pool-child.js';
import { runBenchStratum } from '../test/helpers/bench-stratum.js';
import { freePort, loopbackPoolPorts } from '../test/helpers/net.js';
import { numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { auditShares, loopStalls, memoryGrowth, promValue, type LoopSample, type RssSample } from './support/soak-analysis.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINER = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';
/** prom-client's default event-loop monitor ticks every 10 ms; an idle loop reports that much. */
const LOOP_RESOLUTION_MS = 10;
/** The pool's default per-port limit is 10,000; stay under it. */
const MAX_SESSIONS = 9000;

const minutes = numberArg('minutes', 10);
const warmupSeconds = numberArg('warmup-seconds', 60);
const probeSessions = Math.floor(numberArg('probe-sessions', 1000));
const probeSeconds = numberArg('probe-seconds', 6);
const shareSeconds = numberArg('share-seconds', 5);
const devnetDifficulty = numberArg('devnet-difficulty', 5);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** Runs `gxc-pool bench-stratum ... --json` to completion (bounded) and returns its report. */
async function benchStratum(args: string[], timeoutMs: number): Promise<LoadReport> {
  const run = await runBenchStratum(args, timeoutMs);
  if (run.status !== 0 || run.report === null) throw new Error(`bench-stratum exited with ${run.status}: ${run.stderr.slice(-2000)}`);
  return run.report;
}

/** Every hash the clients logged as accepted, over both phases (files `<prefix>-<phase>.<process>`). */
function readAckedHashes(prefix: string): string[] {
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  const out: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(`${base}-`)) continue;
    for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) if (line !== '') out.push(line);
  }
  return out;
}

printMachine(`soak: ${minutes} min at half the saturating rate (pool from dist/, GXC devnet, SQLite)`);
if (!fs.existsSync(path.join(repo, 'dist/main.js'))) throw new Error('dist/ is not built: npm run build:server');
process.env.GXC_POOL_FROM_SOURCE = '0';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-soak-'));
const [stratumPort, webPort] = [await freePort(), await freePort()];
const pool = await startPoolChild([
  '--pool',
  'general',
  '--data-dir',
  dir,
  '--difficulty',
  '1e-9',
  '--devnet-difficulty',
  String(devnetDifficulty),
  ...loopbackPoolPorts(stratumPort, webPort),
]);
const pid = pool.process.pid as number;
const ackedPrefix = path.join(dir, 'acked');
const common = ['--url', `stratum+tcp://127.0.0.1:${stratumPort}`, '--user', `${MINER}.s{i}`, '--server-pid', String(pid)];
const loadAverages: number[][] = [os.loadavg()];
try {
  const probe = await benchStratum(
    [
      ...common,
      '--sessions',
      String(probeSessions),
      '--mode',
      'closed',
      '--shares',
      'grind',
      '--seconds',
      String(probeSeconds),
      '--accepted-log',
      `${ackedPrefix}-probe`,
    ],
    probeSeconds * 1000 + 180_000,
  );
  const saturating = probe.load.accepted / (probe.load.elapsedMs / 1000);
  console.log(
    `probe: ${probeSessions} sessions, closed loop ${probeSeconds} s: ${probe.load.accepted} accepted, ${saturating.toFixed(0)} shares/s ` +
      `(server ${probe.server?.loadCores.toFixed(2)} cores, ${probe.server?.cpuPerReplyMicros.toFixed(0)} µs/decision)`,
  );
  const rate = saturating / 2;
  const sessions = Math.min(MAX_SESSIONS, Math.max(1, Math.ceil(rate * shareSeconds)));
  if (sessions === MAX_SESSIONS) console.log(`(sessions capped at ${MAX_SESSIONS}: each submits more often than every ${shareSeconds} s)`);
  const loadSeconds = minutes * 60;
  console.log(`load: ${rate.toFixed(0)} shares/s over ${sessions} sessions for ${loadSeconds} s`);

  const rss: RssSample[] = [];
  /** The JS heap in use (prom-client's default metric), in the same shape: tells heap growth from the rest of RSS. */
  const heap: RssSample[] = [];
  const loop: LoopSample[] = [];
  let loadStartedAt: number | null = null;
  let accepted0: number | null = null;
  let sampling = true;
  const metricsUrl = `http://127.0.0.1:${webPort}/metrics`;
  const scrape = async (): Promise<string> => (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
  // The load starts when the pool's accepted counter moves past the probe's (connecting thousands takes a while).
  const sampler = (async () => {
    let lastMetrics = 0;
    while (sampling) {
      const now = performance.now();
      if (now - lastMetrics >= 5000) {
        lastMetrics = now;
        try {
          const text = await scrape();
          const accepted = promValue(text, 'gxc_pool_shares_total', 'result="accepted"') ?? 0;
          accepted0 ??= accepted;
          if (loadStartedAt === null && accepted > accepted0) loadStartedAt = now;
          const max = promValue(text, 'gxc_pool_process_nodejs_eventloop_lag_max_seconds');
          const p99 = promValue(text, 'gxc_pool_process_nodejs_eventloop_lag_p99_seconds');
          if (loadStartedAt !== null && max !== null && p99 !== null)
            loop.push({ t: (now - loadStartedAt) / 1000, maxSeconds: max, p99Seconds: p99 });
          const heapUsed = promValue(text, 'gxc_pool_process_nodejs_heap_size_used_bytes');
          if (loadStartedAt !== null && heapUsed !== null) heap.push({ t: (now - loadStartedAt) / 1000, rssBytes: heapUsed });
        } catch (err) {
          console.log(`metrics scrape failed: ${(err as Error).message}`);
        }
      }
      const sample = sampleProcess(pid);
      if (loadStartedAt !== null && sample !== null) rss.push({ t: (performance.now() - loadStartedAt) / 1000, rssBytes: sample.rssBytes });
      if (loadStartedAt !== null && rss.length % 30 === 0) loadAverages.push(os.loadavg());
      await sleep(2000);
    }
  })();
  const load = await benchStratum(
    [
      ...common,
      '--sessions',
      String(sessions),
      '--processes',
      String(Math.max(2, Math.ceil(sessions / 5000))),
      '--mode',
      'rate',
      '--rate',
      rate.toFixed(1),
      '--shares',
      'grind',
      '--seconds',
      String(loadSeconds),
      '--max-submits',
      String(Math.ceil(rate * loadSeconds * 1.1)),
      '--accepted-log',
      `${ackedPrefix}-load`,
    ],
    loadSeconds * 1000 + 300_000,
  );
  sampling = false;
  await sampler;
  loadAverages.push(os.loadavg());
  const l = load.load;
  console.log(
    `load done: ${load.sessions.ready}/${sessions} sessions (held ${load.sessions.held}), sent ${l.sent}, replies ${l.replies}, accepted ${l.accepted}, ` +
      `rejected ${JSON.stringify(l.rejected)}, unanswered ${l.unanswered}, ${l.repliesPerSecond.toFixed(0)} replies/s, ` +
      `reply p50/p99/max ${l.latencyMs.p50.toFixed(1)}/${l.latencyMs.p99.toFixed(1)}/${l.latencyMs.max.toFixed(1)} ms, ` +
      `server ${load.server?.loadCores.toFixed(2)} cores`,
  );

  pool.process.kill('SIGTERM');
  const exit = await Promise.race([pool.exited, sleep(60_000).then(() => null)]);
  if (exit === null) throw new Error('the pool did not stop within 60 s of SIGTERM');
  console.log(`pool stopped: code ${exit.code}`);

  const db = new Database(path.join(dir, 'pool.db'), { readonly: true });
  const stored = new Map<string, number>();
  for (const row of db.prepare("SELECT hash, COUNT(*) AS n FROM shares WHERE pool = 'general' GROUP BY hash").iterate() as Iterable<{
    hash: string;
    n: number;
  }>) {
    stored.set(row.hash, row.n);
  }
  db.close();
  const acked = readAckedHashes(ackedPrefix);
  const audit = auditShares(acked, stored);
  const growth = memoryGrowth(rss, warmupSeconds, Math.min(loadSeconds, rss.at(-1)?.t ?? 0));
  const heapGrowth = memoryGrowth(heap, warmupSeconds, Math.min(loadSeconds, heap.at(-1)?.t ?? 0));
  const stalls = loopStalls(loop, LOOP_RESOLUTION_MS);
  const rssValues = rss.map((s) => s.rssBytes);

  console.log('');
  console.log(
    `shares: ${audit.acked} acknowledged (probe and load), ${stored.size} distinct hashes stored, ${audit.storedNotAcked} of them not acknowledged (answer still in flight at the end)`,
  );
  console.log(
    `  lost (acked, not stored): ${audit.lost}   stored twice: ${audit.doubled}   acked twice: ${audit.ackedTwice}` +
      `${audit.examplesLost.length > 0 ? `   e.g. ${audit.examplesLost.join(', ')}` : ''}`,
  );
  console.log(
    `memory: RSS min ${mib(Math.min(...rssValues))} max ${mib(Math.max(...rssValues))} over ${rss.length} samples; ` +
      (growth === null
        ? 'too short for a growth figure'
        : `minute after ${warmupSeconds} s warm-up ${growth.firstMiB.toFixed(1)} MiB -> last minute ${growth.lastMiB.toFixed(1)} MiB: growth ${growth.growthPercent.toFixed(2)} %`),
  );
  if (heapGrowth !== null) {
    console.log(
      `  JS heap in use (from /metrics every 5 s): ${heapGrowth.firstMiB.toFixed(1)} MiB -> ${heapGrowth.lastMiB.toFixed(1)} MiB: ` +
        `growth ${heapGrowth.growthPercent.toFixed(2)} %`,
    );
  }
  console.log(
    `event loop: max stall ${stalls.maxStallMs.toFixed(1)} ms, worst 5-s p99 ${stalls.worstP99Ms.toFixed(1)} ms beyond the ${LOOP_RESOLUTION_MS} ms tick ` +
      `(${loop.length} scrapes; stalls > 20 ms in ${loop.filter((s) => s.maxSeconds * 1000 - LOOP_RESOLUTION_MS > 20).length} of them)`,
  );
  console.log(`load average during the run: ${loadAverages.map((a) => a.map((x) => x.toFixed(1)).join('/')).join('  ')}`);
  console.log(
    `verdict: growth < 5 % ${growth !== null && growth.growthPercent < 5 ? 'yes' : 'no'}, stall <= 20 ms ${stalls.maxStallMs <= 20 ? 'yes' : 'no'}, ` +
      `no share lost ${audit.lost === 0 && audit.doubled === 0 ? 'yes' : 'no'}`,
  );
} finally {
  if (pool.process.exitCode === null && pool.process.signalCode === null) {
    pool.process.kill('SIGKILL');
    await pool.exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
