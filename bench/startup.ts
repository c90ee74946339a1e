/**
 * Launch -> listening of `gxc-pool start`: compiled dist/ (what `npm start` runs) against src/ through tsx (what it
 * ran before), alternated so machine load hits both alike. The node is a devnet in its own process, started once
 * beforehand, so its own start-up is excluded; the pool's few RPC calls to it on loopback are included.
 *
 *   node bin/run-ts.js bench/startup.ts [--runs=5]
 *
 * Every launch is bounded (30 s), its data dir is a fresh temp dir, and every child is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/net.js';
import { numberArg } from './support/args.js';
import { printMachine } from './support/machine.js';
import { fmt } from './support/stats.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(repo, 'bin/gxc-pool.js');
const ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';
const runs = Math.floor(numberArg('runs', 5));

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

async function launch(fromSource: boolean, nodePort: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-startup-'));
  const ports = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
  const args = ['start', '--node-url', `http://127.0.0.1:${nodePort}`, '--chain', 'gxc', '--pool-address', ADDRESS, '--data-dir', dir];
  args.push('--stratum-host', '127.0.0.1', '--web-host', '127.0.0.1', '--log-level', 'info');
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args, '--pool', 'general', '--stratum-port', String(ports[0]), '--web-port', String(ports[1])], {
    env: { ...process.env, GXC_POOL_FROM_SOURCE: fromSource ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const at = await waitForLine(child, /"event":"listening"/, 1, 30_000);
    return at - t0;
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
  const times: Record<'dist' | 'tsx', number[]> = { dist: [], tsx: [] };
  for (let i = 0; i < runs; i++) {
    times.dist.push(await launch(false, nodePort));
    times.tsx.push(await launch(true, nodePort));
  }
  for (const [mode, list] of Object.entries(times)) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `${mode === 'dist' ? 'compiled dist/  ' : 'src/ through tsx'}: min ${fmt(sorted[0] as number, 0)} ms  median ${fmt(sorted[Math.floor(sorted.length / 2)] as number, 0)} ms  max ${fmt(sorted[sorted.length - 1] as number, 0)} ms  (${sorted.map((t) => t.toFixed(0)).join(', ')})`,
    );
  }
} finally {
  await stop(devnet);
}
