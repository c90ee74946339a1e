/**
 * The compiled build runs the product without a TypeScript transpiler: `tsc -p tsconfig.build.json` (what
 * `npm run build:server` and `prepare` run) emits JavaScript that starts the pool on the embedded devnet, whose
 * built-in miner's worker threads get shares accepted, and whose load generator forks its client processes from
 * the compiled entry. Built into node_modules/.cache (inside the repo, so dependencies resolve; never dist/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, loopbackPoolPorts } from '../helpers/net.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(repo, 'node_modules/.cache', `gxc-dist-test-${process.pid}`);
const MINER = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

/** Collects a child's output and resolves once `pattern` appears (bounded). */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
    const onData = (chunk: string): void => {
      out += chunk;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!pattern.test(out)) reject(new Error(`exited (${code}) before ${pattern}:\n${out.slice(-3000)}`));
    });
  });
}

describe('the compiled build (no transpiler at run time)', () => {
  let pool: ChildProcess | null = null;
  let dataDir: string;
  let stratumPort: number;
  // No tsx and no source maps' loader: plain node on the emitted files.
  const env = { ...process.env, GXC_POOL_FROM_SOURCE: '0', NODE_OPTIONS: '' };

  beforeAll(async () => {
    const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}\n${build.stderr}`);
    expect(fs.existsSync(path.join(outDir, 'main.js'))).toBe(true);
    expect(fs.readdirSync(outDir, { recursive: true }).some((f) => String(f).endsWith('.ts'))).toBe(false);

    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-dist-'));
    stratumPort = await freePort();
    const webPort = await freePort();
    pool = spawn(
      process.execPath,
      [path.join(outDir, 'main.js'), 'start', '--pool', 'general', '--data-dir', dataDir, '--difficulty', '1e-6', '--devnet-difficulty', '4'].concat(
        loopbackPoolPorts(stratumPort, webPort),
      ),
      { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const startLog = await waitFor(pool, /"event":"listening"/, 60_000);
    // Shares go through the SQLite writer thread, whose entry is the compiled share-thread-worker.js.
    expect(startLog).toMatch(/"event":"started".*"shareWriterThread":true/);
  }, 300_000);

  afterAll(async () => {
    if (pool && pool.exitCode === null) {
      const exited = new Promise((r) => pool?.once('exit', r));
      pool.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("the compiled miner's worker threads get a share accepted by the compiled pool", async () => {
    const miner = spawn(
      process.execPath,
      [path.join(outDir, 'main.js'), 'miner', '--url', `stratum+tcp://127.0.0.1:${stratumPort}`, '--user', `${MINER}.dist`, '--threads', '2'],
      {
        cwd: repo,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      await waitFor(miner, /accepted share #1 /, 60_000);
    } finally {
      miner.kill('SIGTERM');
    }
  }, 90_000);

  it('the compiled load generator forks its client processes from the compiled entry', async () => {
    const run = spawnSync(
      process.execPath,
      [
        path.join(outDir, 'main.js'),
        'bench-stratum',
        '--url',
        `stratum+tcp://127.0.0.1:${stratumPort}`,
        '--user',
        `${MINER}.lg{i}`,
        '--sessions',
        '10',
      ].concat(['--processes', '2', '--mode', 'closed', '--shares', 'grind', '--seconds', '1', '--settle-seconds', '0', '--json']),
      { cwd: repo, env, encoding: 'utf8', timeout: 90_000 },
    );
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      sessions: { ready: number };
      load: { replies: number; accepted: number };
    };
    expect(report.sessions.ready).toBe(10);
    expect(report.load.accepted).toBeGreaterThan(0);
  }, 120_000);
});
