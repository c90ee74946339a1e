/**
 * Child process of bench/low-difficulty.ts: the built-in miner at full speed against one pool port, in its own
 * process (as a real miner is), reporting its figures to the parent over IPC when the time is up.
 *
 *   node bin/run-ts.js bench/support/flood-miner.ts --url=stratum+tcp://127.0.0.1:PORT --user=ADDR.w --threads=2 --seconds=20
 */
import { startMiner } from '../../src/miner/index.js';
import { argValue, numberArg } from './args.js';

export interface FloodMinerReport {
  type: 'report';
  seconds: number;
  hashes: number;
  /** Submits the miner sent (on these chains every share meets nbits, so each one is counted as a hint). */
  submitted: number;
  accepted: number;
  rejected: number;
  rejectReasons: Record<string, number>;
  disconnects: number;
  unanswered: number;
}

const url = argValue('url');
const user = argValue('user');
if (url === undefined || user === undefined) throw new Error('--url and --user are required');
const threads = Math.floor(numberArg('threads', 2));
const seconds = numberArg('seconds', 20);

const rejectReasons: Record<string, number> = {};
let disconnects = 0;
let unanswered = 0;
const miner = startMiner({ url, user, threads });
miner.on('rejected', (share) => {
  const reason = (share.reason ?? 'unknown').replace(/'[^']*'/g, "'…'");
  rejectReasons[reason] = (rejectReasons[reason] ?? 0) + 1;
});
miner.on('error', (err) => {
  if (err.message.startsWith('disconnected')) disconnects++;
  else if (err.message.includes('got no answer')) unanswered++;
});

setTimeout(() => {
  const stats = miner.stats();
  const report: FloodMinerReport = {
    type: 'report',
    seconds,
    hashes: stats.hashes,
    submitted: stats.blocksHinted,
    accepted: stats.accepted,
    rejected: stats.rejected,
    rejectReasons,
    disconnects,
    unanswered,
  };
  process.send?.(report);
  void miner.stop().then(() => process.exit(0));
}, seconds * 1000).unref();
// Keeps the process alive until the report is sent (the timer above is unref'd so a stuck stop cannot hang it).
const keepAlive = setInterval(() => undefined, 1000);
setTimeout(() => clearInterval(keepAlive), (seconds + 30) * 1000).unref();
