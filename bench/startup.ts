/**
 * Launch -> listening of `gxc-pool start` from compiled dist/ (what `npm start` runs): to the first accepted TCP
 * connection on the Stratum port (polled every 5 ms; miners can connect from then on) and to the `listening` log
 * line (web/API port up too). With --tsx=1 also src/ through tsx, alternated so machine load hits both alike. The
 * node is a devnet in its own process, started once beforehand, so its own start-up is excluded; the pool's few RPC
 * calls to it on loopback are included.
 *
 *   node bin/run-ts.js bench/startup.ts [--runs=5] [--tsx=1] [--compare=OTHER/bin/gxc-pool.js]
 *
 * --compare: another checkout's built CLI (e.g. the commit before a change), launched alternately the same way.
 *
 * Every launch is bounded (30 s), its data dir is a fresh temp dir, and every child is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/net.js';
import { argValue, numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { fmt } from './support/stats.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'bin/gxc-pool.js');
const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';
const runs = Math.floor(numberArg('runs', 5));
const withTsx = argValue('tsx') === '1';
const compareBin = argValue('compare');

/** When a TCP connection to the port is first accepted (polled every 5 ms, bounded by `timeoutMs`). */
async function firstAccept(port: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`stratum port ${port} not accepting within ${timeoutMs} ms`);
}

function waitForLine(child: ChildProcess, pattern: RegExp, count: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let text = '';
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms:\n${text.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: string): void => {
      text += chunk;
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) {
        if (pattern.test(line) && ++seen === count) {
          clearTimeout(timer);
          resolve(performance.now());
        }
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${text.slice(-2000)}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function launch(fromSource: boolean, nodePort: number, bin = BIN): Promise<{ stratum: number; listening: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-startup-'));
  const ports = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
  const args = ['start', '--node-url', `http://127.0.0.1:${nodePort}`, '--chain', 'gxc', '--pool-address', ADDRESS, '--data-dir', dir];
  args.push('--stratum-host', '127.0.0.1', '--web-host', '127.0.0.1', '--log-level', 'info');
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, ...args, '--pool', 'general', '--stratum-port', String(ports[0]), '--web-port', String(ports[1])], {
    env: { ...process.env, GXC_POOL_FROM_SOURCE: fromSource ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const listening = waitForLine(child, /"event":"listening"/, 1, 30_000);
    const stratumAt = await firstAccept(ports[0] as number, 30_000);
    return { stratum: stratumAt - t0, listening: (await listening) - t0 };
  } finally {
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

printMachine('start-up: launch -> listening (general pool, devnet node in its own process)');
if (!fs.existsSync(path.join(repo, 'dist/main.js'))) throw new Error('dist/ is not built: npm run build:server');
const nodePort = await freePort();
const devnet = spawn(process.execPath, [BIN, 'devnet', '--flavor', 'gxc', '--port', String(nodePort)], {
  env: { ...process.env, GXC_POOL_FROM_SOURCE: '0' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
try {
  await waitForLine(devnet, /devnet_listening/, 1, 30_000);
  const times: Record<string, number[]> = {
    'dist/ stratum accepts': [],
    'dist/ listening line': [],
    'compare stratum accepts': [],
    'compare listening line': [],
    'tsx stratum accepts': [],
    'tsx listening line': [],
  };
  for (let i = 0; i < runs; i++) {
    const d = await launch(false, nodePort);
    times['dist/ stratum accepts']?.push(d.stratum);
    times['dist/ listening line']?.push(d.listening);
    if (compareBin !== undefined) {
      const c = await launch(false, nodePort, compareBin);
      times['compare stratum accepts']?.push(c.stratum);
      times['compare listening line']?.push(c.listening);
    }
    if (!withTsx) continue;
    const t = await launch(true, nodePort);
    times['tsx stratum accepts']?.push(t.stratum);
    times['tsx listening line']?.push(t.listening);
  }
  for (const [mode, list] of Object.entries(times)) {
    if (list.length === 0) continue;
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `${mode.padEnd(22)}: min ${fmt(sorted[0] as number, 0)} ms  median ${fmt(sorted[Math.floor(sorted.length / 2)] as number, 0)} ms  max ${fmt(sorted[sorted.length - 1] as number, 0)} ms  (${sorted.map((t) => t.toFixed(0)).join(', ')})`,
    );
  }
} finally {
  await stop(devnet);
}
