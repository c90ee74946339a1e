/**
 * Issue 11, "both cores used": the asic pool with its sockets in the main process (stratum.workers = 0) and in
 * 1 and 2 socket worker processes, under `gxc-pool bench-stratum` closed-loop load, reject path (random shares)
 * and accept path (ground shares, each acknowledged after its SQLite group commit). Prints decisions/s, server CPU
 * per decision (primary + workers, from /proc), the cores used and p50/p99. Runs the compiled pool (dist/).
 *
 *   node bin/run-ts.js bench/socket-workers.ts [--workers=0,1,2] [--sessions=1000] [--seconds=8] [--rounds=1]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const workerCounts = arg('workers', '0,1,2').split(',').map(Number);
const sessions = Number(arg('sessions', '1000'));
const seconds = Number(arg('seconds', '8'));
const rounds = Number(arg('rounds', '1'));
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin/gxc-pool.js');
const USER = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf.w{i}';
const STRATUM_PORT = 23335;
const WEB_PORT = 26002;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function startPool(workers: number, difficulty: string): Promise<{ child: ChildProcess; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-workers-${workers}-`));
  const cfg = path.join(dir, 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ stratum: { maxConnections: 20000, maxConnectionsPerIp: 2000, bans: { enabled: false } } }));
  const child = spawn(
    process.execPath,
    [BIN, 'start', '--config', cfg, '--pool', 'asic', '--stratum-host', '127.0.0.1', '--stratum-port', String(STRATUM_PORT)]
      .concat(['--web-host', '127.0.0.1', '--web-port', String(WEB_PORT), '--data-dir', dir, '--difficulty', difficulty])
      .concat(['--devnet-difficulty', '7', '--stratum-workers', String(workers), '--log-level', 'warn']),
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, GXC_POOL_FROM_SOURCE: '0' } },
  );
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(STRATUM_PORT))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`pool with ${workers} workers did not start`);
    await sleep(200);
  }
  await sleep(1500);
  return { child, dir };
}

async function stopPool(p: { child: ChildProcess; dir: string }): Promise<void> {
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await Promise.race([exited, sleep(30_000)]);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  fs.rmSync(p.dir, { recursive: true, force: true });
}

interface Report {
  load: { replies: number; repliesPerSecond: number; accepted: number; latencyMs: { p50: number; p99: number } };
  server: { cpuPerReplyMicros: number; loadCores: number } | null;
  machine: { loadAverage: number[] };
}

async function run(workers: number, shares: 'random' | 'grind'): Promise<void> {
  const pool = await startPool(workers, shares === 'random' ? '1' : '1e-9');
  try {
    const out = spawnSync(
      process.execPath,
      [BIN, 'bench-stratum', '--url', `stratum+tcp://127.0.0.1:${STRATUM_PORT}`, '--user', USER, '--sessions', String(sessions)]
        .concat(['--processes', '2', '--mode', 'closed', '--shares', shares, '--seconds', String(seconds), '--settle-seconds', '1'])
        .concat(['--server-pid', String(pool.child.pid), '--json']),
      { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (out.status !== 0) throw new Error(`bench-stratum failed: ${out.stderr}`);
    const r = JSON.parse(out.stdout) as Report;
    const s = r.server;
    console.log(
      [
        `workers=${workers}`,
        `path=${shares === 'random' ? 'reject' : 'accept'}`,
        `decisions/s=${r.load.repliesPerSecond.toFixed(0)}`,
        `accepted=${r.load.accepted}/${r.load.replies}`,
        `server µs/decision=${s ? s.cpuPerReplyMicros.toFixed(1) : '?'}`,
        `server cores=${s ? s.loadCores.toFixed(2) : '?'}`,
        `p50=${r.load.latencyMs.p50.toFixed(1)}ms p99=${r.load.latencyMs.p99.toFixed(1)}ms`,
        `load=${r.machine.loadAverage.map((l) => l.toFixed(1)).join('/')}`,
      ].join('  '),
    );
  } finally {
    await stopPool(pool);
  }
}

console.log(`socket workers bench: ${sessions} sessions, closed loop, ${seconds} s, node ${process.version}, ${os.cpus().length} cpus`);
for (let round = 0; round < rounds; round++) {
  for (const shares of ['random', 'grind'] as const) for (const w of workerCounts) await run(w, shares);
}
