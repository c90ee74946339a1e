/**
 * SIGKILL under share load: the real CLI (`gxc-pool start`) runs as a child process on SQLite against a devnet in
 * this process; several raw Stratum clients submit real shares as fast as they can and remember every share the
 * pool answered `true`. The child is killed at a random moment, restarted on the same database, and every
 * acknowledged share must be in the shares table; the restarted pool must work normally (nothing stuck).
 * (Kills in the middle of a payout are covered by test/ledger/crash.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type RunningDevnet } from '../../src/devnet/index.js';
import { createRpcClient } from '../../src/rpc/client.js';
import { freePort, regtestAddress, until } from './fixtures/env.js';
import { startPoolChild, type PoolChild } from './fixtures/pool-child.js';
import { RawMiner } from './fixtures/raw-miner.js';
import { loopbackPoolPorts } from '../helpers/net.js';

const CLIENTS = 4;
const SHARE_DIFFICULTY = 1e-9; // a handful of hashes: the load is bounded by the pool, not by the test's hashing
const RESET_ABOVE = 1e-7; // vardiff climbs ×4 every ten shares; ask for the low difficulty again past this
/** Kill delays after the load started (ms): a fixed spread plus a random part, one per round. */
const KILL_DELAYS = [150, 600, 1200].map((base) => base + Math.floor(Math.random() * 400));

let dir: string;
let devnet: RunningDevnet;
let poolAddress: string;
let child: PoolChild | null = null;
const dbPath = (): string => path.join(dir, 'pool.db');

async function startChild(): Promise<PoolChild> {
  // The ports are picked free first; another test may take one before the child binds it: try fresh ones then.
  for (let attempt = 1; ; attempt++) {
    const [stratumPort, webPort] = [await freePort(), await freePort()];
    try {
      child = await startPoolChild([
        '--node-url',
        devnet.url,
        '--chain',
        'bitcoin',
        '--network',
        'regtest',
        '--pool-address',
        poolAddress,
        '--pool',
        'general',
        '--db',
        `sqlite:${dbPath()}`,
        '--data-dir',
        dir,
        '--difficulty',
        String(SHARE_DIFFICULTY),
        ...loopbackPoolPorts(stratumPort, webPort),
      ]);
    } catch (err) {
      if (attempt < 3 && String(err).includes('EADDRINUSE')) continue;
      throw err;
    }
    expect(child.stratumPort).toBe(stratumPort);
    return child;
  }
}

interface LoadResult {
  acknowledged: string[];
  refused: unknown[];
  extranonce1s: string[];
}

/** Clients submit shares until their connection dies (bounded by count and time). */
async function shareLoad(port: number, label: string, stopAfterMs: number): Promise<LoadResult> {
  const result: LoadResult = { acknowledged: [], refused: [], extranonce1s: [] };
  const deadline = Date.now() + stopAfterMs;
  const miners = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => RawMiner.open(port, `${regtestAddress(`crash miner ${i}`)}.${label}${i}`)),
  );
  result.extranonce1s = miners.map((m) => m.extranonce1);
  await Promise.all(
    miners.map(async (m) => {
      try {
        for (let n = 0; n < 5000 && !m.closed && Date.now() < deadline; n++) {
          if (m.latest!.difficulty > RESET_ABOVE) await m.suggestDifficulty(SHARE_DIFFICULTY, 5000);
          const r = await m.submit('share', 5000);
          if (r.accepted) result.acknowledged.push(r.hash);
          else if (!m.closed) result.refused.push(r.error);
          // Let the other clients' replies in: the search above is synchronous.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        // The pool died under the request: expected once it is killed, a failure before that.
        if (!m.closed) throw err;
      } finally {
        m.close();
      }
    }),
  );
  return result;
}

function storedHashes(): { hashes: Set<string>; rows: number; integrity: string } {
  const db = new Database(dbPath(), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT hash FROM shares').all() as Array<{ hash: string }>;
    const integrity = (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
    return { hashes: new Set(rows.map((r) => r.hash)), rows: rows.length, integrity };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gxc-ledger-crash-'));
  // Default devnet bits (~5 M hashes a block): no share of this test is a block.
  devnet = await startDevnet({ autoTransactions: 0 });
  const rpc = createRpcClient({ url: devnet.url, jsonrpc: '1.0' });
  try {
    poolAddress = await rpc.call<string>('getnewaddress', ['pool']);
  } finally {
    rpc.close();
  }
}, 30_000);

afterAll(async () => {
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  await devnet?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL of the pool process under share load', () => {
  it('keeps every acknowledged share across kills at random moments, and restarts clean', async () => {
    const instanceIds: number[] = [];
    let acknowledgedSoFar = new Set<string>();
    let pool = await startChild();
    for (const [round, delay] of KILL_DELAYS.entries()) {
      instanceIds.push(pool.instanceId);
      const load = shareLoad(pool.stratumPort, `r${round}w`, 20_000);
      // Kill once shares are flowing and `delay` ms have passed.
      const started = Date.now();
      await until('shares being stored', 10_000, () => fs.existsSync(dbPath()) && storedHashes().rows > acknowledgedSoFar.size);
      await new Promise((r) => setTimeout(r, Math.max(0, delay - (Date.now() - started))));
      pool.process.kill('SIGKILL');
      expect((await pool.exited).signal, pool.output().slice(-2000)).toBe('SIGKILL');
      const { acknowledged, refused, extranonce1s } = await load;
      expect(refused, `round ${round}: shares refused`).toEqual([]);
      expect(acknowledged.length, `round ${round} (kill after ${delay} ms)`).toBeGreaterThan(0);
      // Each instance's extranonce1 space starts with its own id byte.
      for (const e of extranonce1s) expect(parseInt(e.slice(0, 2), 16)).toBe(pool.instanceId);

      // Restart on the same database: every share the dead process acknowledged is there, exactly once.
      pool = await startChild();
      const stored = storedHashes();
      expect(stored.integrity).toBe('ok');
      const missing = acknowledged.filter((h) => !stored.hashes.has(h));
      expect(missing, `round ${round}: ${missing.length} of ${acknowledged.length} acknowledged shares lost`).toEqual([]);
      expect(stored.hashes.size).toBe(stored.rows); // no share stored twice
      acknowledgedSoFar = new Set([...acknowledgedSoFar, ...acknowledged]);
      expect([...acknowledgedSoFar].every((h) => stored.hashes.has(h))).toBe(true);
    }

    // The killed instances' ids stay reserved until their leases expire, so a restarted pool never shares an
    // extranonce1 space with a process that might still be alive; the leases do expire (nothing stays locked).
    instanceIds.push(pool.instanceId);
    expect(new Set(instanceIds).size).toBe(instanceIds.length);
    const db = new Database(dbPath(), { readonly: true, fileMustExist: true });
    try {
      const now = Date.now();
      const instances = db.prepare('SELECT id, lease_until FROM instances').all() as Array<{ id: number; lease_until: number }>;
      for (const dead of instanceIds.slice(0, -1)) {
        const row = instances.find((r) => r.id === dead);
        if (row) expect(row.lease_until).toBeLessThanOrEqual(now + 60_000);
      }
      const leases = db.prepare('SELECT role, holder, expires_at FROM leases').all() as Array<{ role: string; holder: string; expires_at: number }>;
      for (const lease of leases) expect(lease.expires_at).toBeLessThanOrEqual(now + 90_000);
      const blocks = db.prepare("SELECT count(*) AS n FROM blocks WHERE status = 'candidate'").get() as { n: number };
      expect(blocks.n).toBe(0);
    } finally {
      db.close();
    }

    // The restarted pool takes shares and answers its API as usual.
    const after = await shareLoad(pool.stratumPort, 'after', 1500);
    expect(after.refused).toEqual([]);
    expect(after.acknowledged.length).toBeGreaterThan(0);
    const stored = storedHashes();
    expect(after.acknowledged.every((h) => stored.hashes.has(h))).toBe(true);
    const stats = (await (await fetch(`http://127.0.0.1:${pool.webPort}/api/stats`)).json()) as { shares_in_window: number; accepted_shares: number };
    expect(stats.shares_in_window).toBe(stored.rows);
    expect(stats.accepted_shares).toBe(after.acknowledged.length);

    // A clean stop exits 0.
    pool.process.kill('SIGTERM');
    expect((await pool.exited).code).toBe(0);
  }, 150_000);
});
