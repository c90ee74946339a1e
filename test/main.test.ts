/**
 * The CLI as a newcomer uses it: `gxc-pool start` with no settings (what `npm start` runs) brings up the three
 * GXC pools on their seed ports over the embedded GXC devnet; the built-in miner gets shares and blocks on the
 * asic and general ports; `migrate` and `payouts --dry-run` work on the same database.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiner } from '../src/miner/index.js';
import { startGxcDevnet, type GxcDevnet } from '../src/devnet/gxc/index.js';
import { startPoolChild, type PoolChild } from './e2e/fixtures/pool-child.js';
import { until } from './e2e/fixtures/env.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MINER_ADDRESS = 'tGXC3tz6MsTbP2NCMvc33JixQdkQi6tf';

/**
 * GET over node:http: fetch() refuses port 6000 (X11 is on the WHATWG "bad ports" list, as in every browser), and
 * 6000 is the general pool's seed web port.
 */
function getJson<T>(port: number, urlPath: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
      })
      .on('error', reject);
  });
}

/** Runs the CLI asynchronously (the devnet under test lives in this process and must keep answering). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'bin/gxc-pool.js'), ...args], {
      cwd: repo,
      env: { ...process.env, GXC_POOL_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('gxc-pool start with the embedded defaults', () => {
  let dir: string;
  let pool: PoolChild;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-cli-'));
    // Only the data directory is set, so the test never touches ./data; everything else is the default.
    pool = await startPoolChild(['--data-dir', dir]);
    await until('all three web ports', 20_000, async () => {
      for (const port of [6000, 6001, 6002]) {
        const ok = await getJson(port, '/api/stats').then(
          () => true,
          () => false,
        );
        if (!ok) return false;
      }
      return true;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\npool output:\n${pool.output().slice(-3000)}`);
    });
  });

  afterAll(async () => {
    if (pool && pool.process.exitCode === null) {
      pool.process.kill('SIGTERM');
      await pool.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints where each pool listens and which node and store it uses', () => {
    const out = pool.output();
    expect(out).toMatch(/"event":"started".*embedded devnet \(gxc\).*"store":"sqlite:[^"]*pool\.db"/);
    for (const [name, stratum, web] of [
      ['asic', 3335, 6002],
      ['gpu', 3334, 6001],
      ['general', 3333, 6000],
    ] as const) {
      expect(out).toContain(`"pool":"${name}"`);
      expect(out).toMatch(new RegExp(`stratum\\+tcp://0\\.0\\.0\\.0:${stratum} {2}web http://0\\.0\\.0\\.0:${web}`));
    }
  });

  it('mines GXC devnet blocks through the asic (3335) and general (3333) ports', async () => {
    for (const [port, web] of [
      [3335, 6002],
      [3333, 6000],
    ] as const) {
      const miner = startMiner({ url: `stratum+tcp://127.0.0.1:${port}`, user: `${MINER_ADDRESS}.cli${port}` });
      try {
        await until(`an accepted share on ${port}`, 30_000, () => miner.stats().accepted >= 1);
        const block = await until(`a block found on ${port}`, 90_000, async () => {
          const blocks = await getJson<Array<{ status: string; miner: string; hash: string }>>(web, '/api/blocks');
          // A second solution racing the first to the node may be refused as stale: wait for an accepted one.
          return blocks.find((b) => b.miner === `${MINER_ADDRESS}.cli${port}` && ['pending', 'immature', 'confirmed'].includes(b.status));
        });
        expect(block.hash).toMatch(/^0{5}/); // GXC devnet difficulty 5: five leading hex zeros
      } finally {
        await miner.stop();
      }
    }
    // The node's blocknotify hook with its default --web-url (the general pool on port 6000).
    const notified = await cli(['blocknotify', '0000abcd']);
    expect(notified.stderr).toBe('');
    expect(notified.status).toBe(0);
    expect(JSON.parse(notified.stdout)).toMatchObject({ ok: true, node_error: null });
    // The gpu pool has Ethash work from the same GXC template.
    const stats = await getJson<{ algorithm: string; current_job: unknown }>(6001, '/api/stats');
    expect(stats.algorithm).toBe('ethash');
    expect(stats.current_job).not.toBeNull();
    expect(await getJson<{ ok: boolean }>(6001, '/api/health')).toMatchObject({ ok: true });
  }, 200_000);

  it('stops cleanly on SIGTERM', async () => {
    pool.process.kill('SIGTERM');
    expect(await pool.exited).toEqual({ code: 0, signal: null });
  });

  it('migrate brings a database up to date, and rejects a bad --db with a precise message', async () => {
    const db = `sqlite:${path.join(dir, 'other.db')}`;
    const ok = await cli(['migrate', '--db', db]);
    expect(ok.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'other.db'))).toBe(true);
    const bad = await cli(['migrate', '--db', 'mysql://nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('db: expected sqlite:PATH or postgres://');
  });

  it('payouts --dry-run explains what would be paid, against a node', async () => {
    let devnet: GxcDevnet | null = null;
    try {
      devnet = await startGxcDevnet({ difficulty: 3 });
      const poolAddress = devnet.chain.walletAddresses[0]!;
      const r = await cli(['payouts', '--dry-run', '--node-url', devnet.url, '--pool-address', poolAddress, '--data-dir', dir]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/== asic pool: would pay 0\.00000000 GXC to 0 address\(es\)/);
      // Shares mined above were credited on the same database: the general pool's finder shows up.
      expect(r.stdout).toContain('== general pool');
      const noNode = await cli(['payouts', '--dry-run', '--data-dir', dir]);
      expect(noNode.status).toBe(1);
      expect(noNode.stderr).toContain('needs the node the pool pays from');
    } finally {
      await devnet?.stop();
    }
  }, 60_000);
});
