/**
 * SHA-256d responsiveness during an Ethash burst, through the pool: one process runs the pool as `npm start` does
 * (embedded GXC devnet, general port serving both algorithms, Ethash verified on worker threads); a burst of
 * well-formed EthereumStratum submits (random nonces, each verified with real Ethash) lands while one SV1 miner
 * pipelines real shares. Prints SV1 submit→reply latency (p50/p99/max), the burst's duration and the process's
 * event-loop delay during it. The clients run in this process too (their work is small: one JSON line per submit,
 * ~4 sha256d tries per SV1 share), so the delay is an upper bound for the pool alone.
 *
 *   node bin/run-ts.js bench/ethash-burst.ts [--submits=400] [--connections=10] [--interval=20] [--runs=3]
 *
 * Each run is bounded: the burst must be answered within 120 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPoolProcess } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/log/logger.js';
import { runEthashBurst } from '../test/helpers/ethash-burst.js';
import { numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { fmt } from './support/stats.js';

const submits = Math.floor(numberArg('submits', 400));
const connections = Math.floor(numberArg('connections', 10));
const intervalMs = numberArg('interval', 20);
const runs = Math.floor(numberArg('runs', 3));

printMachine('ethash-burst');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-bench-burst-'));
const cfg = loadConfig({ env: {}, flags: { devnetFlavor: 'gxc', pool: 'general', dataDir, logLevel: 'silent', difficulty: '1e-9' } });
const app = await startPoolProcess(cfg, { ephemeralPorts: true, logger: silentLogger });
try {
  const general = app.pools.find((p) => p.settings.name === 'general');
  if (!general) throw new Error('the general pool did not start');
  const healthDeadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${general.webPort}/api/health`);
    if (((await res.json()) as { ok: boolean }).ok) break;
    if (Date.now() > healthDeadline) throw new Error('general pool not healthy within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Lets the verifier's (and devnet's) background cache builds of the next epoch finish before measuring.
  await new Promise((r) => setTimeout(r, 5_000));
  console.log(`\n-- ${submits} Ethash submits from ${connections} EthereumStratum connections; one SV1 miner submitting every ${intervalMs} ms`);
  for (let run = 1; run <= runs; run++) {
    const r = await runEthashBurst({
      port: general.stratumPort,
      address: `tGXC${`bench${run}`.padEnd(30, '0')}`,
      ethashConnections: connections,
      ethashSubmits: submits,
      sv1IntervalMs: intervalMs,
      timeoutMs: 120_000,
    });
    const l = r.sv1.latency;
    console.log(
      `run ${run}: burst ${fmt(r.burstMs, 0)} ms (${fmt((submits * 1000) / r.burstMs, 0)} verifications/s; ` +
        `${r.ethashReplies.accepted} accepted, ${r.ethashReplies.rejected} low-difficulty) | SV1 ${r.sv1.answered}/${r.sv1.sent} answered ` +
        `(${r.sv1.duringBurst} during the burst), latency p50 ${fmt(l.p50, 1)} ms, p99 ${fmt(l.p99, 1)} ms, max ${fmt(l.max, 1)} ms | ` +
        `event-loop delay p50 ${fmt(r.loopDelayMs.p50, 1)} ms, p99 ${fmt(r.loopDelayMs.p99, 1)} ms, max ${fmt(r.loopDelayMs.max, 1)} ms`,
    );
  }
  console.log(
    `load average after: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await app.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
